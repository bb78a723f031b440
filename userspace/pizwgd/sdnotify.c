// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sdnotify.h"

/* $NOTIFY_SOCKET as a sockaddr_un; its length, or a negative errno. */
static int notify_address(const char *name, struct sockaddr_un *sa)
{
	size_t len = strlen(name);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (name[0] != '/' && name[0] != '@')
		return -EAFNOSUPPORT;
	/* a path needs room for its NUL; '@' becomes an abstract name's NUL */
	if (len >= sizeof(sa->sun_path) + (name[0] == '@'))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, name, len);
	if (name[0] == '@') {
		sa->sun_path[0] = '\0';
		return offsetof(struct sockaddr_un, sun_path) + len;
	}
	return offsetof(struct sockaddr_un, sun_path) + len + 1;
}

static int notify(const char *msg)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	int fd, salen, ret = 1;

	if (!name || !name[0])
		return 0;
	salen = notify_address(name, &sa);
	if (salen < 0)
		return salen;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* never wait: a stalled systemd must not stall the loop pinging it */
	if (sendto(fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL,
		   (struct sockaddr *)&sa, salen) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int sd_notify_ready(void)
{
	return notify("READY=1");
}

int sd_notify_watchdog(void)
{
	return notify("WATCHDOG=1");
}

int sd_notify_stopping(void)
{
	return notify("STOPPING=1");
}

/* A positive decimal number without sign or junk, else 0. */
static unsigned long long positive_number(const char *s)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return 0;
	return v;
}

uint64_t sd_watchdog_interval_ms(void)
{
	unsigned long long usec = positive_number(getenv("WATCHDOG_USEC"));
	const char *pid = getenv("WATCHDOG_PID");

	if (!usec)
		return 0;
	if (pid && positive_number(pid) != (unsigned long long)getpid())
		return 0;
	return usec < 1000 ? 1 : usec / 1000;
}
