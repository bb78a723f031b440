/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The log queue of log.c: whole lines into a fixed ring of bytes, taken
 * out in whatever pieces the log fd accepts. A line that does not fit is
 * counted, not queued; the count goes out as one marker line
 * ("<4>pizwgd: N log lines dropped") as soon as there is room for it, and
 * always before the next line that is queued. Pure: no locks, no I/O.
 */
#ifndef PIZWGD_LOGQ_H
#define PIZWGD_LOGQ_H

#include <stdbool.h>
#include <stddef.h>

#define LOGQ_SIZE 65536

struct logq {
	char buf[LOGQ_SIZE];
	size_t head; /* the oldest byte */
	size_t len; /* bytes queued */
	unsigned long dropped; /* lines not queued since the last marker */
};

void logq_init(struct logq *q);
/* Queues the @n bytes of @line whole (after the marker, if one is due). */
bool logq_put(struct logq *q, const char *line, size_t n);
/* The oldest queued bytes that are contiguous, in *p: how many (0: none). */
size_t logq_peek(const struct logq *q, const char **p);
/* Forgets the oldest @n bytes (written out); queues a due marker if it fits. */
void logq_consume(struct logq *q, size_t n);
/* Forgets everything queued (nowhere to write it), counting nothing. */
void logq_clear(struct logq *q);

#endif
