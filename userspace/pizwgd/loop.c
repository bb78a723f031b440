// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int loop_init(struct loop *l)
{
	l->stop = false;
	l->batch_n = l->batch_i = 0;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	return l->epfd < 0 ? -errno : 0;
}

void loop_exit(struct loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}

int loop_run_once(struct loop *l, int timeout_ms)
{
	struct watch *w;
	int n;

	n = epoll_wait(l->epfd, l->batch, LOOP_BATCH, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	l->batch_n = n;
	for (l->batch_i = 0; l->batch_i < n && !l->stop; l->batch_i++) {
		w = l->batch[l->batch_i].data.ptr;
		if (w)
			w->fn(w, l->batch[l->batch_i].events);
	}
	l->batch_n = 0;
	return n;
}

int loop_run(struct loop *l)
{
	int n;

	while (!l->stop) {
		n = loop_run_once(l, -1);
		if (n < 0)
			return n;
	}
	return 0;
}

/* @w's events still waiting in this batch are stale: drop them. */
static void loop_forget(struct loop *l, const struct watch *w)
{
	int i;

	for (i = l->batch_i + 1; i < l->batch_n; i++)
		if (l->batch[i].data.ptr == w)
			l->batch[i].data.ptr = NULL;
}

void watch_init(struct watch *w, int fd, watch_fn fn)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->fn = fn;
}

int watch_set(struct loop *l, struct watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };
	int op = w->added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;

	if (!events) {
		watch_del(l, w);
		return 0;
	}
	if (w->added && w->events == events)
		return 0;
	if (epoll_ctl(l->epfd, op, w->fd, &ev))
		return -errno;
	loop_forget(l, w);
	w->added = true;
	w->events = events;
	return 0;
}

void watch_del(struct loop *l, struct watch *w)
{
	if (w->added)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	loop_forget(l, w);
	w->added = false;
	w->events = 0;
}

static void timer_fired(struct watch *w, uint32_t events)
{
	struct timer *t = container_of(w, struct timer, w);
	uint64_t count;

	(void)events;
	if (read(w->fd, &count, sizeof(count)) != sizeof(count))
		return;	/* disarmed or re-armed meanwhile */
	t->fn(t);
}

int timer_init(struct loop *l, struct timer *t, void (*fn)(struct timer *t))
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	watch_init(&t->w, fd, timer_fired);
	t->fn = fn;
	return watch_set(l, &t->w, EPOLLIN);
}

void timer_exit(struct loop *l, struct timer *t)
{
	watch_del(l, &t->w);
	if (t->w.fd >= 0)
		close(t->w.fd);
	t->w.fd = -1;
}

int timer_arm(struct timer *t, uint64_t ms)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = ms / 1000;
	its.it_value.tv_nsec = (ms % 1000) * 1000000;
	/* An all-zero it_value would disarm: fire after 1 ns instead. */
	if (!ms)
		its.it_value.tv_nsec = 1;
	return timerfd_settime(t->w.fd, 0, &its, NULL) ? -errno : 0;
}

void timer_cancel(struct timer *t)
{
	struct itimerspec its = { 0 };

	timerfd_settime(t->w.fd, 0, &its, NULL);
}
