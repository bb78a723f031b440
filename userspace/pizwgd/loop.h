/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The event loop: epoll over file descriptors, each with a callback, and
 * one-shot timers on CLOCK_MONOTONIC built on timerfd. Single-threaded.
 */
#ifndef PIZWGD_LOOP_H
#define PIZWGD_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop {
	int epfd;
	bool stop;
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
void loop_stop(struct loop *l);

void watch_init(struct watch *w, int fd, watch_fn fn);
/* Sets what @w waits for (0 = nothing); adds it to the loop the first time. */
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
