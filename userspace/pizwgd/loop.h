/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The event loop: epoll over file descriptors, each with a callback, and
 * one-shot timers on CLOCK_MONOTONIC built on timerfd. Single-threaded.
 *
 * Two rules keep a callback from running on a stale event:
 * - An event of the current epoll batch whose watch was deleted or changed
 *   by an earlier callback of the same batch is not dispatched. A condition
 *   that still holds (and is still asked for) is reported again by the next
 *   epoll_wait(): level-triggered watches report it anyway, and adding or
 *   changing a watch makes epoll check it afresh, edge-triggered ones (the
 *   log's, log.c) included. Nothing is lost.
 * - A watch that asks for nothing leaves epoll altogether, so that
 *   EPOLLHUP and EPOLLERR, which epoll reports whatever the interest set,
 *   cannot wake the loop for a descriptor nobody wants to hear from.
 */
#ifndef PIZWGD_LOOP_H
#define PIZWGD_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

#define LOOP_BATCH 16

struct loop {
	int epfd;
	bool stop;
	/* the batch being dispatched: watch_del/watch_set forget its rest */
	struct epoll_event batch[LOOP_BATCH];
	int batch_n, batch_i;
};

struct watch;
typedef void (*watch_fn)(struct watch *w, uint32_t events);

/* A descriptor the loop watches; embed it and use container_of. */
struct watch {
	int fd;
	uint32_t events;	/* EPOLLIN / EPOLLOUT currently asked for */
	watch_fn fn;
	bool added;
};

/* A one-shot timer; embed it and use container_of. */
struct timer {
	struct watch w;
	void (*fn)(struct timer *t);
};

int loop_init(struct loop *l);
void loop_exit(struct loop *l);
/* Runs until loop_stop(); returns 0, or -errno if epoll failed. */
int loop_run(struct loop *l);
/*
 * Waits up to @timeout_ms (-1: for ever) and dispatches one batch; returns
 * the number of events epoll reported, or -errno.
 */
int loop_run_once(struct loop *l, int timeout_ms);
void loop_stop(struct loop *l);

void watch_init(struct watch *w, int fd, watch_fn fn);
/*
 * Sets what @w waits for; adds it to the loop the first time, and takes it
 * out again (as watch_del) when @events is 0.
 */
int watch_set(struct loop *l, struct watch *w, uint32_t events);
void watch_del(struct loop *l, struct watch *w);

int timer_init(struct loop *l, struct timer *t, void (*fn)(struct timer *t));
void timer_exit(struct loop *l, struct timer *t);
/* Fires once, @ms milliseconds from now; replaces any earlier arming. */
int timer_arm(struct timer *t, uint64_t ms);
void timer_cancel(struct timer *t);

uint64_t now_ms(void);

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

#endif
