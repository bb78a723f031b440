/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vrrp = on: the gateway's VRRP instance (ha.c). The stick is powered only
 * while this host is master, one full advertisement interval after it
 * became so; every way out of mastership fences first (stick off,
 * confirmed), then sends priority 0 and removes the VIP.
 */
#ifndef PIZWGD_HA_H
#define PIZWGD_HA_H

#include <stdbool.h>

struct gateway;
enum ha_after;

/* Opens the instance's sockets and pipes; 0 with vrrp = off. */
int ha_init(struct gateway *gw);
/* Stick off, STANDBY, then the VRRP thread starts in BACKUP. */
int ha_start(struct gateway *gw);
/*
 * A session ended and the gateway fenced: give mastership up (priority 0,
 * VIP removed), back to BACKUP, then run @after. With HA_AFTER_EXEC the
 * instance stays in FAULT instead, out of the election, until
 * ha_exec_done(): this host never masters while the program runs.
 */
void ha_release(struct gateway *gw, enum ha_after after, const char *reason);
/* The on_session_end program is over: back to BACKUP (link permitting). */
void ha_exec_done(struct gateway *gw);
/* The stick failed to enumerate: release, FAULT for @backoff_s, BACKUP. */
void ha_local_fault(struct gateway *gw, unsigned int backoff_s);
/* The gateway timer fired while a POWER_OFF waits: true if it was ours. */
bool ha_power_retry(struct gateway *gw);
/*
 * SIGTERM: how long the releases (stick off, priority 0) may take, all
 * gateways together: well within the unit's TimeoutStopSec (20 s).
 */
#define HA_SHUTDOWN_MS 10000
/*
 * SIGTERM, the @n gateways of @gws together: each with vrrp = on
 * releases, then goes to INIT. Returns once all are done, or after
 * HA_SHUTDOWN_MS.
 */
void ha_shutdown(struct gateway *gws, unsigned int n);
/* Copies the VRRP thread's counters into gw->m. */
void ha_sync_metrics(struct gateway *gw);
void ha_exit(struct gateway *gw);

#endif
