// SPDX-License-Identifier: GPL-2.0-only
/*
 * The event loop (loop.c): no callback runs on an event whose watch an
 * earlier callback of the same batch deleted or changed, and a watch that
 * asks for nothing is not woken by EPOLLHUP/EPOLLERR.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop.h"
#include "unit.h"

struct probe {
	struct watch w;
	struct loop *l;
	struct probe *other;	/* what this one's callback deletes/changes */
	bool change;		/* change other's events instead of deleting */
	unsigned int calls;
	uint32_t events;
};

static void probe_fn(struct watch *w, uint32_t events)
{
	struct probe *p = container_of(w, struct probe, w);

	p->calls++;
	p->events = events;
	if (!p->other)
		return;
	if (p->change)
		watch_set(p->l, &p->other->w, EPOLLOUT);
	else
		watch_del(p->l, &p->other->w);
}

/* Two pipes, both readable; each probe's callback acts on the other. */
static void two_readable(struct loop *l, struct probe p[2], int fds[2][2],
			 bool change)
{
	int i;

	CHECK(!loop_init(l));
	for (i = 0; i < 2; i++) {
		CHECK(!pipe2(fds[i], O_NONBLOCK | O_CLOEXEC));
		CHECK(write(fds[i][1], "x", 1) == 1);
		watch_init(&p[i].w, fds[i][0], probe_fn);
		p[i].l = l;
		p[i].other = &p[1 - i];
		p[i].change = change;
		p[i].calls = 0;
		CHECK(!watch_set(l, &p[i].w, EPOLLIN));
	}
}

static void close_all(struct loop *l, int fds[2][2])
{
	int i;

	for (i = 0; i < 2; i++) {
		close(fds[i][0]);
		close(fds[i][1]);
	}
	loop_exit(l);
}

static void event_of_a_watch_deleted_earlier_in_the_batch_is_not_dispatched(void)
{
	struct loop l;
	struct probe p[2];
	int fds[2][2];

	two_readable(&l, p, fds, false);
	CHECK_INT(loop_run_once(&l, 1000), 2);
	/* whichever ran first deleted the other, whose event was stale */
	CHECK_INT(p[0].calls + p[1].calls, 1);
	/* and the deleted one stays silent */
	CHECK_INT(loop_run_once(&l, 0), 1);
	CHECK_INT(p[0].calls + p[1].calls, 2);
	close_all(&l, fds);
}

static void event_of_a_watch_changed_earlier_in_the_batch_is_not_dispatched(void)
{
	struct loop l;
	struct probe p[2];
	int fds[2][2];

	two_readable(&l, p, fds, true);
	CHECK_INT(loop_run_once(&l, 1000), 2);
	CHECK_INT(p[0].calls + p[1].calls, 1);
	close_all(&l, fds);
}

static void unchanged_watches_of_a_batch_are_all_dispatched(void)
{
	struct loop l;
	struct probe p[2];
	int fds[2][2];

	two_readable(&l, p, fds, false);
	p[0].other = p[1].other = NULL;
	CHECK_INT(loop_run_once(&l, 1000), 2);
	CHECK_INT(p[0].calls, 1);
	CHECK_INT(p[1].calls, 1);
	close_all(&l, fds);
}

static void watch_asking_for_nothing_is_not_woken_by_a_hangup(void)
{
	struct probe p = { 0 };
	struct loop l;
	int sv[2];

	CHECK(!loop_init(&l));
	CHECK(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
	watch_init(&p.w, sv[0], probe_fn);
	CHECK(!watch_set(&l, &p.w, EPOLLIN));
	close(sv[1]);
	CHECK(!watch_set(&l, &p.w, 0));
	CHECK_INT(loop_run_once(&l, 100), 0);
	CHECK_INT(p.calls, 0);
	/* asked for again, the hangup is reported at once */
	CHECK(!watch_set(&l, &p.w, EPOLLOUT));
	CHECK_INT(loop_run_once(&l, 1000), 1);
	CHECK_INT(p.calls, 1);
	CHECK(p.events & EPOLLHUP);
	close(sv[0]);
	loop_exit(&l);
}

static void deleting_a_watch_twice_is_harmless(void)
{
	struct probe p = { 0 };
	struct loop l;
	int fds[2];

	CHECK(!loop_init(&l));
	CHECK(!pipe2(fds, O_NONBLOCK | O_CLOEXEC));
	watch_init(&p.w, fds[0], probe_fn);
	CHECK(!watch_set(&l, &p.w, EPOLLIN));
	watch_del(&l, &p.w);
	watch_del(&l, &p.w);
	CHECK(!watch_set(&l, &p.w, EPOLLIN));
	CHECK(write(fds[1], "x", 1) == 1);
	CHECK_INT(loop_run_once(&l, 1000), 1);
	CHECK_INT(p.calls, 1);
	close(fds[0]);
	close(fds[1]);
	loop_exit(&l);
}

int main(void)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(event_of_a_watch_deleted_earlier_in_the_batch_is_not_dispatched),
		UNIT_TEST(event_of_a_watch_changed_earlier_in_the_batch_is_not_dispatched),
		UNIT_TEST(unchanged_watches_of_a_batch_are_all_dispatched),
		UNIT_TEST(watch_asking_for_nothing_is_not_woken_by_a_hangup),
		UNIT_TEST(deleting_a_watch_twice_is_harmless),
	};

	return unit_main("test_loop", tests, sizeof(tests) / sizeof(tests[0]));
}
