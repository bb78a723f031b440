// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>

#include "logq.h"

void logq_init(struct logq *q)
{
	q->head = 0;
	q->len = 0;
	q->dropped = 0;
}

/* Appends @n bytes that the caller made room for, wrapping around. */
static void logq_append(struct logq *q, const char *s, size_t n)
{
	size_t tail = (q->head + q->len) % LOGQ_SIZE;
	size_t first = n < LOGQ_SIZE - tail ? n : LOGQ_SIZE - tail;

	memcpy(q->buf + tail, s, first);
	memcpy(q->buf, s + first, n - first);
	q->len += n;
}

/* The marker line for @dropped lines, in @buf: its length. */
static size_t logq_marker(unsigned long dropped, char *buf, size_t len)
{
	return snprintf(buf, len, "<4>pizwgd: %lu log lines dropped\n",
			dropped);
}

/* Queues the due marker if @extra more bytes fit behind it: true if so. */
static bool logq_put_marker(struct logq *q, size_t extra)
{
	char m[64];
	size_t n;

	if (!q->dropped)
		return true;
	n = logq_marker(q->dropped, m, sizeof(m));
	if (n + extra > LOGQ_SIZE - q->len)
		return false;
	logq_append(q, m, n);
	q->dropped = 0;
	return true;
}

bool logq_put(struct logq *q, const char *line, size_t n)
{
	if (n > LOGQ_SIZE - q->len || !logq_put_marker(q, n)) {
		q->dropped++;
		return false;
	}
	logq_append(q, line, n);
	return true;
}

size_t logq_peek(const struct logq *q, const char **p)
{
	*p = q->buf + q->head;
	return q->len < LOGQ_SIZE - q->head ? q->len : LOGQ_SIZE - q->head;
}

void logq_consume(struct logq *q, size_t n)
{
	if (n > q->len)
		n = q->len;
	q->head = (q->head + n) % LOGQ_SIZE;
	q->len -= n;
	if (!q->len)
		q->head = 0;
	logq_put_marker(q, 0);
}

void logq_clear(struct logq *q)
{
	q->head = 0;
	q->len = 0;
}
