/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The systemd notification protocol (sd_notify(3)) without libsystemd: each
 * message is one datagram to the AF_UNIX socket named by $NOTIFY_SOCKET,
 * a file system path ("/run/systemd/notify") or, with a leading '@', an
 * abstract name. pizwgd.service is Type=notify with WatchdogSec=, so pizwgd
 * says READY=1 once it serves, WATCHDOG=1 from its loop at least every half
 * of sd_watchdog_interval_ms(), and STOPPING=1 when it starts to shut down.
 *
 * The senders return 1 when the datagram went out, 0 when $NOTIFY_SOCKET is
 * unset or empty (not started by systemd: nothing to do), or a negative
 * errno: -EAFNOSUPPORT for an address that is neither a path nor '@'
 * (systemd's "vsock:" addresses are not supported), -ENAMETOOLONG when it
 * does not fit a sockaddr_un, else what socket() or sendto() failed with
 * (e.g. -ECONNREFUSED, -ENOENT). The environment is left as it is.
 */
#ifndef PIZWGD_SDNOTIFY_H
#define PIZWGD_SDNOTIFY_H

#include <stdint.h>

int sd_notify_ready(void);
int sd_notify_watchdog(void);
int sd_notify_stopping(void);

/*
 * The watchdog interval systemd expects pings within, in milliseconds
 * ($WATCHDOG_USEC rounded down, at least 1), or 0 when there is no
 * watchdog: $WATCHDOG_USEC unset, not a positive decimal number, or
 * $WATCHDOG_PID set to a process other than this one.
 */
uint64_t sd_watchdog_interval_ms(void);

#endif /* PIZWGD_SDNOTIFY_H */
