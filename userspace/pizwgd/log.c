// SPDX-License-Identifier: GPL-2.0-only
/*
 * Logging never makes a thread wait for the log's reader.
 *
 * stderr is journald's stream socket under systemd (a pipe, a terminal or
 * a file elsewhere). When journald stalls, a write(2) to it blocks once
 * the socket's buffer is full: in a VRRP thread that stops the adverts (a
 * backup takes over while our stick is still on), in the main thread the
 * watchdog ping, fences and sessions.
 *
 * So a thread that logs formats its line, queues it (logq.h: 64 KiB)
 * under lg.lock, writes out what the fd takes without blocking, and
 * returns. The lock is held for nothing longer than a memcpy and a
 * non-blocking write. What the fd does not take waits in the queue: the
 * next line's writer, or the main loop when the fd is writable again (an
 * edge-triggered EPOLLOUT watch, log_watch()), writes it out. A full
 * queue drops new lines and counts them; "N log lines dropped" follows
 * as soon as there is room.
 *
 * Non-blocking without touching stderr itself: O_NONBLOCK on fd 2 would
 * be set on its open file description, which other processes share (the
 * shell's terminal, the other writers of a pipe, the programs we exec)
 * and which they do not expect to fail with EAGAIN. log_open() takes a
 * private descriptor instead:
 *   socket (journald)     a dup, written with send(MSG_DONTWAIT)
 *   pipe, FIFO, terminal  reopened through /proc/self/fd/2 with
 *                         O_NONBLOCK: a new open file description of the
 *                         same pipe or terminal
 *   anything else         a dup: a regular file (its offset and O_APPEND
 *                         shared) takes writes without waiting for anyone
 * Where the reopen fails (no /proc), the dup is used and may block; a
 * warning says so.
 *
 * Before log_open() (the command line, the configuration) and after
 * log_close() there is one thread: lines go to fd 2 as they are.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "logq.h"

static struct {
	pthread_mutex_t lock;
	struct logq q;
	int fd; /* private, from log_open(); -1: fd 2 as it is */
	bool sock; /* send(MSG_DONTWAIT) */
	struct watch w;
} lg = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

/* Writes out what the fd takes now. lg.lock held. */
static void log_flush_locked(void)
{
	const char *p;
	ssize_t n;
	size_t len;

	while ((len = logq_peek(&lg.q, &p))) {
		if (lg.sock)
			n = send(lg.fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			n = write(lg.fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			/* no reader any more (EPIPE): nowhere to put them */
			logq_clear(&lg.q);
			return;
		}
		logq_consume(&lg.q, n);
	}
}

void log_flush(void)
{
	pthread_mutex_lock(&lg.lock);
	if (lg.fd >= 0)
		log_flush_locked();
	pthread_mutex_unlock(&lg.lock);
}

void log_vmsg(int pri, const char *who, const char *fmt, va_list ap)
{
	char msg[1024], line[1152];
	int n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (who && who[0])
		n = snprintf(line, sizeof(line), "<%d>pizwgd[%.64s]: %s\n", pri,
			     who, msg);
	else
		n = snprintf(line, sizeof(line), "<%d>pizwgd: %s\n", pri, msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (lg.fd < 0) {
		/* one thread: before log_open() or after log_close() */
		ssize_t w = write(STDERR_FILENO, line, n);

		(void)w;
		return;
	}
	pthread_mutex_lock(&lg.lock);
	logq_put(&lg.q, line, n);
	log_flush_locked();
	pthread_mutex_unlock(&lg.lock);
}

void log_msg(int pri, const char *who, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(pri, who, fmt, ap);
	va_end(ap);
}

int log_open(void)
{
	struct stat st;
	int fd = -1, reopen_err = 0;

	if (fstat(STDERR_FILENO, &st))
		return -errno;
	if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
		fd = open("/proc/self/fd/2",
			  O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			reopen_err = errno;
	}
	if (fd < 0)
		fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	logq_init(&lg.q);
	lg.sock = S_ISSOCK(st.st_mode);
	lg.fd = fd;
	if (reopen_err)
		log_warn(
			"",
			"log: cannot reopen stderr non-blocking (%s): a stalled log reader can stall pizwgd",
			strerror(reopen_err));
	return 0;
}

static void log_writable(struct watch *w, uint32_t events)
{
	(void)w;
	(void)events;
	log_flush();
}

int log_watch(struct loop *l)
{
	int ret;

	if (lg.fd < 0)
		return 0;
	watch_init(&lg.w, lg.fd, log_writable);
	/* edge-triggered: an fd with room would report it over and over */
	ret = watch_set(l, &lg.w, EPOLLOUT | EPOLLET);
	/* a regular file or /dev/null: never waits, cannot be watched */
	return ret == -EPERM ? 0 : ret;
}

bool log_limit_pass(struct log_limit *l, uint64_t now, uint64_t period_ms,
		    uint64_t *unlogged)
{
	if (now < l->next_ms) {
		l->unlogged++;
		return false;
	}
	*unlogged = l->unlogged;
	l->unlogged = 0;
	l->next_ms = now + period_ms;
	return true;
}

void log_close(unsigned int ms)
{
	struct pollfd p = { .fd = lg.fd, .events = POLLOUT };
	uint64_t end = now_ms() + ms, now;

	if (lg.fd < 0)
		return;
	/* the other threads are gone: lg.q is ours */
	for (;;) {
		log_flush();
		now = now_ms();
		if (!lg.q.len || now >= end)
			break;
		poll(&p, 1, (int)(end - now));
	}
	close(lg.fd);
	lg.fd = -1;
}
