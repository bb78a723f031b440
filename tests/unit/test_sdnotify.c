// SPDX-License-Identifier: GPL-2.0-only
/*
 * sdnotify.c against sockets of its own: a datagram socket bound to a path
 * in a temporary directory, or to an abstract name, stands in for systemd's
 * notification socket; $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID are
 * set as systemd sets them. Each test reads exactly the datagrams it expects
 * (non-blocking: a unix datagram is queued by the time sendto() returns).
 */
#include <errno.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sdnotify.h"
#include "unit.h"

static char dir[] = "/tmp/test_sdnotify.XXXXXX";
static char path[sizeof(dir) + 16];

/* A datagram socket bound to @name ('@' for abstract), or -1. */
static int listen_on(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(name);
	int fd;

	if (len > sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, name, len);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	else
		len++;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa,
		 offsetof(struct sockaddr_un, sun_path) + len)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The next datagram on @fd as a string, or NULL when none is queued. */
static const char *next_datagram(int fd)
{
	static char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

/* A socket at a fresh path in dir, with $NOTIFY_SOCKET naming it. */
static int path_socket(void)
{
	int fd;

	unlink(path);
	fd = listen_on(path);
	CHECK(fd >= 0);
	CHECK(!setenv("NOTIFY_SOCKET", path, 1));
	return fd;
}

static void ready_sends_READY_1_to_a_path_socket(void)
{
	int fd = path_socket();

	CHECK_INT(sd_notify_ready(), 1);
	CHECK_STR(next_datagram(fd), "READY=1");
	CHECK(!next_datagram(fd));
	close(fd);
}

static void watchdog_sends_WATCHDOG_1(void)
{
	int fd = path_socket();

	CHECK_INT(sd_notify_watchdog(), 1);
	CHECK_STR(next_datagram(fd), "WATCHDOG=1");
	CHECK(!next_datagram(fd));
	close(fd);
}

/*
 * A receiver that reads nothing (systemd stalled): its queue fills, and
 * then a ping fails with -EAGAIN instead of waiting. alarm() ends the
 * test (SIGALRM) if a ping blocks.
 */
static void watchdog_on_a_full_socket_fails_instead_of_waiting(void)
{
	int fd = path_socket(), ret = 1, i;

	alarm(10);
	for (i = 0; i < 100000 && ret == 1; i++)
		ret = sd_notify_watchdog();
	alarm(0);
	close(fd);
	CHECK_INT(ret, -EAGAIN);
	CHECK(i > 1);
}

static void stopping_sends_STOPPING_1(void)
{
	int fd = path_socket();

	CHECK_INT(sd_notify_stopping(), 1);
	CHECK_STR(next_datagram(fd), "STOPPING=1");
	CHECK(!next_datagram(fd));
	close(fd);
}

static void each_call_sends_one_datagram_in_order(void)
{
	int fd = path_socket();

	CHECK_INT(sd_notify_ready(), 1);
	CHECK_INT(sd_notify_watchdog(), 1);
	CHECK_INT(sd_notify_watchdog(), 1);
	CHECK_INT(sd_notify_stopping(), 1);
	CHECK_STR(next_datagram(fd), "READY=1");
	CHECK_STR(next_datagram(fd), "WATCHDOG=1");
	CHECK_STR(next_datagram(fd), "WATCHDOG=1");
	CHECK_STR(next_datagram(fd), "STOPPING=1");
	CHECK(!next_datagram(fd));
	close(fd);
}

static void abstract_name_with_at_sign_gets_the_datagram(void)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "@pizwg-test-sdnotify-%d", (int)getpid());
	fd = listen_on(name);
	CHECK(fd >= 0);
	CHECK(!setenv("NOTIFY_SOCKET", name, 1));
	CHECK_INT(sd_notify_ready(), 1);
	CHECK_STR(next_datagram(fd), "READY=1");
	close(fd);
}

/* An abstract name fills sun_path exactly: 108 bytes, '@' included. */
static void abstract_name_of_108_bytes_works_109_is_refused(void)
{
	struct sockaddr_un sa;
	char name[sizeof(sa.sun_path) + 2];
	int fd;

	memset(name, 'x', sizeof(name));
	name[0] = '@';
	snprintf(name + 1, 12, "%011d", (int)getpid());
	name[12] = 'x';
	name[sizeof(sa.sun_path)] = '\0';
	fd = listen_on(name);
	CHECK(fd >= 0);
	CHECK(!setenv("NOTIFY_SOCKET", name, 1));
	CHECK_INT(sd_notify_watchdog(), 1);
	CHECK_STR(next_datagram(fd), "WATCHDOG=1");
	name[sizeof(sa.sun_path)] = 'x';
	name[sizeof(sa.sun_path) + 1] = '\0';
	CHECK(!setenv("NOTIFY_SOCKET", name, 1));
	CHECK_INT(sd_notify_watchdog(), -ENAMETOOLONG);
	CHECK(!next_datagram(fd));
	close(fd);
}

static void path_longer_than_sun_path_is_refused(void)
{
	struct sockaddr_un sa;
	char name[sizeof(sa.sun_path) + 1];

	memset(name, 'a', sizeof(name));
	name[0] = '/';
	name[sizeof(sa.sun_path)] = '\0';
	CHECK(!setenv("NOTIFY_SOCKET", name, 1));
	CHECK_INT(sd_notify_ready(), -ENAMETOOLONG);
}

static void without_NOTIFY_SOCKET_nothing_is_sent_and_0_returned(void)
{
	int fd = path_socket();

	CHECK(!unsetenv("NOTIFY_SOCKET"));
	CHECK_INT(sd_notify_ready(), 0);
	CHECK_INT(sd_notify_watchdog(), 0);
	CHECK(!setenv("NOTIFY_SOCKET", "", 1));
	CHECK_INT(sd_notify_stopping(), 0);
	CHECK(!next_datagram(fd));
	close(fd);
}

static void relative_or_vsock_address_is_refused(void)
{
	CHECK(!setenv("NOTIFY_SOCKET", "run/notify", 1));
	CHECK_INT(sd_notify_ready(), -EAFNOSUPPORT);
	CHECK(!setenv("NOTIFY_SOCKET", "vsock:2:1234", 1));
	CHECK_INT(sd_notify_ready(), -EAFNOSUPPORT);
}

static void missing_socket_gives_the_errno_of_sendto(void)
{
	char name[64];

	unlink(path);
	CHECK(!setenv("NOTIFY_SOCKET", path, 1));
	CHECK_INT(sd_notify_ready(), -ENOENT);
	snprintf(name, sizeof(name), "@pizwg-test-sdnotify-none-%d",
		 (int)getpid());
	CHECK(!setenv("NOTIFY_SOCKET", name, 1));
	CHECK_INT(sd_notify_ready(), -ECONNREFUSED);
}

static void set_watchdog(const char *usec, const char *pid)
{
	if (usec)
		CHECK(!setenv("WATCHDOG_USEC", usec, 1));
	else
		CHECK(!unsetenv("WATCHDOG_USEC"));
	if (pid)
		CHECK(!setenv("WATCHDOG_PID", pid, 1));
	else
		CHECK(!unsetenv("WATCHDOG_PID"));
}

static void watchdog_interval_is_WATCHDOG_USEC_in_ms(void)
{
	set_watchdog("10000000", NULL);
	CHECK_INT(sd_watchdog_interval_ms(), 10000);
	set_watchdog("2500999", NULL);
	CHECK_INT(sd_watchdog_interval_ms(), 2500);
	set_watchdog("999", NULL);
	CHECK_INT(sd_watchdog_interval_ms(), 1);
}

static void watchdog_interval_holds_for_our_WATCHDOG_PID_only(void)
{
	char pid[32];

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	set_watchdog("10000000", pid);
	CHECK_INT(sd_watchdog_interval_ms(), 10000);
	snprintf(pid, sizeof(pid), "%d", (int)getpid() + 1);
	set_watchdog("10000000", pid);
	CHECK_INT(sd_watchdog_interval_ms(), 0);
	set_watchdog("10000000", "1x");
	CHECK_INT(sd_watchdog_interval_ms(), 0);
}

static void no_or_malformed_WATCHDOG_USEC_means_no_watchdog(void)
{
	static const char *const bad[] = {
		"", "0", "-5", "+5", " 5", "5 ", "5s", "0x10",
		"99999999999999999999999",
	};
	size_t i;

	set_watchdog(NULL, NULL);
	CHECK_INT(sd_watchdog_interval_ms(), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		set_watchdog(bad[i], NULL);
		if (sd_watchdog_interval_ms())
			unit_fail(__FILE__, __LINE__,
				  "WATCHDOG_USEC=\"%s\" gave an interval%s",
				  bad[i], "");
	}
}

int main(void)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(ready_sends_READY_1_to_a_path_socket),
		UNIT_TEST(watchdog_sends_WATCHDOG_1),
		UNIT_TEST(watchdog_on_a_full_socket_fails_instead_of_waiting),
		UNIT_TEST(stopping_sends_STOPPING_1),
		UNIT_TEST(each_call_sends_one_datagram_in_order),
		UNIT_TEST(abstract_name_with_at_sign_gets_the_datagram),
		UNIT_TEST(abstract_name_of_108_bytes_works_109_is_refused),
		UNIT_TEST(path_longer_than_sun_path_is_refused),
		UNIT_TEST(without_NOTIFY_SOCKET_nothing_is_sent_and_0_returned),
		UNIT_TEST(relative_or_vsock_address_is_refused),
		UNIT_TEST(missing_socket_gives_the_errno_of_sendto),
		UNIT_TEST(watchdog_interval_is_WATCHDOG_USEC_in_ms),
		UNIT_TEST(watchdog_interval_holds_for_our_WATCHDOG_PID_only),
		UNIT_TEST(no_or_malformed_WATCHDOG_USEC_means_no_watchdog),
	};
	int ret;

	if (!mkdtemp(dir)) {
		perror("test_sdnotify: mkdtemp");
		return EXIT_FAILURE;
	}
	snprintf(path, sizeof(path), "%s/notify", dir);
	ret = unit_main("test_sdnotify", tests,
			sizeof(tests) / sizeof(tests[0]));
	unlink(path);
	rmdir(dir);
	return ret;
}
