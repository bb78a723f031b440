/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The "char *err, size_t errlen" convention of the parts that report a
 * failure to their caller as one line of text instead of logging it.
 */
#ifndef PIZWGD_ERRBUF_H
#define PIZWGD_ERRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Formats into @err (truncating); no-op if there is no buffer. */
static inline __attribute__((format(printf, 3, 4))) void
errbuf_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

#endif
