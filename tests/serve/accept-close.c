// SPDX-License-Identifier: GPL-2.0-only
/*
 * accept-close ADDR PORT COUNT: the plainest TCP server, the yardstick of
 * tests/serve/hostile.sh's flood: accepts COUNT connections and closes each
 * at once, then prints the CPU time it used, in nanoseconds (thread CPU
 * clock, the same measure as /proc/PID/schedstat's first field).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timespec ts;
	long count, i;
	int one = 1, s, fd;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "usage: accept-close ADDR PORT COUNT\n");
		return 2;
	}
	sa.sin_port = htons(atoi(argv[2]));
	count = atol(argv[3]);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 8)) {
		perror("accept-close: listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	for (i = 0; i < count; i++) {
		fd = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			perror("accept-close: accept");
			return 1;
		}
		close(fd);
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	printf("%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	return 0;
}
