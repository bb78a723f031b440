/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PIZWGD_SERIAL_H
#define PIZWGD_SERIAL_H

#include <stddef.h>

/*
 * Opens /dev/@tty raw (8N1, no flow control, @baud), non-blocking and
 * exclusive (TIOCEXCL): the fd, or -errno with a reason in @err.
 */
int serial_open(const char *tty, unsigned int baud, char *err, size_t errlen);

#endif
