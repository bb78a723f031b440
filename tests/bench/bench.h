/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the benchmark's C programs (relay-client, event-latency) share.
 * Define PROG (the program's name for messages) and EXIT_FAIL first.
 */
#ifndef PIZWG_BENCH_H
#define PIZWG_BENCH_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* One line on stderr, "PROG: message", then exit(EXIT_FAIL). */
static inline __attribute__((format(printf, 1, 2), noreturn)) void
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_FAIL);
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

#endif
