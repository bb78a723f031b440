// SPDX-License-Identifier: GPL-2.0-only
/*
 * ktls-probe: pizwgd's kernel TLS receive path on the running kernel.
 *
 * For each TLS 1.3 suite the kernel path takes, a loopback session: an
 * OpenSSL server set up as pizwgd's (SSL_OP_ENABLE_KTLS, key log capture,
 * mutual authentication with an EC P-256 certificate made in memory) and a
 * plain userspace OpenSSL client, as socat is. The server installs TLS_RX
 * with ktls_install_tls13_rx() and reads the client's bytes with
 * ktls_recv(); the client's close_notify must come back as an alert record,
 * alone, after the data before it. Another session has the client send a
 * KeyUpdate, which must be reported and must stop delivery; the last has
 * the client pad its records, which the kernel's zero-copy path
 * (TLS_RX_EXPECT_NO_PAD) must decrypt again and deliver. Prints TAP and
 * /proc/net/tls_stat; exits 1 if any check failed.
 *
 * Needs the tls module: modprobe tls && build/tests/ktls-probe
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "ktls.h"

#define TLS_STAT "/proc/net/tls_stat"
#define BULK_LEN 40000 /* three records and a bit */
#define TIMEOUT_S 5

struct session {
	const char *suite;
	SSL_CTX *sctx, *cctx;
	SSL *srv, *cli;
	int sfd, cfd;
	struct ktls_secret secret;
};

static EVP_PKEY *key;
static X509 *cert;
static int tap_count, tap_failed;

static bool tap(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		tap_failed++;
	return ok;
}

static void openssl_errors(void)
{
	unsigned long e;
	char buf[256];

	while ((e = ERR_get_error())) {
		ERR_error_string_n(e, buf, sizeof(buf));
		printf("#   %s\n", buf);
	}
}

static bool make_identity(void)
{
	X509_NAME *name;

	key = EVP_EC_gen("P-256");
	cert = X509_new();
	if (!key || !cert)
		return false;
	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	name = X509_get_subject_name(cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)"pizwg-server", -1,
				   -1, 0);
	X509_set_issuer_name(cert, name);
	X509_set_pubkey(cert, key);
	return X509_sign(cert, key, EVP_sha256()) > 0;
}

static SSL_CTX *make_ctx(bool server, const char *suite)
{
	SSL_CTX *ctx;

	ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (!ctx)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	if (SSL_CTX_set_ciphersuites(ctx, suite) != 1 ||
	    SSL_CTX_use_certificate(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
	    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), cert) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(
		ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	if (server) {
		SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
		if (ktls_keylog_enable(ctx)) {
			SSL_CTX_free(ctx);
			return NULL;
		}
	}
	return ctx;
}

static bool tcp_pair(int *sfd, int *cfd)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = TIMEOUT_S };
	socklen_t len = sizeof(sin);
	int lfd, one = 1;

	*sfd = -1;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	*cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || *cfd < 0 ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&sin, &len) ||
	    connect(*cfd, (struct sockaddr *)&sin, sizeof(sin)))
		goto out;
	*sfd = accept(lfd, NULL, NULL);
	if (*sfd < 0)
		goto out;
	setsockopt(*sfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(*cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(*sfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(*cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
out:
	if (lfd >= 0)
		close(lfd);
	return *sfd >= 0;
}

static void set_nonblocking(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK);
}

/* 1: done, 0: wants I/O, -1: failed */
static int handshake_step(SSL *ssl, bool server)
{
	int r = server ? SSL_accept(ssl) : SSL_connect(ssl);
	int e;

	if (r == 1)
		return 1;
	e = SSL_get_error(ssl, r);
	return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

static void session_close(struct session *s)
{
	SSL_free(s->srv);
	SSL_free(s->cli);
	SSL_CTX_free(s->sctx);
	SSL_CTX_free(s->cctx);
	if (s->sfd >= 0)
		close(s->sfd);
	if (s->cfd >= 0)
		close(s->cfd);
}

/* The socket's TLS_RX_EXPECT_NO_PAD, -1 if it cannot be read. */
static int no_pad(int fd)
{
	unsigned int val = 0;
	socklen_t len = sizeof(val);

	if (getsockopt(fd, SOL_TLS, TLS_RX_EXPECT_NO_PAD, &val, &len))
		return -1;
	return val;
}

/*
 * Handshake, kTLS TX by OpenSSL, TLS_RX by us: the state pizwgd serves in.
 * early, if not NULL, is sent by the client the moment its side of the
 * handshake is done, before the server has read its Finished, as socat does.
 */
static bool session_open(struct session *s, const char *suite,
			 const char *early)
{
	char err[KTLS_ERR_MAX];
	int sdone = 0, cdone = 0, i;
	bool tx, rx;
	int ret;

	memset(s, 0, sizeof(*s));
	s->suite = suite;
	s->sfd = -1;
	s->cfd = -1;
	s->sctx = make_ctx(true, suite);
	s->cctx = make_ctx(false, suite);
	if (!s->sctx || !s->cctx || !tcp_pair(&s->sfd, &s->cfd) ||
	    !(s->srv = SSL_new(s->sctx)) || !(s->cli = SSL_new(s->cctx)) ||
	    ktls_secret_attach(s->srv, &s->secret) ||
	    SSL_set_fd(s->srv, s->sfd) != 1 ||
	    SSL_set_fd(s->cli, s->cfd) != 1) {
		tap(false, "%s: set up a loopback TLS session", suite);
		openssl_errors();
		return false;
	}
	set_nonblocking(s->sfd, true);
	set_nonblocking(s->cfd, true);
	for (i = 0; i < 1000 && !(sdone == 1 && cdone == 1); i++) {
		struct pollfd pfd[2] = {
			{ .fd = s->sfd, .events = POLLIN },
			{ .fd = s->cfd, .events = POLLIN },
		};

		if (sdone == 0)
			sdone = handshake_step(s->srv, true);
		if (cdone == 0) {
			cdone = handshake_step(s->cli, false);
			if (cdone == 1 && early &&
			    SSL_write(s->cli, early, strlen(early)) <= 0)
				cdone = -1;
		}
		if (sdone < 0 || cdone < 0)
			break;
		if (!(sdone == 1 && cdone == 1))
			poll(pfd, 2, 10);
	}
	set_nonblocking(s->sfd, false);
	set_nonblocking(s->cfd, false);
	if (!tap(sdone == 1 && cdone == 1 &&
			 SSL_version(s->srv) == TLS1_3_VERSION &&
			 !strcmp(SSL_CIPHER_get_name(
					 SSL_get_current_cipher(s->srv)),
				 suite),
		 "%s: TLS 1.3 handshake with mutual authentication", suite)) {
		openssl_errors();
		return false;
	}
	ktls_status(s->srv, &tx, &rx);
	tap(tx && !rx, "%s: OpenSSL enabled kTLS TX, RX still in userspace",
	    suite);

	ret = ktls_install_tls13_rx(s->srv, s->sfd, &s->secret, err,
				    sizeof(err));
	if (!tap(!ret, "%s: ktls_install_tls13_rx", suite)) {
		printf("#   %s (%s)\n", err, strerror(-ret));
		return false;
	}
	ktls_status(s->srv, &tx, &rx);
	tap(tx && rx && s->secret.len == 0,
	    "%s: ktls_status reports TX and RX, secret wiped", suite);
	tap(s->secret.rx_zero_copy && no_pad(s->sfd) == 1,
	    "%s: TLS_RX_EXPECT_NO_PAD is on (zero-copy decryption)", suite);
	return true;
}

/* Reads len bytes of application data via ktls_recv(); false on anything else */
static bool recv_data(struct session *s, uint8_t *buf, size_t len, int *records)
{
	size_t got = 0;

	*records = 0;
	while (got < len) {
		uint8_t type;
		ssize_t n = ktls_recv(s->sfd, buf + got, len - got, &type, 0);

		if (n <= 0 || type != KTLS_RECORD_DATA) {
			printf("#   ktls_recv: %zd (%s), record type %u after %zu of %zu bytes\n",
			       n, n < 0 ? strerror(-n) : "end of stream", type,
			       got, len);
			return false;
		}
		got += n;
		(*records)++;
	}
	return true;
}

static bool client_write(struct session *s, const void *buf, int len)
{
	int done = 0;

	while (done < len) {
		int n = SSL_write(s->cli, (const char *)buf + done, len - done);

		if (n <= 0)
			return false;
		done += n;
	}
	return true;
}

/* A counter of /proc/net/tls_stat, -1 if missing; echo prints the file. */
static long tls_stat(const char *name, bool echo)
{
	char line[128], field[64];
	long value, found = -1;
	FILE *f;

	f = fopen(TLS_STAT, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (echo)
			printf("# %s", line);
		if (sscanf(line, "%63s %ld", field, &value) == 2 &&
		    !strcmp(field, name))
			found = value;
	}
	fclose(f);
	return found;
}

/*
 * Data, then pong through kTLS TX, then "tail" and close_notify back to back:
 * the alert must come alone, after the data, and then the end of stream.
 */
static void session_data_and_close(const char *suite)
{
	static uint8_t bulk[BULK_LEN], got[BULK_LEN];
	uint8_t buf[64], type = 0;
	struct session s;
	char msg[KTLS_ERR_MAX] = "";
	int records;
	ssize_t n;
	size_t i;
	bool ok;

	if (!session_open(&s, suite, "hello"))
		goto out;

	for (i = 0; i < sizeof(bulk); i++)
		bulk[i] = i * 7 + i / 251;
	tap(recv_data(&s, buf, 5, &records) && !memcmp(buf, "hello", 5),
	    "%s: what the client sent before the server's handshake ended comes through TLS_RX",
	    suite);
	/* Before tap(): its arguments are evaluated in no set order. */
	ok = client_write(&s, bulk, sizeof(bulk)) &&
	     recv_data(&s, got, sizeof(got), &records) &&
	     !memcmp(got, bulk, sizeof(bulk));
	tap(ok, "%s: %d bytes over several records arrive intact (%d reads)",
	    suite, BULK_LEN, records);

	n = SSL_write(s.srv, "pong", 4);
	tap(n == 4 && SSL_read(s.cli, buf, sizeof(buf)) == 4 &&
		    !memcmp(buf, "pong", 4),
	    "%s: the client reads what the server sent through kTLS TX", suite);

	tap(client_write(&s, "tail", 4) && SSL_shutdown(s.cli) >= 0,
	    "%s: the client sends data and close_notify back to back", suite);
	usleep(200000); /* both records are queued on the server */
	n = ktls_recv(s.sfd, buf, sizeof(buf), &type, 0);
	tap(n == 4 && type == KTLS_RECORD_DATA && !memcmp(buf, "tail", 4),
	    "%s: the data before the alert comes alone (%zd bytes, type %u)",
	    suite, n, type);
	n = ktls_recv(s.sfd, buf, sizeof(buf), &type, 0);
	tap(n == 2 && type == KTLS_RECORD_ALERT &&
		    ktls_record_verdict(type, buf, n, msg, sizeof(msg)) ==
			    KTLS_CLOSE_NOTIFY,
	    "%s: close_notify arrives as an alert record (%zd bytes, type %u)",
	    suite, n, type);
	printf("#   %s\n", msg);
	close(s.cfd);
	s.cfd = -1;
	n = ktls_recv(s.sfd, buf, sizeof(buf), &type, 0);
	tap(n == 0 && type == 0, "%s: then the end of stream (%zd)", suite, n);
out:
	session_close(&s);
}

/* A KeyUpdate is reported, and nothing after it is delivered as data. */
static void session_key_update(void)
{
	const char *suite = "TLS_AES_128_GCM_SHA256";
	uint8_t buf[64], type = 0;
	struct session s;
	char msg[KTLS_ERR_MAX] = "";
	int records;
	ssize_t n;

	if (!session_open(&s, suite, NULL))
		goto out;
	tap(tls_stat("TlsCurrTxSw", false) >= 1 &&
		    tls_stat("TlsCurrRxSw", false) >= 1,
	    "%s: TlsCurrTxSw and TlsCurrRxSw count the live session", TLS_STAT);
	tap(client_write(&s, "before", 6) && recv_data(&s, buf, 6, &records) &&
		    !memcmp(buf, "before", 6),
	    "KeyUpdate: data before it arrives");
	tap(SSL_key_update(s.cli, SSL_KEY_UPDATE_NOT_REQUESTED) == 1 &&
		    client_write(&s, "after", 5),
	    "KeyUpdate: the client sends KeyUpdate, then data under new keys");
	n = ktls_recv(s.sfd, buf, sizeof(buf), &type, 0);
	tap(n >= 1 && type == KTLS_RECORD_HANDSHAKE &&
		    ktls_record_verdict(type, buf, n, msg, sizeof(msg)) ==
			    KTLS_KEY_UPDATE,
	    "KeyUpdate: reported as a handshake record (%zd bytes, type %u)", n,
	    type);
	printf("#   %s\n", msg);
	n = ktls_recv(s.sfd, buf, sizeof(buf), &type, 0);
	tap(n < 0, "KeyUpdate: the record after it is not delivered (%s)",
	    n < 0 ? strerror(-n) : "delivered");
out:
	session_close(&s);
}

/*
 * A client that pads its records (RFC 8446 section 5.4) breaks the
 * expectation of TLS_RX_EXPECT_NO_PAD: the kernel must decrypt those records
 * again, into its own buffer, and still deliver every byte in order.
 */
static void session_padded(void)
{
	const char *suite = "TLS_AES_256_GCM_SHA384";
	static uint8_t sent[3000], got[sizeof(sent)];
	long retries = tls_stat("TlsDecryptRetry", false);
	struct session s;
	int records = 0;
	size_t i;
	bool ok;

	if (retries < 0) {
		tap(false, "padding: %s has TlsDecryptRetry", TLS_STAT);
		return;
	}
	if (!session_open(&s, suite, NULL))
		goto out;
	for (i = 0; i < sizeof(sent); i++)
		sent[i] = (uint8_t)(i * 7 + 3);
	tap(SSL_set_block_padding(s.cli, 512) == 1,
	    "padding: the client pads its records to 512-byte blocks");
	/*
	 * Three records, of 511, 1535 and 1535 bytes to decrypt (padded to
	 * 512-byte blocks). The first two fit what is left of the reader's
	 * buffer, so the kernel tries zero copy on them, finds padding and
	 * decrypts again; the third does not (1496 bytes left) and goes the
	 * copying way at once.
	 */
	ok = client_write(&s, sent, 4) && client_write(&s, sent + 4, 1500) &&
	     client_write(&s, sent + 1504, sizeof(sent) - 1504) &&
	     recv_data(&s, got, sizeof(got), &records) &&
	     !memcmp(sent, got, sizeof(sent));
	tap(ok,
	    "padding: every byte of the padded records arrives, in order (%d reads)",
	    records);
	retries = tls_stat("TlsDecryptRetry", false) - retries;
	tap(retries >= 2,
	    "padding: the kernel decrypted them again without zero copy (TlsDecryptRetry +%ld)",
	    retries);
out:
	session_close(&s);
}

static void usage(void)
{
	printf("usage: ktls-probe\n"
	       "\n"
	       "Runs TLS 1.3 loopback sessions whose server receives through\n"
	       "kernel TLS (TLS_RX installed by pizwgd's ktls module) and prints\n"
	       "TAP. Needs the tls module (modprobe tls). Exits 1 if a check\n"
	       "failed.\n");
}

int main(int argc, char **argv)
{
	static const char *const suites[] = {
		"TLS_AES_128_GCM_SHA256",
		"TLS_AES_256_GCM_SHA384",
		"TLS_CHACHA20_POLY1305_SHA256",
	};
	long rx_before, rx_after;
	size_t i;

	if (argc > 1) {
		bool help = !strcmp(argv[1], "--help") ||
			    !strcmp(argv[1], "-h");

		if (!help) {
			fprintf(stderr,
				"ktls-probe: unexpected argument '%s' (see --help)\n",
				argv[1]);
			return 2;
		}
		usage();
		return 0;
	}
	rx_before = tls_stat("TlsRxSw", false);
	if (rx_before < 0) {
		printf("not ok 1 - %s is readable (is the tls module loaded?)\n1..1\n",
		       TLS_STAT);
		return 1;
	}
	if (!tap(make_identity(), "an EC P-256 key and certificate in memory"))
		return 1;
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		session_data_and_close(suites[i]);
	session_key_update();
	session_padded();

	rx_after = tls_stat("TlsRxSw", true);
	tap(rx_after - rx_before == 5,
	    "%s: TlsRxSw counted the 5 receive sides installed (%ld)", TLS_STAT,
	    rx_after - rx_before);
	EVP_PKEY_free(key);
	X509_free(cert);
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}
