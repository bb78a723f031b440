/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One line per event on stderr, with a syslog priority prefix that journald
 * reads ("<3>" error ... "<7>" debug). Messages name the object and the
 * reason; they never carry key material. Any thread may log; none ever
 * waits for the log's reader (log.c says how).
 */
#ifndef PIZWGD_LOG_H
#define PIZWGD_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "loop.h"

#define LOG_PRI_ERR 3
#define LOG_PRI_WARNING 4
#define LOG_PRI_NOTICE 5
#define LOG_PRI_INFO 6
#define LOG_PRI_DEBUG 7

/* @who: "" for the daemon, else a gateway name: "pizwgd[NAME]: ...". */
void log_msg(int pri, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vmsg(int pri, const char *who, const char *fmt, va_list ap);

/*
 * From here on lines are queued and written without blocking, through a
 * private descriptor of stderr. 0 or -errno (then fd 2 as it is).
 */
int log_open(void);
/* The main loop writes out what waits once the log fd has room again. */
int log_watch(struct loop *l);
/* Writes out what the log fd takes now, without blocking. */
void log_flush(void);
/*
 * At exit, once the other threads are gone: what waits gets at most @ms
 * to go out, the rest is lost; later lines go to fd 2 as it is.
 */
void log_close(unsigned int ms);

/*
 * Events of one kind (a refusal reason, a dropped advert) logged at most
 * once per period, as an attacker can cause them at will. The line after a
 * quiet spell says how many went unsaid; counters in the metrics stay exact.
 */
struct log_limit {
	uint64_t next_ms;	/* monotonic ms (now_ms()): next line allowed */
	uint64_t unlogged;	/* events since the last line */
};

/*
 * One more event at @now: true if a line may be written about it, then
 * *@unlogged gets the events left unsaid since the last line; false if it
 * is only counted.
 */
bool log_limit_pass(struct log_limit *l, uint64_t now, uint64_t period_ms,
		    uint64_t *unlogged);

#define log_err(who, ...) log_msg(LOG_PRI_ERR, who, __VA_ARGS__)
#define log_warn(who, ...) log_msg(LOG_PRI_WARNING, who, __VA_ARGS__)
#define log_notice(who, ...) log_msg(LOG_PRI_NOTICE, who, __VA_ARGS__)
#define log_info(who, ...) log_msg(LOG_PRI_INFO, who, __VA_ARGS__)

#endif
