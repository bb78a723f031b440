// SPDX-License-Identifier: GPL-2.0-only
/*
 * fakestick: plays a Z-Wave USB stick on the gadget side (/dev/ttyGSn) of
 * the test VM's simulated sticks, so that pizwgd, relaying the host side
 * (/dev/ttyACMn), can be tested end to end without hardware.
 *
 *   fakestick [--mode zwave|echo|sink|source] [--bytes N] [--seed S]
 *             [--baud B] [--verbose] DEVICE
 *
 * DEVICE is opened raw (cfmakeraw, B baud, 115200 by default) and exclusive
 * (TIOCEXCL, and flock(LOCK_EX) which binds root too). Modes:
 *
 *   zwave   (default) a Serial API controller (zwave.h): ACK for every data
 *           frame, then a response frame for the requests it knows; NAK for
 *           a bad checksum; incoming ACK, NAK, CAN and garbage are ignored.
 *           A frame still incomplete 1500 ms after its SOF is dropped.
 *           --verbose logs one line per event to stderr.
 *   echo    writes back every byte it reads.
 *   sink    reads and discards; at EOF, on SIGTERM/SIGINT, or after exactly
 *           N bytes with --bytes N, prints "sink COUNT SHA256HEX" on stdout.
 *   source  writes N bytes (--bytes N, required) from the generator below,
 *           prints "source N SHA256HEX" on stdout once the device has taken
 *           them all, then keeps the device open until SIGTERM/SIGINT.
 *           --rate R paces it to R bytes per second (in 20 ms slices), as
 *           a real stick's line rate would: see the note at write_source().
 *
 * The source generator is xorshift64* seeded with S (--seed, non-zero,
 * default 1): state x = S; per 8 bytes, x ^= x >> 12, x ^= x << 25,
 * x ^= x >> 27, then x * 0x2545F4914F6CDD1D is emitted little endian; the
 * last word is cut to what N leaves.
 *
 * A hangup (the USB host going away: port power off, unplug) makes zwave and
 * echo reopen DEVICE every 100 ms until it is back; it is sink's EOF; and it
 * fails source while it is still writing.
 *
 * Exit status: 0 done or stopped by SIGTERM/SIGINT, 1 I/O error (one line
 * naming the device and the reason), 2 usage error (one line).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "zwave.h"

#define PROG "fakestick"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define EXIT_IO 1
#define EXIT_USAGE 2

#define REOPEN_MS 100
#define DRAIN_POLL_MS 10
#define IO_BUF_SIZE 65536

enum mode {
	MODE_ZWAVE,
	MODE_ECHO,
	MODE_SINK,
	MODE_SOURCE,
};

static const char *const mode_names[] = {
	[MODE_ZWAVE] = "zwave",
	[MODE_ECHO] = "echo",
	[MODE_SINK] = "sink",
	[MODE_SOURCE] = "source",
};

struct opts {
	enum mode mode;
	bool verbose;
	bool has_bytes;
	uint64_t bytes;
	bool has_seed;
	uint64_t seed;
	uint64_t rate; /* source: bytes per second, 0 = as fast as it can */
	speed_t speed;
	const char *device;
};

struct port {
	const char *path;
	speed_t speed;
	int fd;
};

/* What an I/O helper ran into, besides success. */
enum {
	IO_STOP = -1, /* SIGTERM or SIGINT */
	IO_HANGUP = -2, /* EOF or EIO: the other side went away */
	IO_ERROR = -3, /* already reported */
	IO_TIMEOUT = -4,
};

static volatile sig_atomic_t stopped;

/* The signal mask while waiting: SIGTERM and SIGINT let through. */
static sigset_t wait_mask;

static void log_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", PROG);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", PROG);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (try '%s --help')\n", PROG);
	va_end(ap);
	return EXIT_USAGE;
}

static void print_usage(void)
{
	printf("usage: %s [--mode zwave|echo|sink|source] [--bytes N] [--seed S]\n"
	       "                 [--rate R] [--baud B] [--verbose] DEVICE\n"
	       "       %s --help\n"
	       "\n"
	       "Plays a Z-Wave stick on DEVICE (the gadget side /dev/ttyGSn of a\n"
	       "simulated stick), opened raw and exclusive.\n"
	       "\n"
	       "  --mode zwave   answer Serial API frames: ACK, NAK, and the\n"
	       "                 responses to GetControllerVersion (0x15),\n"
	       "                 SerialApiGetInitData (0x02) and MemoryGetId\n"
	       "                 (0x20) (the default)\n"
	       "  --mode echo    write back every byte read\n"
	       "  --mode sink    read and discard; at EOF, SIGTERM, or after N\n"
	       "                 bytes, print \"sink COUNT SHA256\"\n"
	       "  --mode source  write N pseudo-random bytes (xorshift64* seeded\n"
	       "                 with S, 8 bytes little endian per step), print\n"
	       "                 \"source N SHA256\", stay open until SIGTERM\n"
	       "  --bytes N      sink: stop after exactly N bytes; source: write N\n"
	       "  --seed S       source: non-zero seed (default 1)\n"
	       "  --rate R       source: at most R bytes per second (default:\n"
	       "                 as fast as the device takes them)\n"
	       "  --baud B       line speed (default 115200)\n"
	       "  --verbose      zwave: log one line per frame to stderr\n"
	       "  --help         print this help\n"
	       "\n"
	       "zwave and echo reopen DEVICE after a hangup.\n"
	       "Exit status: 0 done or stopped by SIGTERM/SIGINT, 1 I/O error,\n"
	       "2 usage error.\n",
	       PROG, PROG);
}

static void on_signal(int sig)
{
	(void)sig;
	stopped = 1;
}

/*
 * SIGTERM and SIGINT stay blocked except inside ppoll() and sigsuspend(),
 * so that a signal cannot slip in between checking `stopped` and waiting.
 */
static int setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	if (sigprocmask(SIG_BLOCK, &block, &wait_mask))
		return -1;
	sigdelset(&wait_mask, SIGTERM);
	sigdelset(&wait_mask, SIGINT);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL))
		return -1;
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	ppoll(NULL, 0, &ts, &wait_mask);
}

/*
 * Waits until @fd is ready for @events or @timeout_ms (-1: no limit) pass.
 * Returns 0, or IO_STOP, IO_TIMEOUT or IO_ERROR.
 */
static int wait_fd(const struct port *port, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = port->fd, .events = events };
	struct timespec ts = { timeout_ms / 1000,
			       (timeout_ms % 1000) * 1000000L };
	int n;

	if (stopped)
		return IO_STOP;
	n = ppoll(&pfd, 1, timeout_ms < 0 ? NULL : &ts, &wait_mask);
	if (stopped)
		return IO_STOP;
	if (n < 0 && errno == EINTR)
		return 0;
	if (n < 0) {
		log_msg("%s: poll: %s", port->path, strerror(errno));
		return IO_ERROR;
	}
	return n ? 0 : IO_TIMEOUT;
}

static int report_io(const struct port *port, const char *what, int err)
{
	if (err == EIO)
		return IO_HANGUP;
	log_msg("%s: %s: %s", port->path, what, strerror(err));
	return IO_ERROR;
}

/*
 * Reads what is there, at most @size bytes, waiting up to @timeout_ms for
 * the first. Returns the count, or IO_STOP, IO_HANGUP, IO_ERROR, IO_TIMEOUT.
 */
static ssize_t read_port(const struct port *port, void *buf, size_t size,
			 int timeout_ms)
{
	ssize_t n;
	int ret;

	for (;;) {
		if (stopped)
			return IO_STOP;
		n = read(port->fd, buf, size);
		if (n > 0)
			return n;
		if (n == 0)
			return IO_HANGUP;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return report_io(port, "read", errno);
		ret = wait_fd(port, POLLIN, timeout_ms);
		if (ret)
			return ret;
	}
}

/* Writes all @n bytes. Returns 0, IO_STOP, IO_HANGUP or IO_ERROR. */
static int write_port(const struct port *port, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	ssize_t done;
	int ret;

	while (n) {
		if (stopped)
			return IO_STOP;
		done = write(port->fd, p, n);
		if (done > 0) {
			p += done;
			n -= done;
			continue;
		}
		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0 && errno != EAGAIN)
			return report_io(port, "write", errno);
		ret = wait_fd(port, POLLOUT, -1);
		if (ret)
			return ret;
	}
	return 0;
}

static int set_raw(int fd, speed_t speed)
{
	struct termios tio;

	if (tcgetattr(fd, &tio))
		return -1;
	cfmakeraw(&tio);
	tio.c_cflag |= CLOCAL | CREAD;
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	if (cfsetispeed(&tio, speed) || cfsetospeed(&tio, speed))
		return -1;
	return tcsetattr(fd, TCSANOW, &tio);
}

/* Opens the device; reports why not unless @quiet. Returns 0 or -1. */
static int open_port(struct port *port, bool quiet)
{
	const char *what = "open";
	int fd, err;

	fd = open(port->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	what = "lock";
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno == EWOULDBLOCK)
			errno = EBUSY;
		goto fail_close;
	}
	what = "TIOCEXCL";
	if (ioctl(fd, TIOCEXCL))
		goto fail_close;
	what = "set raw mode";
	if (set_raw(fd, port->speed))
		goto fail_close;
	port->fd = fd;
	return 0;

fail_close:
	err = errno;
	close(fd);
	errno = err;
fail:
	if (!quiet)
		log_msg("%s: %s: %s", port->path, what, strerror(errno));
	return -1;
}

static void close_port(struct port *port)
{
	if (port->fd >= 0)
		close(port->fd);
	port->fd = -1;
}

/* After a hangup: retries until the device is back. 0, or IO_STOP. */
static int reopen_port(struct port *port, bool verbose)
{
	close_port(port);
	log_msg("%s: hung up; reopening", port->path);
	for (;;) {
		/* also paces a device that hangs up again at once */
		sleep_ms(REOPEN_MS);
		if (stopped)
			return IO_STOP;
		if (!open_port(port, true))
			break;
	}
	if (verbose)
		log_msg("%s: reopened", port->path);
	return 0;
}

static void hex(char *out, size_t size, const uint8_t *buf, size_t n)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < n && used + 4 <= size; i++)
		used += snprintf(out + used, size - used, "%s%02x",
				 i ? " " : "", buf[i]);
}

static void log_event(const struct zw_event *ev, const uint8_t *out, size_t n)
{
	char tx[3 * ZW_ANSWER_MAX + 1], rx[3 * ZW_FRAME_MAX + 1];
	uint8_t frame[ZW_FRAME_MAX];
	size_t len;

	hex(tx, sizeof(tx), out, n);
	if (ev->type != ZW_EV_FRAME && ev->type != ZW_EV_BAD_CHECKSUM) {
		log_msg("rx %s 0x%02x, tx [%s]", zw_event_name(ev->type),
			ev->byte, tx);
		return;
	}
	len = zw_build(frame, sizeof(frame), &ev->frame);
	frame[len - 1] = ev->byte;
	hex(rx, sizeof(rx), frame, len);
	log_msg("rx %s type 0x%02x func 0x%02x [%s], tx [%s]",
		zw_event_name(ev->type), ev->frame.type, ev->frame.func, rx,
		tx);
}

/* Answers every event in @buf. Returns 0 or what write_port() ran into. */
static int answer_all(const struct port *port, struct zw_parser *p,
		      const uint8_t *buf, size_t n, bool verbose)
{
	uint8_t out[ZW_ANSWER_MAX];
	struct zw_event ev;
	size_t used, len;
	int ret;

	while (n) {
		used = zw_parse(p, buf, n, &ev);
		buf += used;
		n -= used;
		if (ev.type == ZW_EV_NONE)
			continue;
		len = zw_answer(&ev, out, sizeof(out));
		if (verbose)
			log_event(&ev, out, len);
		ret = write_port(port, out, len);
		if (ret)
			return ret;
	}
	return 0;
}

static int frame_timeout(int64_t deadline)
{
	int64_t left;

	if (deadline < 0)
		return -1;
	left = deadline - now_ms();
	return left > 0 ? (int)left : 0;
}

/* A frame under way must end ZW_FRAME_TIMEOUT_MS after the read of its SOF. */
static int64_t next_deadline(const struct zw_parser *p, int64_t deadline)
{
	if (!zw_parser_busy(p))
		return -1;
	return deadline < 0 ? now_ms() + ZW_FRAME_TIMEOUT_MS : deadline;
}

static int run_zwave(struct port *port, const struct opts *o)
{
	static uint8_t buf[IO_BUF_SIZE];
	struct zw_parser parser;
	int64_t deadline = -1;
	ssize_t n;

	zw_parser_init(&parser);
	for (;;) {
		n = read_port(port, buf, sizeof(buf), frame_timeout(deadline));
		if (n == IO_TIMEOUT) {
			if (zw_parser_abort(&parser) && o->verbose)
				log_msg("rx timeout: incomplete frame dropped");
			deadline = -1;
			continue;
		}
		if (n > 0)
			n = answer_all(port, &parser, buf, n, o->verbose);
		if (n == IO_HANGUP) {
			zw_parser_init(&parser);
			n = reopen_port(port, o->verbose);
		}
		if (n < 0)
			break;
		deadline = next_deadline(&parser, deadline);
	}
	return n == IO_STOP ? EXIT_SUCCESS : EXIT_IO;
}

/*
 * One step of echo: writes what is pending, reads more if there is room,
 * and waits only when neither moved a byte. Returns 0 or an IO_* code.
 */
static int echo_step(const struct port *port, uint8_t *buf, size_t *head,
		     size_t *tail)
{
	bool moved = false;
	short events;
	ssize_t n;

	if (*tail > *head) {
		n = write(port->fd, buf + *head, *tail - *head);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return report_io(port, "write", errno);
		if (n > 0) {
			*head += n;
			moved = true;
		}
		if (*head == *tail)
			*head = *tail = 0;
	}
	if (*tail == IO_BUF_SIZE && *head) {
		memmove(buf, buf + *head, *tail - *head);
		*tail -= *head;
		*head = 0;
	}
	if (*tail < IO_BUF_SIZE) {
		n = read(port->fd, buf + *tail, IO_BUF_SIZE - *tail);
		if (n == 0)
			return IO_HANGUP;
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return report_io(port, "read", errno);
		if (n > 0) {
			*tail += n;
			moved = true;
		}
	}
	if (moved)
		return stopped ? IO_STOP : 0;
	events = (*tail > *head ? POLLOUT : 0) |
		 (*tail < IO_BUF_SIZE ? POLLIN : 0);
	return wait_fd(port, events, -1);
}

static int run_echo(struct port *port, const struct opts *o)
{
	static uint8_t buf[IO_BUF_SIZE];
	size_t head = 0, tail = 0;
	int ret;

	for (;;) {
		ret = echo_step(port, buf, &head, &tail);
		if (ret == IO_HANGUP) {
			head = tail = 0;
			ret = reopen_port(port, o->verbose);
		}
		if (ret)
			break;
	}
	return ret == IO_STOP ? EXIT_SUCCESS : EXIT_IO;
}

static EVP_MD_CTX *digest_new(void)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (md && !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		md = NULL;
	}
	if (!md)
		log_msg("cannot set up SHA-256");
	return md;
}

/* Prints "@what COUNT SHA256HEX". Returns an exit status. */
static int print_digest(EVP_MD_CTX *md, const char *what, uint64_t count)
{
	unsigned char sum[EVP_MAX_MD_SIZE];
	char hexsum[2 * EVP_MAX_MD_SIZE + 1];
	unsigned int len, i;

	if (!EVP_DigestFinal_ex(md, sum, &len)) {
		log_msg("cannot finish SHA-256");
		return EXIT_IO;
	}
	for (i = 0; i < len; i++)
		sprintf(hexsum + 2 * i, "%02x", sum[i]);
	hexsum[2 * len] = '\0';
	printf("%s %" PRIu64 " %s\n", what, count, hexsum);
	if (fflush(stdout)) {
		log_msg("stdout: %s", strerror(errno));
		return EXIT_IO;
	}
	return EXIT_SUCCESS;
}

static int run_sink(struct port *port, const struct opts *o)
{
	static uint8_t buf[IO_BUF_SIZE];
	uint64_t total = 0;
	EVP_MD_CTX *md;
	size_t want;
	ssize_t n;
	int ret = EXIT_IO;

	md = digest_new();
	if (!md)
		return EXIT_IO;
	for (;;) {
		want = sizeof(buf);
		if (o->has_bytes && o->bytes - total < want)
			want = o->bytes - total;
		if (!want)
			break;
		n = read_port(port, buf, want, -1);
		if (n == IO_STOP || n == IO_HANGUP)
			break;
		if (n < 0)
			goto out;
		EVP_DigestUpdate(md, buf, n);
		total += n;
	}
	ret = print_digest(md, "sink", total);
out:
	EVP_MD_CTX_free(md);
	return ret;
}

static uint64_t xorshift64star(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545F4914F6CDD1DULL;
}

static void generate(uint64_t *state, uint8_t *buf, size_t n)
{
	uint64_t word;
	size_t i, j;

	for (i = 0; i < n; i += 8) {
		word = xorshift64star(state);
		for (j = 0; j < 8 && i + j < n; j++)
			buf[i + j] = word >> (8 * j);
	}
}

/*
 * Waits until the device has sent everything written to it, as far as it
 * tells (TIOCOUTQ); polled, so that SIGTERM still stops it.
 */
static int drain_port(const struct port *port)
{
	int queued;

	for (;;) {
		if (ioctl(port->fd, TIOCOUTQ, &queued) || queued <= 0)
			return 0;
		sleep_ms(DRAIN_POLL_MS);
		if (stopped)
			return IO_STOP;
	}
}

/*
 * --rate: a real stick sends at most its line rate (115200 baud is about
 * 11 KiB/s). Unpaced, the gadget feeds the host's ttyACM at several MiB/s;
 * when the reader on the host side keeps up only just (back-pressure from
 * TLS), Linux 6.1 and 6.12 under dummy_hcd drop whole 1 KiB read URBs
 * between cdc-acm and the tty layer, whoever the reader is (a python
 * reader pausing 2 ms per 4 KiB read shows it too; one that stops reading
 * altogether loses nothing, so throttling itself works). So throughput
 * tests that need every byte pace the source below what the reader takes.
 */
static int write_source(const struct port *port, const struct opts *o,
			EVP_MD_CTX *md, uint64_t *written)
{
	static uint8_t buf[IO_BUF_SIZE];
	uint64_t state = o->seed;
	size_t n, slice = sizeof(buf);
	int64_t start = now_ms(), due;
	int ret;

	if (o->rate && o->rate / 50 < slice)
		slice = o->rate / 50 ? o->rate / 50 : 1;
	while (*written < o->bytes) {
		if (o->rate) {
			due = start + (int64_t)(*written * 1000 / o->rate);
			if (due > now_ms())
				sleep_ms(due - now_ms());
			if (stopped)
				return IO_STOP;
		}
		n = slice;
		if (o->bytes - *written < n)
			n = o->bytes - *written;
		generate(&state, buf, n);
		EVP_DigestUpdate(md, buf, n);
		ret = write_port(port, buf, n);
		if (ret)
			return ret;
		*written += n;
	}
	return drain_port(port);
}

static int run_source(struct port *port, const struct opts *o)
{
	uint64_t written = 0;
	EVP_MD_CTX *md;
	int ret;

	md = digest_new();
	if (!md)
		return EXIT_IO;
	ret = write_source(port, o, md, &written);
	if (ret == IO_HANGUP)
		log_msg("%s: hung up after %" PRIu64 " of %" PRIu64 " bytes",
			port->path, written, o->bytes);
	else if (ret == IO_STOP)
		log_msg("stopped after %" PRIu64 " of %" PRIu64 " bytes",
			written, o->bytes);
	if (ret) {
		ret = EXIT_IO;
		goto out;
	}
	ret = print_digest(md, "source", o->bytes);
	while (!stopped && ret == EXIT_SUCCESS)
		sigsuspend(&wait_mask);
out:
	EVP_MD_CTX_free(md);
	return ret;
}

static int parse_u64(const char *s, uint64_t *v)
{
	unsigned long long n;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*v = n;
	return 0;
}

static int parse_mode(const char *s, enum mode *mode)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mode_names); i++) {
		if (!strcmp(s, mode_names[i])) {
			*mode = i;
			return 0;
		}
	}
	return -1;
}

static int parse_baud(const char *s, speed_t *speed)
{
	static const struct {
		uint64_t baud;
		speed_t speed;
	} speeds[] = {
		{ 9600, B9600 },       { 19200, B19200 },
		{ 38400, B38400 },     { 57600, B57600 },
		{ 115200, B115200 },   { 230400, B230400 },
		{ 460800, B460800 },   { 921600, B921600 },
		{ 1000000, B1000000 }, { 2000000, B2000000 },
		{ 4000000, B4000000 },
	};
	uint64_t baud;
	size_t i;

	if (parse_u64(s, &baud))
		return -1;
	for (i = 0; i < ARRAY_SIZE(speeds); i++) {
		if (speeds[i].baud == baud) {
			*speed = speeds[i].speed;
			return 0;
		}
	}
	return -1;
}

/* Option values; returns 0, or an exit status after reporting. */
static int parse_option(int c, const char *arg, struct opts *o)
{
	switch (c) {
	case 'm':
		if (parse_mode(arg, &o->mode))
			return usage_error("unknown mode \"%s\"", arg);
		return 0;
	case 'n':
		if (parse_u64(arg, &o->bytes))
			return usage_error(
				"--bytes wants a byte count, not \"%s\"", arg);
		o->has_bytes = true;
		return 0;
	case 's':
		if (parse_u64(arg, &o->seed) || !o->seed)
			return usage_error(
				"--seed wants a non-zero number, not \"%s\"",
				arg);
		o->has_seed = true;
		return 0;
	case 'r':
		if (parse_u64(arg, &o->rate) || !o->rate)
			return usage_error(
				"--rate wants bytes per second above 0, not \"%s\"",
				arg);
		return 0;
	case 'b':
		if (parse_baud(arg, &o->speed))
			return usage_error("unsupported baud rate \"%s\"", arg);
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	default:
		return usage_error("bad option");
	}
}

static int check_opts(const struct opts *o)
{
	if (o->has_bytes && o->mode != MODE_SINK && o->mode != MODE_SOURCE)
		return usage_error("--bytes is for modes sink and source");
	if (o->mode == MODE_SOURCE && !o->has_bytes)
		return usage_error("mode source needs --bytes N");
	if (o->has_seed && o->mode != MODE_SOURCE)
		return usage_error("--seed is for mode source");
	if (o->rate && o->mode != MODE_SOURCE)
		return usage_error("--rate is for mode source");
	return 0;
}

static const struct option long_options[] = {
	{ "mode", required_argument, NULL, 'm' },
	{ "bytes", required_argument, NULL, 'n' },
	{ "seed", required_argument, NULL, 's' },
	{ "rate", required_argument, NULL, 'r' },
	{ "baud", required_argument, NULL, 'b' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Returns 0 to go on, -1 after --help, or a usage exit status. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hv", long_options, NULL)) != -1) {
		if (c == 'h') {
			print_usage();
			return -1;
		}
		if (c == ':')
			return usage_error("%s needs a value",
					   argv[optind - 1]);
		if (c == '?')
			return usage_error("unknown option \"%s\"",
					   argv[optind - 1]);
		ret = parse_option(c, optarg, o);
		if (ret)
			return ret;
	}
	if (optind == argc)
		return usage_error("missing DEVICE");
	if (optind + 1 < argc)
		return usage_error("unexpected argument \"%s\"",
				   argv[optind + 1]);
	o->device = argv[optind];
	return check_opts(o);
}

static int run(struct port *port, const struct opts *o)
{
	switch (o->mode) {
	case MODE_ECHO:
		return run_echo(port, o);
	case MODE_SINK:
		return run_sink(port, o);
	case MODE_SOURCE:
		return run_source(port, o);
	default:
		return run_zwave(port, o);
	}
}

int main(int argc, char **argv)
{
	struct opts o = { .mode = MODE_ZWAVE, .seed = 1, .speed = B115200 };
	struct port port = { .fd = -1 };
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret < 0 ? EXIT_SUCCESS : ret;
	if (setup_signals()) {
		log_msg("signals: %s", strerror(errno));
		return EXIT_IO;
	}
	port.path = o.device;
	port.speed = o.speed;
	if (open_port(&port, false))
		return EXIT_IO;
	ret = run(&port, &o);
	close_port(&port);
	return ret;
}
