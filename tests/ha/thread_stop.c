// SPDX-License-Identifier: GPL-2.0-only
/*
 * thread_stop TID: stops one thread of a process while its other threads
 * run on, for tests/ha/hostile.sh's stale-batch ordering (pizwgd's main
 * thread held while its VRRP thread queues a STOP_SERVING message, then a
 * client's bytes arrive). SIGSTOP cannot do that: it stops every thread.
 *
 * PTRACE_SEIZE + PTRACE_INTERRUPT put only TID in a ptrace stop. Prints
 * "stopped" once it is, then waits for end of file on stdin (or 60 s, a
 * bound for a test that dies) and detaches, which lets the thread run on.
 * If this process is killed instead, the kernel detaches the thread too.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define HOLD_MAX_MS 60000

int main(int argc, char **argv)
{
	struct pollfd pfd = { .fd = 0, .events = POLLIN };
	char buf[64];
	char *end;
	long tid;
	int st;

	if (argc != 2) {
		fprintf(stderr, "usage: thread_stop TID\n");
		return 2;
	}
	errno = 0;
	tid = strtol(argv[1], &end, 10);
	if (errno || *end || end == argv[1] || tid <= 0) {
		fprintf(stderr, "thread_stop: not a thread id: %s\n", argv[1]);
		return 2;
	}
	if (ptrace(PTRACE_SEIZE, (pid_t)tid, NULL, NULL) ||
	    ptrace(PTRACE_INTERRUPT, (pid_t)tid, NULL, NULL)) {
		fprintf(stderr, "thread_stop: %ld: %s\n", tid, strerror(errno));
		return 1;
	}
	if (waitpid((pid_t)tid, &st, __WALL) < 0 || !WIFSTOPPED(st)) {
		fprintf(stderr, "thread_stop: %ld did not stop\n", tid);
		return 1;
	}
	printf("stopped\n");
	fflush(stdout);
	while (poll(&pfd, 1, HOLD_MAX_MS) > 0 && read(0, buf, sizeof(buf)) > 0)
		;
	if (ptrace(PTRACE_DETACH, (pid_t)tid, NULL, NULL)) {
		fprintf(stderr, "thread_stop: detach %ld: %s\n", tid,
			strerror(errno));
		return 1;
	}
	return 0;
}
