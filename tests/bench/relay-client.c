// SPDX-License-Identifier: GPL-2.0-only
/*
 * relay-client: the client side of the serial relay benchmark (tests/bench).
 * It talks to a stick that echoes every byte (fakestick --mode echo), either
 * through a relay over TLS 1.3 with a client certificate, or, for the bare
 * baseline, straight through the tty.
 *
 *   relay-client [OPTION...] --tty DEVICE
 *   relay-client [OPTION...] --connect ADDR:PORT --ca FILE --cert PEM
 *   relay-client [OPTION...] --bulk 0 CHANNEL CHANNEL [CHANNEL...]
 *
 * With one channel (--tty or --connect) it measures, in one session and in
 * this order:
 *   - round trips: for each frame size, WARMUP unmeasured round trips, then
 *     ROUNDS measured ones. A round trip writes one frame of pseudo-random
 *     bytes and reads until the same bytes came back; CLOCK_MONOTONIC around
 *     it. Percentiles by nearest rank.
 *   - bulk: BYTES of pseudo-random data written while the echo is read back
 *     at the same time (so each direction carries BYTES), every byte
 *     compared; MiB/s = BYTES / elapsed. With --pid, the utime + stime of
 *     that process (the relay; all its threads) before and after, from
 *     /proc/PID/stat: CPU seconds per MiB relayed, counting both directions
 *     (2 * BYTES). Work the kernel does for the relay in softirq context
 *     (TCP receive, possibly kTLS decryption scheduled there) is charged to
 *     whichever task it interrupted, so it may be missing from that figure.
 *
 * Output (stdout), one line each:
 *   tls VERSION CIPHER                 (TLS only)
 *   latency SIZE p50 US p90 US p99 US max US
 *   bulk BYTES seconds S mibps R reads N [cpu_s C cpu_s_per_mib P]
 * where N counts the reads of the echo that returned bytes: through TLS each
 * is one record, so BYTES / N is the relay's mean record size towards the
 * client (each record costs the relay a tty read, a seal and a send).
 *
 * With several channels (each --tty and --connect adds one, in order: each
 * a relay of its own stick, or a stick's tty) it measures round trips only,
 * interleaved: each round makes one round trip on every channel, in an
 * order shuffled anew each round. Host load drifts over seconds under TCG
 * and moved whole contenders in the one-at-a-time design; interleaved, it
 * falls on every channel alike, and each round pairs channel 0's round trip
 * with every other channel's, made in the same round (the round trips of
 * one round apart). Output:
 *   chan I tls VERSION CIPHER
 *   chan I latency SIZE p50 US p90 US p99 US max US
 *   pair I SIZE rounds N lower K ties T diff_p50 US
 * where, of the N rounds, channel 0's round trip was shorter than channel
 * I's in K, as long in T, and diff_p50 is the median of channel 0's minus
 * channel I's.
 * Any lost, reordered or corrupted byte and any stall longer than the
 * timeout fails the run with one line on stderr saying where.
 *
 * Exit status: 0 measured; 1 the relay or the stick failed; 2 usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define PROG "relay-client"
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#include "bench.h"

#define CHUNK 16384
#define FRAME_MAX 4096
#define SIZES_MAX 8
#define CHAN_MAX 8
#define POLL_MS 100
#define BULK_SEED 0xD1B54A32D192ED03ULL
#define DIAG_WINDOW 64
#define DIAG_SEARCH (1 << 20)

/* A channel as given: a tty, or a relay's ADDR:PORT. */
struct chan_spec {
	const char *tty;
	const char *connect;
};

struct opts {
	struct chan_spec spec[CHAN_MAX];
	unsigned int nchans;
	const char *ca;
	const char *cert;
	const char *name;
	unsigned int rounds;
	unsigned int warmup;
	unsigned int sizes[SIZES_MAX];
	unsigned int nsizes;
	uint64_t bulk;
	uint64_t window; /* bulk: most bytes sent and not yet echoed */
	long pid;
	unsigned int timeout_s;
};

/* One channel to the stick: a tty, or a TLS session on a socket. */
struct chan {
	char label[16]; /* output: "" alone, "chan I " among several */
	char where[16]; /* errors: "" alone, "channel I: " among several */
	int fd;
	SSL *ssl;
	short want_rd;	/* poll events a blocked read waits for */
	short want_wr;	/* poll events a blocked write waits for */
};

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see --help)\n");
	exit(EXIT_USAGE);
}

static void tls_fail(const char *what)
{
	unsigned long e = ERR_get_error();

	fail("%s: %s", what, e ? ERR_reason_error_string(e) : "failed");
}

/* xorshift64*: the bytes we send, reproducible on the reading side. */
struct gen {
	uint64_t x;
	uint64_t word;
	unsigned int left;
};

static uint8_t gen_byte(struct gen *g)
{
	uint8_t b;

	if (!g->left) {
		g->x ^= g->x >> 12;
		g->x ^= g->x << 25;
		g->x ^= g->x >> 27;
		g->word = g->x * 0x2545F4914F6CDD1DULL;
		g->left = 8;
	}
	b = g->word & 0xff;
	g->word >>= 8;
	g->left--;
	return b;
}

static void gen_fill(struct gen *g, uint8_t *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = gen_byte(g);
}

/* --- channel I/O: >0 bytes, 0 would block (wants set), -1 closed -------- */

static ssize_t ssl_io_result(struct chan *c, int ret, short *want,
			     const char *what)
{
	int e = SSL_get_error(c->ssl, ret);

	switch (e) {
	case SSL_ERROR_WANT_READ:
		*want = POLLIN;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		*want = POLLOUT;
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		return -1;
	case SSL_ERROR_SYSCALL:
		if (!ERR_peek_error())
			fail("%s: connection lost: %s", what,
			     errno ? strerror(errno) : "end of stream");
		/* fall through */
	default:
		tls_fail(what);
		return -1;
	}
}

static ssize_t chan_read(struct chan *c, uint8_t *buf, size_t len)
{
	ssize_t n;
	int ret;

	c->want_rd = 0;
	if (c->ssl) {
		ret = SSL_read(c->ssl, buf, len);
		if (ret > 0)
			return ret;
		return ssl_io_result(c, ret, &c->want_rd, "TLS read");
	}
	n = read(c->fd, buf, len);
	if (n > 0)
		return n;
	if (n == 0)
		return -1;
	if (errno != EAGAIN && errno != EINTR)
		fail("read: %s", strerror(errno));
	c->want_rd = POLLIN;
	return 0;
}

static ssize_t chan_write(struct chan *c, const uint8_t *buf, size_t len)
{
	ssize_t n;
	int ret;

	c->want_wr = 0;
	if (c->ssl) {
		ret = SSL_write(c->ssl, buf, len);
		if (ret > 0)
			return ret;
		return ssl_io_result(c, ret, &c->want_wr, "TLS write");
	}
	n = write(c->fd, buf, len);
	if (n > 0)
		return n;
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		fail("write: %s", strerror(errno));
	c->want_wr = POLLOUT;
	return 0;
}

/* Waits up to POLL_MS for what the blocked operations wait for. */
static void chan_wait(struct chan *c)
{
	struct pollfd p = { .fd = c->fd, .events = c->want_rd | c->want_wr };

	if (!p.events)
		return;
	if (poll(&p, 1, POLL_MS) < 0 && errno != EINTR)
		fail("poll: %s", strerror(errno));
}

/* --- opening ---------------------------------------------------------------- */

static void open_tty(struct chan *c, const char *path)
{
	struct termios t;

	c->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (c->fd < 0)
		fail("%s%s: %s", c->where, path, strerror(errno));
	if (tcgetattr(c->fd, &t))
		fail("%s%s: %s", c->where, path, strerror(errno));
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	cfsetispeed(&t, B115200);
	cfsetospeed(&t, B115200);
	if (tcsetattr(c->fd, TCSANOW, &t) || tcflush(c->fd, TCIOFLUSH))
		fail("%s%s: %s", c->where, path, strerror(errno));
}

static int tcp_connect(const char *where, const char *hostport,
		       unsigned int timeout_s)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	char host[256], *port;
	struct pollfd p;
	int fd, one = 1, err = 0, ret;
	socklen_t len = sizeof(err);

	snprintf(host, sizeof(host), "%s", hostport);
	port = strrchr(host, ':');
	if (!port)
		usage_error("--connect: '%s' is not ADDR:PORT", hostport);
	*port++ = '\0';
	ret = getaddrinfo(host, port, &hints, &ai);
	if (ret)
		fail("%s%s: %s", where, hostport, gai_strerror(ret));
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		fail("%ssocket: %s", where, strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) && errno != EINPROGRESS)
		fail("%sconnect %s: %s", where, hostport, strerror(errno));
	freeaddrinfo(ai);
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, timeout_s * 1000) != 1)
		fail("%sconnect %s: timed out", where, hostport);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err)
		fail("%sconnect %s: %s", where, hostport, strerror(err));
	return fd;
}

static SSL_CTX *tls_ctx(const struct opts *o)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx)
		tls_fail("TLS context");
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			      SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1)
		tls_fail(o->cert);
	if (SSL_CTX_use_PrivateKey_file(ctx, o->cert, SSL_FILETYPE_PEM) != 1)
		tls_fail(o->cert);
	if (SSL_CTX_load_verify_locations(ctx, o->ca, NULL) != 1)
		tls_fail(o->ca);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	return ctx;
}

static void open_tls(struct chan *c, const struct opts *o, SSL_CTX *ctx,
		     const char *connect)
{
	uint64_t deadline;
	char what[48];
	int ret;

	c->fd = tcp_connect(c->where, connect, o->timeout_s);
	c->ssl = SSL_new(ctx);
	snprintf(what, sizeof(what), "%sTLS handshake", c->where);
	if (!c->ssl || !SSL_set_fd(c->ssl, c->fd) ||
	    !SSL_set1_host(c->ssl, o->name))
		tls_fail(what);
	deadline = now_ns() + o->timeout_s * 1000000000ull;
	while ((ret = SSL_connect(c->ssl)) != 1) {
		c->want_rd = c->want_wr = 0;
		if (ssl_io_result(c, ret, &c->want_rd, what) < 0)
			fail("%s: connection closed", what);
		if (now_ns() > deadline)
			fail("%s: timed out", what);
		chan_wait(c);
	}
	printf("%stls %s %s\n", c->label, SSL_get_version(c->ssl),
	       SSL_get_cipher_name(c->ssl));
}

static void chan_close(struct chan *c)
{
	if (c->ssl) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	close(c->fd);
}

/* --- round trips ---------------------------------------------------------------- */

static void write_all(struct chan *c, const uint8_t *buf, size_t len,
		      uint64_t deadline, const char *what)
{
	ssize_t n;

	while (len) {
		n = chan_write(c, buf, len);
		if (n < 0)
			fail("%s: the relay closed the connection", what);
		buf += n;
		len -= n;
		if (!n) {
			if (now_ns() > deadline)
				fail("%s: write timed out", what);
			chan_wait(c);
		}
	}
}

/* Up to 24 bytes in hex, in one of two static buffers. */
static const char *hex(const uint8_t *b, size_t n, int which)
{
	static char out[2][24 * 3 + 4];
	char *p = out[which];
	size_t i;

	for (i = 0; i < n && i < 24; i++)
		p += sprintf(p, "%s%02x", i ? " " : "", b[i]);
	if (n > 24)
		strcpy(p, " ...");
	return out[which];
}

static void read_echo(struct chan *c, const uint8_t *want, size_t len,
		      uint64_t deadline, const char *what)
{
	uint8_t buf[FRAME_MAX];
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = chan_read(c, buf + got, len - got);
		if (n < 0)
			fail("%s: the relay closed the connection after %zu of %zu bytes",
			     what, got, len);
		if (!n) {
			if (now_ns() > deadline)
				fail("%s: timed out with %zu of %zu bytes back",
				     what, got, len);
			chan_wait(c);
			continue;
		}
		got += n;
		if (memcmp(buf, want, got))
			fail("%s: the echo differs from the frame sent: sent %s, got %s",
			     what, hex(want, got, 0), hex(buf, got, 1));
	}
}

static uint64_t round_trip(struct chan *c, struct gen *g, size_t size,
			   unsigned int timeout_s, const char *what)
{
	uint8_t frame[FRAME_MAX];
	uint64_t t0, deadline;

	gen_fill(g, frame, size);
	t0 = now_ns();
	deadline = t0 + timeout_s * 1000000000ull;
	write_all(c, frame, size, deadline, what);
	read_echo(c, frame, size, deadline, what);
	return now_ns() - t0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest sample with at least P% at or below it. */
static double pct_us(const uint64_t *sorted, size_t n, unsigned int p)
{
	size_t rank = (n * p + 99) / 100;

	return sorted[rank ? rank - 1 : 0] / 1000.0;
}

/* Sorts NS and prints the channel's latency line. */
static void print_latency(const struct chan *c, size_t size, uint64_t *ns,
			  unsigned int rounds)
{
	qsort(ns, rounds, sizeof(*ns), cmp_u64);
	printf("%slatency %zu p50 %.1f p90 %.1f p99 %.1f max %.1f\n", c->label,
	       size, pct_us(ns, rounds, 50), pct_us(ns, rounds, 90),
	       pct_us(ns, rounds, 99), ns[rounds - 1] / 1000.0);
	fflush(stdout);
}

static void latency(struct chan *c, const struct opts *o, size_t size)
{
	uint64_t *ns = calloc(o->rounds, sizeof(*ns));
	struct gen g = { .x = 0x9E3779B97F4A7C15ULL ^ size };
	char what[64];
	unsigned int i;

	if (!ns)
		fail("out of memory");
	for (i = 0; i < o->warmup + o->rounds; i++) {
		snprintf(what, sizeof(what), "round trip %u of %zu bytes",
			 i + 1, size);
		ns[i < o->warmup ? 0 : i - o->warmup] =
			round_trip(c, &g, size, o->timeout_s, what);
	}
	print_latency(c, size, ns, o->rounds);
	free(ns);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Channel 0 against channel I, round by round (A[r] and B[r] are one round's). */
static void print_pair(unsigned int i, size_t size, const uint64_t *a,
		       const uint64_t *b, unsigned int rounds)
{
	int64_t *d = calloc(rounds, sizeof(*d));
	unsigned int r, lower = 0, ties = 0;

	if (!d)
		fail("out of memory");
	for (r = 0; r < rounds; r++) {
		d[r] = (int64_t)a[r] - (int64_t)b[r];
		lower += d[r] < 0;
		ties += d[r] == 0;
	}
	qsort(d, rounds, sizeof(*d), cmp_i64);
	printf("pair %u %zu rounds %u lower %u ties %u diff_p50 %.1f\n", i,
	       size, rounds, lower, ties, d[(rounds - 1) / 2] / 1000.0);
	free(d);
}

/*
 * Several channels: each round makes one round trip on every channel, in an
 * order shuffled anew (Fisher-Yates on the frame generator's xorshift), so
 * that no channel always follows the same one.
 */
static void interleaved(struct chan *c, unsigned int n, const struct opts *o,
			size_t size)
{
	uint64_t *ns = calloc((size_t)n * o->rounds, sizeof(*ns));
	struct gen g[CHAN_MAX], order = { .x = 0xA0761D6478BD642FULL ^ size };
	unsigned int r, k, j, ch, perm[CHAN_MAX];
	uint64_t t;
	char what[96];

	if (!ns)
		fail("out of memory");
	for (ch = 0; ch < n; ch++)
		g[ch] = (struct gen){ .x = 0x9E3779B97F4A7C15ULL ^ size ^ ch };
	for (r = 0; r < o->warmup + o->rounds; r++) {
		for (k = 0; k < n; k++)
			perm[k] = k;
		for (k = n - 1; k > 0; k--) {
			j = gen_byte(&order) % (k + 1);
			ch = perm[k];
			perm[k] = perm[j];
			perm[j] = ch;
		}
		for (k = 0; k < n; k++) {
			ch = perm[k];
			snprintf(what, sizeof(what),
				 "channel %u: round trip %u of %zu bytes", ch,
				 r + 1, size);
			t = round_trip(&c[ch], &g[ch], size, o->timeout_s,
				       what);
			if (r >= o->warmup)
				ns[(size_t)ch * o->rounds + r - o->warmup] = t;
		}
	}
	for (ch = 1; ch < n; ch++)
		print_pair(ch, size, ns, ns + (size_t)ch * o->rounds,
			   o->rounds);
	for (ch = 0; ch < n; ch++)
		print_latency(&c[ch], size, ns + (size_t)ch * o->rounds,
			      o->rounds);
	free(ns);
}

/* --- bulk ------------------------------------------------------------------------ */

/* utime + stime of PID and all its threads, in seconds. */
static double cpu_seconds(long pid)
{
	unsigned long long ut, st;
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail("%s: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		fail("%s: cannot read it", path);
	buf[n] = '\0';
	/* after "(comm)": state is field 3, utime 14, stime 15 */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2)
		fail("%s: unexpected format", path);
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

struct bulk {
	struct gen tx_gen, rx_gen;
	uint8_t tx[CHUNK], rx[CHUNK];
	size_t tx_len, tx_off;	/* the chunk being written */
	uint64_t sent, got;
	uint64_t reads;		/* reads that returned bytes: TLS records */
};

/* Writes what it can, @window ahead of the echo at most; true if a byte moved. */
static bool bulk_send(struct chan *c, struct bulk *b, uint64_t total,
		      uint64_t window)
{
	uint64_t room = b->got + window - b->sent;
	ssize_t n;

	if (b->sent == total || !room)
		return false;
	if (b->tx_off == b->tx_len) {
		b->tx_len = total - b->sent < CHUNK ? total - b->sent : CHUNK;
		b->tx_off = 0;
		gen_fill(&b->tx_gen, b->tx, b->tx_len);
	}
	n = chan_write(c, b->tx + b->tx_off,
		       b->tx_len - b->tx_off < room ? b->tx_len - b->tx_off :
						      room);
	if (n < 0)
		fail("bulk: the relay closed the connection after %" PRIu64
		     " bytes sent, %" PRIu64 " received", b->sent, b->got);
	b->tx_off += n;
	b->sent += n;
	return n > 0;
}

/* The sent stream's bytes [from, from + len). */
static void sent_range(uint64_t from, uint8_t *out, size_t len)
{
	struct gen g = { .x = BULK_SEED };
	uint64_t i;

	for (i = 0; i < from; i++)
		gen_byte(&g);
	gen_fill(&g, out, len);
}

/*
 * The echo differs from the sent stream at byte @off: gathers up to
 * DIAG_WINDOW received bytes from there and looks for them in the sent
 * stream up to DIAG_SEARCH bytes before and after, to tell a loss (found
 * later), a repetition (found earlier) and garbage (not found) apart.
 */
static void bulk_mismatch(struct chan *c, const uint8_t *rx, size_t n,
			  uint64_t off)
{
	uint64_t back = off < DIAG_SEARCH ? off : DIAG_SEARCH, start;
	uint64_t deadline = now_ns() + 1000000000ull;
	size_t len = back + DIAG_SEARCH + DIAG_WINDOW, have, pos;
	uint8_t win[DIAG_WINDOW], want[DIAG_WINDOW], *sent, *hit;
	char verdict[160];
	ssize_t m;

	have = n < DIAG_WINDOW ? n : DIAG_WINDOW;
	memcpy(win, rx, have);
	while (have < DIAG_WINDOW && now_ns() < deadline) {
		m = chan_read(c, win + have, DIAG_WINDOW - have);
		if (m < 0)
			break;
		have += m;
		if (!m)
			chan_wait(c);
	}
	sent_range(off, want, have);
	start = off - back;
	sent = malloc(len);
	if (!sent)
		fail("out of memory");
	sent_range(start, sent, len);
	hit = have >= 8 ? memmem(sent, len, win, have) : NULL;
	if (have < 8) {
		snprintf(verdict, sizeof(verdict), "too few bytes came to tell more");
	} else if (!hit) {
		snprintf(verdict, sizeof(verdict),
			 "they are nowhere within %d bytes of it in the sent stream: corrupted",
			 DIAG_SEARCH);
	} else {
		pos = hit - sent;
		if (start + pos > off)
			snprintf(verdict, sizeof(verdict),
				 "they were sent from byte %" PRIu64 ": the %" PRIu64 " bytes before never came back (lost)",
				 start + pos, start + pos - off);
		else
			snprintf(verdict, sizeof(verdict),
				 "they were sent from byte %" PRIu64 ": %" PRIu64 " bytes came back twice",
				 start + pos, off - start - pos);
	}
	free(sent);
	fail("bulk: the echo differs from the sent stream at byte %" PRIu64
	     ": sent %s, got %s; %s", off, hex(want, have, 0), hex(win, have, 1),
	     verdict);
}

/* Reads and checks what it can; true if a byte moved. */
static bool bulk_recv(struct chan *c, struct bulk *b)
{
	ssize_t n, i;

	n = chan_read(c, b->rx, sizeof(b->rx));
	if (n < 0)
		fail("bulk: the relay closed the connection after %" PRIu64
		     " bytes sent, %" PRIu64 " received", b->sent, b->got);
	for (i = 0; i < n; i++)
		if (b->rx[i] != gen_byte(&b->rx_gen))
			bulk_mismatch(c, b->rx + i, n - i, b->got + i);
	b->got += n;
	b->reads += n > 0;
	if (b->got > b->sent)
		fail("bulk: %" PRIu64 " bytes came back but only %" PRIu64
		     " were sent", b->got, b->sent);
	return n > 0;
}

static void bulk(struct chan *c, const struct opts *o)
{
	struct bulk *b = calloc(1, sizeof(*b));
	uint64_t t0, t1, last_move, stall = o->timeout_s * 1000000000ull;
	double cpu0 = 0, cpu1, secs, mib;
	bool moved;

	if (!b)
		fail("out of memory");
	b->tx_gen.x = b->rx_gen.x = BULK_SEED;
	if (o->pid)
		cpu0 = cpu_seconds(o->pid);
	t0 = last_move = now_ns();
	while (b->got < o->bulk) {
		moved = bulk_send(c, b, o->bulk, o->window);
		while (bulk_recv(c, b))
			moved = true;
		if (moved) {
			last_move = now_ns();
			continue;
		}
		if (now_ns() - last_move > stall)
			fail("bulk: stalled for %u s after %" PRIu64
			     " bytes sent, %" PRIu64 " received",
			     o->timeout_s, b->sent, b->got);
		if (b->sent == o->bulk || b->sent - b->got >= o->window)
			c->want_wr = 0;
		chan_wait(c);
	}
	t1 = now_ns();
	secs = (t1 - t0) / 1e9;
	mib = o->bulk / 1048576.0;
	printf("bulk %" PRIu64 " seconds %.3f mibps %.3f reads %" PRIu64,
	       o->bulk, secs, mib / secs, b->reads);
	if (o->pid) {
		cpu1 = cpu_seconds(o->pid);
		printf(" cpu_s %.2f cpu_s_per_mib %.4f", cpu1 - cpu0,
		       (cpu1 - cpu0) / (2 * mib));
	}
	printf("\n");
	fflush(stdout);
	free(b);
}

/* --- options ------------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [OPTION...] --tty DEVICE\n"
		"       " PROG
		" [OPTION...] --connect ADDR:PORT --ca FILE --cert PEM\n"
		"       " PROG
		" [OPTION...] --bulk 0 CHANNEL CHANNEL [CHANNEL...]\n"
		"\n"
		"Measures a stick that echoes every byte (fakestick --mode echo),\n"
		"through a TLS 1.3 relay (client certificate PEM: key and certificate)\n"
		"or directly on its tty: round trips of each frame size, then a bulk\n"
		"transfer both ways at once. Every byte is checked. A CHANNEL is\n"
		"--tty DEVICE or --connect ADDR:PORT; given several (at most %d,\n"
		"each its own stick), it interleaves their round trips, one per\n"
		"channel per round in a shuffled order, and prints \"chan I\" before\n"
		"each channel's lines and \"pair I SIZE rounds N lower K ties T\n"
		"diff_p50 US\" for channel 0 against channel I.\n"
		"\n"
		"  --name CN          server name to verify (default pizwg-server)\n"
		"  --rounds N         measured round trips per size (default 2000;\n"
		"                     0 skips them)\n"
		"  --warmup N         unmeasured round trips first (default 100)\n"
		"  --sizes A[,B...]   frame sizes in bytes, 1..%d (default 16,64)\n"
		"  --bulk BYTES       bytes each way in the bulk phase (default\n"
		"                     4194304; 0 skips it)\n"
		"  --window BYTES     bulk: at most this many bytes sent ahead of the\n"
		"                     echo (default 8192): the simulated stick's\n"
		"                     kernel path (cdc-acm under dummy_hcd) drops\n"
		"                     whole 1 KiB reads when its reader lags\n"
		"  --pid PID          the relay process: report its CPU seconds per\n"
		"                     MiB relayed (both directions) during bulk\n"
		"  --timeout SECONDS  longest stall before failing (default 10)\n"
		"  --help             this text\n"
		"\n"
		"Prints \"tls VERSION CIPHER\", \"latency SIZE p50 US p90 US p99 US max US\"\n"
		"per size, \"bulk BYTES seconds S mibps R reads N [cpu_s C cpu_s_per_mib P]\".\n"
		"Exit status: 0 measured, 1 relay or stick failure (one line on\n"
		"stderr), 2 usage error.\n",
		CHAN_MAX, FRAME_MAX);
}

static unsigned long long parse_num(const char *opt, const char *s,
				    unsigned long long min,
				    unsigned long long max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		usage_error("%s: '%s' is not a number in %llu..%llu", opt, s,
			    min, max);
	return v;
}

static void parse_sizes(struct opts *o, const char *s)
{
	char buf[256], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", s);
	o->nsizes = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->nsizes == SIZES_MAX)
			usage_error("--sizes: at most %d sizes", SIZES_MAX);
		o->sizes[o->nsizes++] = parse_num("--sizes", tok, 1, FRAME_MAX);
	}
	if (!o->nsizes)
		usage_error("--sizes: no size given");
}

static void parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option longs[] = {
		{ "tty", required_argument, NULL, 't' },
		{ "connect", required_argument, NULL, 'c' },
		{ "ca", required_argument, NULL, 'a' },
		{ "cert", required_argument, NULL, 'e' },
		{ "name", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "sizes", required_argument, NULL, 's' },
		{ "bulk", required_argument, NULL, 'b' },
		{ "pid", required_argument, NULL, 'p' },
		{ "window", required_argument, NULL, 'W' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (c) {
		case 't':
		case 'c':
			if (o->nchans == CHAN_MAX)
				usage_error("at most %d channels", CHAN_MAX);
			if (c == 't')
				o->spec[o->nchans++].tty = optarg;
			else
				o->spec[o->nchans++].connect = optarg;
			break;
		case 'a':
			o->ca = optarg;
			break;
		case 'e':
			o->cert = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'r':
			o->rounds = parse_num("--rounds", optarg, 0, 1000000);
			break;
		case 'w':
			o->warmup = parse_num("--warmup", optarg, 0, 1000000);
			break;
		case 's':
			parse_sizes(o, optarg);
			break;
		case 'b':
			o->bulk = parse_num("--bulk", optarg, 0, 1ULL << 34);
			break;
		case 'p':
			o->pid = parse_num("--pid", optarg, 1, 1 << 22);
			break;
		case 'W':
			o->window = parse_num("--window", optarg, 1, 1ULL << 30);
			break;
		case 'T':
			o->timeout_s = parse_num("--timeout", optarg, 1, 3600);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(EXIT_USAGE);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (!o->nchans)
		usage_error("give --tty or --connect");
	for (c = 0; c < (int)o->nchans; c++)
		if (o->spec[c].connect && (!o->ca || !o->cert))
			usage_error("--connect needs --ca and --cert");
	if (o->nchans > 1 && o->bulk)
		usage_error(
			"several channels measure round trips only: add --bulk 0");
	if (o->nchans > 1 && (o->pid || !o->rounds))
		usage_error(
			"several channels: no --pid, and --rounds at least 1");
}

int main(int argc, char **argv)
{
	struct opts o = {
		.name = "pizwg-server", .rounds = 2000, .warmup = 100,
		.sizes = { 16, 64 }, .nsizes = 2, .bulk = 4 << 20, .window = 8192,
		.timeout_s = 10,
	};
	struct chan c[CHAN_MAX];
	SSL_CTX *ctx = NULL;
	unsigned int i;

	parse_opts(&o, argc, argv);
	for (i = 0; i < o.nchans; i++) {
		c[i] = (struct chan){ .fd = -1 };
		if (o.nchans > 1) {
			snprintf(c[i].label, sizeof(c[i].label), "chan %u ", i);
			snprintf(c[i].where, sizeof(c[i].where),
				 "channel %u: ", i);
		}
		if (o.spec[i].tty) {
			open_tty(&c[i], o.spec[i].tty);
			continue;
		}
		if (!ctx)
			ctx = tls_ctx(&o);
		open_tls(&c[i], &o, ctx, o.spec[i].connect);
	}
	for (i = 0; i < o.nsizes && o.rounds; i++) {
		if (o.nchans > 1)
			interleaved(c, o.nchans, &o, o.sizes[i]);
		else
			latency(c, &o, o.sizes[i]);
	}
	if (o.bulk)
		bulk(c, &o);
	for (i = 0; i < o.nchans; i++)
		chan_close(&c[i]);
	SSL_CTX_free(ctx);
	return 0;
}
