// SPDX-License-Identifier: GPL-2.0-only
/*
 * The connection flood of tests/serve/hostile.sh, and its yardstick:
 *
 *   flood connect SRC ADDR PORT COUNT PROCS
 *	COUNT connections from SRC to ADDR:PORT, made by PROCS processes at
 *	once, each one after another, each closed (with a reset, so no
 *	TIME_WAIT piles up) once it is made or refused.
 *   flood serve ADDR PORT IDLE_MS
 *	the plainest TCP server: accepts connections and closes each at once,
 *	until none came for IDLE_MS; then prints how many it accepted and the
 *	CPU time it used in nanoseconds (the thread CPU clock, as
 *	/proc/PID/task/TID/schedstat's first field). A flood loses a few
 *	connections on the way (SYN cookies when the backlog is full), so it
 *	does not wait for a number of them.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int addr_of(const char *ip, const char *port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(atoi(port));
	return inet_pton(AF_INET, ip, &sa->sin_addr) == 1 ? 0 : -1;
}

static int connect_n(const struct sockaddr_in *src,
		     const struct sockaddr_in *dst, long count)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	long i;
	int s;

	for (i = 0; i < count; i++) {
		s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0 || bind(s, (const struct sockaddr *)src, sizeof(*src))) {
			perror("flood: socket");
			return 1;
		}
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		connect(s, (const struct sockaddr *)dst, sizeof(*dst));
		close(s);
	}
	return 0;
}

static int flood_connect(char **argv)
{
	struct sockaddr_in src, dst;
	long count, procs, p;
	int status, ret = 0;
	pid_t pid;

	if (addr_of(argv[0], "0", &src) || addr_of(argv[1], argv[2], &dst))
		return 2;
	count = atol(argv[3]);
	procs = atol(argv[4]);
	if (count < 1 || procs < 1 || procs > 64)
		return 2;
	for (p = 0; p < procs; p++) {
		pid = fork();
		if (pid < 0) {
			perror("flood: fork");
			return 1;
		}
		if (!pid)
			_exit(connect_n(&src, &dst,
					count / procs + (p < count % procs)));
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			ret = 1;
	return ret;
}

static int flood_serve(char **argv)
{
	struct sockaddr_in sa;
	struct timespec ts;
	struct pollfd p;
	long accepted = 0;
	int one = 1, idle_ms, s, fd;

	if (addr_of(argv[0], argv[1], &sa))
		return 2;
	idle_ms = atoi(argv[2]);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 8)) {
		perror("flood: listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	p.fd = s;
	p.events = POLLIN;
	while (poll(&p, 1, idle_ms) > 0) {
		fd = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			perror("flood: accept");
			return 1;
		}
		close(fd);
		accepted++;
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	printf("%ld %lld\n", accepted,
	       (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	return 0;
}

int main(int argc, char **argv)
{
	int ret = 2;

	if (argc == 7 && !strcmp(argv[1], "connect"))
		ret = flood_connect(argv + 2);
	else if (argc == 5 && !strcmp(argv[1], "serve"))
		ret = flood_serve(argv + 2);
	if (ret == 2)
		fprintf(stderr, "usage: flood connect SRC ADDR PORT COUNT PROCS | flood serve ADDR PORT IDLE_MS\n");
	return ret;
}
