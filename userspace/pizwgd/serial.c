// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "serial.h"

static const struct {
	unsigned int bps;
	speed_t speed;
} serial_speeds[] = {
	{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 },
	{ 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 },
	{ 115200, B115200 }, { 230400, B230400 }, { 460800, B460800 },
	{ 500000, B500000 }, { 576000, B576000 }, { 921600, B921600 },
	{ 1000000, B1000000 }, { 1152000, B1152000 }, { 1500000, B1500000 },
	{ 2000000, B2000000 }, { 2500000, B2500000 }, { 3000000, B3000000 },
	{ 3500000, B3500000 }, { 4000000, B4000000 },
};

static int serial_speed(unsigned int bps, speed_t *speed)
{
	size_t i;

	for (i = 0; i < sizeof(serial_speeds) / sizeof(serial_speeds[0]); i++) {
		if (serial_speeds[i].bps == bps) {
			*speed = serial_speeds[i].speed;
			return 0;
		}
	}
	return -EINVAL;
}

int serial_open(const char *tty, unsigned int baud, char *err, size_t errlen)
{
	struct termios t;
	char path[64];
	speed_t speed;
	int fd, ret;

	if (serial_speed(baud, &speed)) {
		snprintf(err, errlen, "%u bps is not a termios speed", baud);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "/dev/%s", tty);
	fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (ioctl(fd, TIOCEXCL) || tcgetattr(fd, &t))
		goto fail;
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag &= ~(CSTOPB | CRTSCTS);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (cfsetispeed(&t, speed) || cfsetospeed(&t, speed) ||
	    tcsetattr(fd, TCSANOW, &t) || tcflush(fd, TCIOFLUSH))
		goto fail;
	return fd;
fail:
	ret = -errno;
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	close(fd);
	return ret;
}
