// SPDX-License-Identifier: GPL-2.0-only
/*
 * The log queue (logq.c) as a pure ring of lines, and log.c on a real
 * pipe that nobody reads: logging returns at once, lines that do not fit
 * are counted, and once the reader reads again everything queued comes
 * out in order behind the "N log lines dropped" marker. alarm() ends a
 * test (SIGALRM) if logging blocks.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "log.h"
#include "logq.h"
#include "unit.h"

static struct logq q;
static char out[4 * LOGQ_SIZE];

/* Takes everything out of q in the pieces logq_peek() gives: its length. */
static size_t drain(struct logq *lq, char *buf, size_t max)
{
	const char *p;
	size_t n, len = 0;

	while ((n = logq_peek(lq, &p))) {
		if (n > 7)
			n = 7; /* small pieces, as a busy reader takes them */
		if (len + n > max)
			abort();
		memcpy(buf + len, p, n);
		len += n;
		logq_consume(lq, n);
	}
	buf[len] = '\0';
	return len;
}

/* "line NNNNN" and padding to @len bytes, newline included */
static size_t line_of(unsigned int i, size_t len, char *buf)
{
	int n = snprintf(buf, len, "line %05u ", i);

	memset(buf + n, 'x', len - n - 1);
	buf[len - 1] = '\n';
	return len;
}

static void lines_come_out_whole_and_in_order_across_the_wrap(void)
{
	char line[300], want[300];
	unsigned int i, next = 0;
	size_t n;

	logq_init(&q);
	/* fill most of the ring, take half out, fill again: it wraps */
	for (i = 0; i < 200; i++)
		CHECK(logq_put(&q, line, line_of(i, sizeof(line), line)));
	drain(&q, out, sizeof(out) - 1);
	for (; i < 400; i++)
		CHECK(logq_put(&q, line, line_of(i, sizeof(line), line)));
	n = drain(&q, out, sizeof(out) - 1);
	CHECK_INT(n, 200 * sizeof(line));
	for (next = 200; next < 400; next++) {
		line_of(next, sizeof(want), want);
		CHECK(!memcmp(out + (next - 200) * sizeof(line), want,
			      sizeof(want)));
	}
	CHECK_INT(q.dropped, 0);
}

static void full_queue_drops_whole_lines_and_counts_them(void)
{
	char line[100];
	unsigned int i, queued = 0;

	logq_init(&q);
	for (i = 0; i < 1000; i++)
		queued += logq_put(&q, line, line_of(i, sizeof(line), line));
	CHECK_INT(queued, LOGQ_SIZE / sizeof(line));
	CHECK_INT(q.dropped, 1000 - queued);
	CHECK(q.len <= LOGQ_SIZE);
}

static void marker_follows_once_there_is_room_and_precedes_new_lines(void)
{
	char line[100], m[64];
	unsigned int i, queued = 0;
	size_t n;

	logq_init(&q);
	for (i = 0; i < 1000; i++)
		queued += logq_put(&q, line, line_of(i, sizeof(line), line));
	n = drain(&q, out, sizeof(out) - 1);
	snprintf(m, sizeof(m), "<4>pizwgd: %u log lines dropped\n",
		 1000 - queued);
	/* the marker went in as soon as the first bytes were taken out */
	CHECK_INT(n, queued * sizeof(line) + strlen(m));
	CHECK_STR(out + queued * sizeof(line), m);
	CHECK_INT(q.dropped, 0);
	/* a new line comes out on its own: no second marker */
	CHECK(logq_put(&q, line, line_of(1000, sizeof(line), line)));
	n = drain(&q, out, sizeof(out) - 1);
	CHECK_INT(n, sizeof(line));
	CHECK(!strncmp(out, "line 01000 ", 11));
}

static void marker_without_room_waits_and_the_line_behind_it_is_dropped(void)
{
	char line[128], m[64];
	const char *p;
	unsigned int i;

	logq_init(&q);
	/* 128-byte lines fill the ring to the last byte */
	for (i = 0; i < 1000; i++)
		logq_put(&q, line, line_of(i, sizeof(line), line));
	CHECK_INT(q.len, LOGQ_SIZE);
	/* take out less than the marker needs: no marker yet */
	logq_peek(&q, &p);
	logq_consume(&q, 10);
	CHECK_INT(q.dropped, 1000 - LOGQ_SIZE / sizeof(line));
	CHECK(!logq_put(&q, "short\n", 6));
	CHECK_INT(q.dropped, 1001 - LOGQ_SIZE / sizeof(line));
	drain(&q, out, sizeof(out) - 1);
	snprintf(m, sizeof(m), "<4>pizwgd: %u log lines dropped\n",
		 1001 - (unsigned int)(LOGQ_SIZE / sizeof(line)));
	CHECK(strstr(out, m));
	CHECK(!strstr(out, "short"));
}

/* Makes fd 2 the write end of a pipe, full: the read end, or -1. */
static int stderr_to_a_full_pipe(int *saved)
{
	char filler[4096];
	int p[2], fl;

	if (pipe(p))
		return -1;
	memset(filler, '.', sizeof(filler));
	filler[sizeof(filler) - 1] = '\n';
	fl = fcntl(p[1], F_GETFL);
	fcntl(p[1], F_SETFL, fl | O_NONBLOCK);
	while (write(p[1], filler, sizeof(filler)) > 0)
		;
	fcntl(p[1], F_SETFL, fl);
	*saved = dup(STDERR_FILENO);
	dup2(p[1], STDERR_FILENO);
	close(p[1]);
	return p[0];
}

/* Reads what the pipe holds, flushing the log as a main loop would. */
static size_t read_all(int fd, char *buf, size_t max)
{
	size_t len = 0;
	ssize_t n;
	int i;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (i = 0; i < 1000; i++) {
		n = read(fd, buf + len, max - len);
		if (n > 0) {
			len += n;
			continue;
		}
		log_flush();
		n = read(fd, buf + len, max - len);
		if (n <= 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	return len;
}

/* How many times @needle occurs in @hay, each after the one before. */
static unsigned int count_of(const char *hay, const char *needle)
{
	unsigned int n = 0;

	while ((hay = strstr(hay, needle))) {
		hay++;
		n++;
	}
	return n;
}

static void
logging_to_a_pipe_nobody_reads_returns_and_loses_only_counted_lines(void)
{
	static char got[8 * LOGQ_SIZE];
	char m[64], want[64], *p;
	unsigned int i, n;
	int rfd, saved;
	size_t len;

	rfd = stderr_to_a_full_pipe(&saved);
	CHECK(rfd >= 0);
	CHECK_INT(log_open(), 0);
	/* stderr's own open file description stays blocking */
	CHECK(!(fcntl(STDERR_FILENO, F_GETFL) & O_NONBLOCK));
	alarm(10);
	for (i = 0; i < 2000; i++)
		log_info("t", "line %05u %080u", i, 0);
	alarm(0);
	len = read_all(rfd, got, sizeof(got) - 1);
	log_info("t", "after the stall");
	read_all(rfd, got + len, sizeof(got) - 1 - len);
	log_close(0);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(rfd);
	/* the first n lines, in order, then the marker counting the rest */
	n = count_of(got, "<6>pizwgd[t]: line ");
	CHECK(n > 0 && n < 2000);
	p = got;
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "<6>pizwgd[t]: line %05u ", i);
		p = strstr(p, want);
		CHECK(p);
	}
	snprintf(m, sizeof(m), "<4>pizwgd: %u log lines dropped\n", 2000 - n);
	p = strstr(p, m);
	CHECK(p);
	CHECK(strstr(p, "<6>pizwgd[t]: after the stall\n"));
}

static void log_limit_passes_once_per_period_and_counts_the_rest(void)
{
	struct log_limit l = { 0 };
	uint64_t unlogged = 99;

	CHECK(log_limit_pass(&l, 1000, 10000, &unlogged));
	CHECK_INT(unlogged, 0);
	CHECK(!log_limit_pass(&l, 1001, 10000, &unlogged));
	CHECK(!log_limit_pass(&l, 10999, 10000, &unlogged));
	CHECK_INT(l.unlogged, 2);
	/* the period's end: a line, saying the two left unsaid */
	CHECK(log_limit_pass(&l, 11000, 10000, &unlogged));
	CHECK_INT(unlogged, 2);
	CHECK_INT(l.unlogged, 0);
	/* a long quiet spell: the next event is logged at once, alone */
	CHECK(log_limit_pass(&l, 500000, 10000, &unlogged));
	CHECK_INT(unlogged, 0);
	CHECK(!log_limit_pass(&l, 509999, 10000, &unlogged));
}

int main(void)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(lines_come_out_whole_and_in_order_across_the_wrap),
		UNIT_TEST(full_queue_drops_whole_lines_and_counts_them),
		UNIT_TEST(
			marker_follows_once_there_is_room_and_precedes_new_lines),
		UNIT_TEST(
			marker_without_room_waits_and_the_line_behind_it_is_dropped),
		UNIT_TEST(
			logging_to_a_pipe_nobody_reads_returns_and_loses_only_counted_lines),
		UNIT_TEST(log_limit_passes_once_per_period_and_counts_the_rest),
	};

	return unit_main("test_log", tests, sizeof(tests) / sizeof(tests[0]));
}
