// SPDX-License-Identifier: GPL-2.0-only
/*
 * pizwgd's kernel TLS module on real TLS 1.3 sessions between an OpenSSL
 * server and client over loopback TCP in this process. The build host's
 * kernel has no tls module, so what the kernel would do with TLS_RX is
 * checked here by doing it in userspace: the crypto_info built from the
 * captured secret must decrypt the client's first record, as the kernel
 * would (nonce = salt || iv XOR rec_seq, AAD = record header). The path
 * through the kernel itself is tests/ktls/ktls-probe.c, run in the VM; the
 * one test here that reaches setsockopt(TLS_RX) checks whichever outcome
 * the kernel it runs on allows.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "hkdf.h"
#include "ktls.h"
#include "unit.h"

#define SUITE_AES_128_GCM "TLS_AES_128_GCM_SHA256"
#define SUITE_AES_256_GCM "TLS_AES_256_GCM_SHA384"
#define SUITE_CHACHA20 "TLS_CHACHA20_POLY1305_SHA256"
#define SUITE_AES_128_CCM "TLS_AES_128_CCM_SHA256"

/* RFC 8448 section 3: client application traffic secret and its keys */
#define RFC8448_CLIENT_AP_SECRET \
	"9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5"

/* One server/client session; static so a failed check leaks nothing. */
static struct pair {
	SSL_CTX *sctx, *cctx;
	SSL *srv, *cli;
	int sfd, cfd;
	struct ktls_secret secret;
	char client_secret_hex[2 * KTLS_SECRET_MAX + 1];
} p = { .sfd = -1, .cfd = -1 };

static EVP_PKEY *key;
static X509 *cert;

/* A self-signed EC P-256 certificate, both sides' identity and trust. */
static void make_identity(void)
{
	X509_NAME *name;

	if (key)
		return;
	key = EVP_EC_gen("P-256");
	cert = X509_new();
	CHECK(key && cert);
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
	CHECK(X509_sign(cert, key, EVP_sha256()) > 0);
}

static void client_keylog(const SSL *ssl, const char *line)
{
	static const char label[] = "CLIENT_TRAFFIC_SECRET_0 ";

	(void)ssl;
	if (!strncmp(line, label, sizeof(label) - 1) &&
	    strlen(line) > sizeof(label) - 1 + 65)
		snprintf(p.client_secret_hex, sizeof(p.client_secret_hex), "%s",
			 line + sizeof(label) - 1 + 65);
}

static SSL_CTX *make_ctx(bool server, const char *suites, int max_version)
{
	SSL_CTX *ctx;

	ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	CHECK(ctx);
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, max_version);
	CHECK(SSL_CTX_set_ciphersuites(ctx, suites) == 1);
	CHECK(SSL_CTX_use_certificate(ctx, cert) == 1);
	CHECK(SSL_CTX_use_PrivateKey(ctx, key) == 1);
	CHECK(X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), cert) == 1);
	SSL_CTX_set_verify(
		ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	if (server)
		SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
	return ctx;
}

static void tcp_pair(int *sfd, int *cfd)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int lfd, one = 1;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(lfd >= 0);
	CHECK(!bind(lfd, (struct sockaddr *)&sin, sizeof(sin)));
	CHECK(!listen(lfd, 1));
	CHECK(!getsockname(lfd, (struct sockaddr *)&sin, &len));
	*cfd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(*cfd >= 0);
	CHECK(!connect(*cfd, (struct sockaddr *)&sin, sizeof(sin)));
	*sfd = accept(lfd, NULL, NULL);
	close(lfd);
	CHECK(*sfd >= 0);
	setsockopt(*sfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(*cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void set_nonblocking(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFL);

	CHECK(flags >= 0);
	CHECK(!fcntl(fd, F_SETFL,
		     on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK));
}

/* Steps one side of the handshake; true once it is done. */
static bool handshake_step(SSL *ssl, bool server)
{
	int r = server ? SSL_accept(ssl) : SSL_connect(ssl);
	int e;

	if (r == 1)
		return true;
	e = SSL_get_error(ssl, r);
	if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
		char why[256];

		ERR_error_string_n(ERR_get_error(), why, sizeof(why));
		unit_fail(__FILE__, __LINE__, "%s handshake failed: %s",
			  server ? "server" : "client", why);
	}
	return false;
}

static void pair_close(void)
{
	SSL_free(p.srv);
	SSL_free(p.cli);
	SSL_CTX_free(p.sctx);
	SSL_CTX_free(p.cctx);
	if (p.sfd >= 0)
		close(p.sfd);
	if (p.cfd >= 0)
		close(p.cfd);
	memset(&p, 0, sizeof(p));
	p.sfd = -1;
	p.cfd = -1;
	ERR_clear_error();
}

/*
 * A finished handshake between a server set up as pizwgd's (kTLS on, key log
 * capture into p.secret when attach) and a client; both sockets blocking.
 * early, if not NULL, is what the client sends the moment its side of the
 * handshake is done, before the server has read the client's Finished, as
 * socat does.
 */
static void pair_open(const char *suites, int max_version, bool attach,
		      const char *early)
{
	struct pollfd pfd[2];
	bool sdone = false, cdone = false;
	int i;

	pair_close();
	make_identity();
	p.sctx = make_ctx(true, suites, max_version);
	p.cctx = make_ctx(false, suites, max_version);
	CHECK(!ktls_keylog_enable(p.sctx));
	SSL_CTX_set_keylog_callback(p.cctx, client_keylog);
	tcp_pair(&p.sfd, &p.cfd);
	p.srv = SSL_new(p.sctx);
	p.cli = SSL_new(p.cctx);
	CHECK(p.srv && p.cli);
	if (attach)
		CHECK(!ktls_secret_attach(p.srv, &p.secret));
	CHECK(SSL_set_fd(p.srv, p.sfd) == 1 && SSL_set_fd(p.cli, p.cfd) == 1);
	set_nonblocking(p.sfd, true);
	set_nonblocking(p.cfd, true);
	for (i = 0; i < 500 && !(sdone && cdone); i++) {
		if (!sdone)
			sdone = handshake_step(p.srv, true);
		if (!cdone) {
			cdone = handshake_step(p.cli, false);
			if (cdone && early)
				CHECK_INT(SSL_write(p.cli, early,
						    strlen(early)),
					  (int)strlen(early));
		}
		pfd[0] = (struct pollfd){ .fd = p.sfd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = p.cfd, .events = POLLIN };
		if (!(sdone && cdone))
			poll(pfd, 2, 10);
	}
	CHECK(sdone && cdone);
	set_nonblocking(p.sfd, false);
	set_nonblocking(p.cfd, false);
}

static void client_send(const char *text)
{
	CHECK_INT(SSL_write(p.cli, text, strlen(text)), (int)strlen(text));
}

static const char *suite_of(SSL *ssl)
{
	return SSL_CIPHER_get_name(SSL_get_current_cipher(ssl));
}

/* Reads one whole TLS record off the wire, bypassing OpenSSL. */
static size_t read_raw_record(int fd, uint8_t *rec, size_t max)
{
	size_t len;

	CHECK_INT(recv(fd, rec, 5, MSG_WAITALL), 5);
	len = rec[3] << 8 | rec[4];
	CHECK(5 + len <= max);
	CHECK_INT(recv(fd, rec + 5, len, MSG_WAITALL), (long long)len);
	return 5 + len;
}

/*
 * What the kernel does with TLS_RX for TLS 1.3 (net/tls/tls_sw.c): the
 * nonce is salt || iv (iv alone for ChaCha20) XOR the record sequence, the
 * AAD the 5-byte header; the plaintext ends with the real content type.
 */
static int open_record(const union ktls_crypto_info *ci, const uint8_t *rec,
		       size_t rec_len, uint8_t *out)
{
	uint8_t nonce[TLS13_IV_LEN];
	const unsigned char *k, *seq;
	const EVP_CIPHER *aead;
	EVP_CIPHER_CTX *ctx;
	int n, m, i, ok;

	switch (ci->info.cipher_type) {
	case TLS_CIPHER_AES_GCM_128:
		memcpy(nonce, ci->aes_gcm_128.salt, 4);
		memcpy(nonce + 4, ci->aes_gcm_128.iv, 8);
		k = ci->aes_gcm_128.key;
		seq = ci->aes_gcm_128.rec_seq;
		aead = EVP_aes_128_gcm();
		break;
	case TLS_CIPHER_AES_GCM_256:
		memcpy(nonce, ci->aes_gcm_256.salt, 4);
		memcpy(nonce + 4, ci->aes_gcm_256.iv, 8);
		k = ci->aes_gcm_256.key;
		seq = ci->aes_gcm_256.rec_seq;
		aead = EVP_aes_256_gcm();
		break;
	case TLS_CIPHER_CHACHA20_POLY1305:
		memcpy(nonce, ci->chacha20_poly1305.iv, 12);
		k = ci->chacha20_poly1305.key;
		seq = ci->chacha20_poly1305.rec_seq;
		aead = EVP_chacha20_poly1305();
		break;
	default:
		return -1;
	}
	for (i = 0; i < 8; i++)
		nonce[4 + i] ^= seq[i];
	ctx = EVP_CIPHER_CTX_new();
	ok = ctx && rec_len > 5 + 16 &&
	     EVP_DecryptInit_ex(ctx, aead, NULL, NULL, NULL) == 1 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) == 1 &&
	     EVP_DecryptInit_ex(ctx, NULL, NULL, k, nonce) == 1 &&
	     EVP_DecryptUpdate(ctx, NULL, &n, rec, 5) == 1 &&
	     EVP_DecryptUpdate(ctx, out, &n, rec + 5, rec_len - 5 - 16) == 1 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16,
				 (void *)(rec + rec_len - 16)) == 1 &&
	     EVP_DecryptFinal_ex(ctx, out + n, &m) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? n + m : -1;
}

/*
 * The secret captured on the server equals the one the client logged, the
 * client's first record, sent before the server's handshake ended, is still
 * in the socket, and the crypto_info made from the secret decrypts it.
 */
static void check_rx_keys_open_first_record(const char *suite,
					    size_t secret_len)
{
	union ktls_crypto_info ci;
	uint8_t rec[256], plain[256];
	socklen_t ci_len;
	char err[KTLS_ERR_MAX];
	size_t rec_len;
	uint16_t id;

	pair_open(suite, TLS1_3_VERSION, true, "hello kernel");
	CHECK_STR(suite_of(p.srv), suite);
	CHECK_INT(p.secret.len, secret_len);
	CHECK_STR(tohex(p.secret.secret, p.secret.len), p.client_secret_hex);

	id = SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(p.srv));
	CHECK_INT(ktls_tls13_crypto_info(id, p.secret.secret, p.secret.len, &ci,
					 &ci_len, err, sizeof(err)),
		  0);
	CHECK_INT(SSL_pending(p.srv), 0);
	CHECK_INT(SSL_has_pending(p.srv), 0);
	rec_len = read_raw_record(p.sfd, rec, sizeof(rec));
	CHECK_INT(rec[0], KTLS_RECORD_DATA); /* outer type of every record */
	CHECK_INT(open_record(&ci, rec, rec_len, plain), 13);
	CHECK(!memcmp(plain, "hello kernel\x17", 13));
}

static void aes_128_gcm_rx_keys_decrypt_the_clients_first_record(void)
{
	check_rx_keys_open_first_record(SUITE_AES_128_GCM, 32);
}

static void aes_256_gcm_rx_keys_decrypt_the_clients_first_record(void)
{
	check_rx_keys_open_first_record(SUITE_AES_256_GCM, 48);
}

static void chacha20_poly1305_rx_keys_decrypt_the_clients_first_record(void)
{
	check_rx_keys_open_first_record(SUITE_CHACHA20, 32);
}

static void crypto_info_for_aes_128_gcm_splits_the_iv_into_salt_and_iv(void)
{
	union ktls_crypto_info ci;
	uint8_t secret[32];
	socklen_t len = 0;

	unhex(RFC8448_CLIENT_AP_SECRET, secret, sizeof(secret));
	CHECK_INT(ktls_tls13_crypto_info(0x1301, secret, 32, &ci, &len, NULL,
					 0),
		  0);
	CHECK_INT(len, sizeof(struct tls12_crypto_info_aes_gcm_128));
	CHECK_INT(ci.info.version, TLS_1_3_VERSION);
	CHECK_INT(ci.info.cipher_type, TLS_CIPHER_AES_GCM_128);
	CHECK_STR(tohex(ci.aes_gcm_128.key, 16),
		  "17422dda596ed5d9acd890e3c63f5051");
	CHECK_STR(tohex(ci.aes_gcm_128.salt, 4), "5b78923d");
	CHECK_STR(tohex(ci.aes_gcm_128.iv, 8), "ee08579033e523d9");
	CHECK_STR(tohex(ci.aes_gcm_128.rec_seq, 8), "0000000000000000");
}

static void crypto_info_for_aes_256_gcm_uses_sha384(void)
{
	union ktls_crypto_info ci;
	uint8_t secret[48];
	socklen_t len = 0;
	int i;

	for (i = 0; i < 48; i++)
		secret[i] = 0x40 + i;
	CHECK_INT(ktls_tls13_crypto_info(0x1302, secret, 48, &ci, &len, NULL,
					 0),
		  0);
	CHECK_INT(len, sizeof(struct tls12_crypto_info_aes_gcm_256));
	CHECK_INT(ci.info.cipher_type, TLS_CIPHER_AES_GCM_256);
	CHECK_STR(
		tohex(ci.aes_gcm_256.key, 32),
		"32f584230ad7bd6ea025e6e6cc16e757358c962ebc8196f5433acae983fb668b");
	CHECK_STR(tohex(ci.aes_gcm_256.salt, 4), "0e7c7d30");
	CHECK_STR(tohex(ci.aes_gcm_256.iv, 8), "272bc74a0c9833b2");
	CHECK_STR(tohex(ci.aes_gcm_256.rec_seq, 8), "0000000000000000");
}

static void crypto_info_for_chacha20_takes_the_whole_iv(void)
{
	union ktls_crypto_info ci;
	uint8_t secret[32];
	socklen_t len = 0;

	unhex(RFC8448_CLIENT_AP_SECRET, secret, sizeof(secret));
	CHECK_INT(ktls_tls13_crypto_info(0x1303, secret, 32, &ci, &len, NULL,
					 0),
		  0);
	CHECK_INT(len, sizeof(struct tls12_crypto_info_chacha20_poly1305));
	CHECK_INT(ci.info.cipher_type, TLS_CIPHER_CHACHA20_POLY1305);
	CHECK_STR(
		tohex(ci.chacha20_poly1305.key, 32),
		"c8afd24f48952725381a54085e8d8e3856d8d89e3019243b30a9db54809a3732");
	CHECK_STR(tohex(ci.chacha20_poly1305.iv, 12),
		  "5b78923dee08579033e523d9");
	CHECK_STR(tohex(ci.chacha20_poly1305.rec_seq, 8), "0000000000000000");
}

static void crypto_info_refuses_other_suites_and_wrong_secret_lengths(void)
{
	union ktls_crypto_info ci;
	uint8_t secret[48] = { 1 };
	char err[KTLS_ERR_MAX];
	socklen_t len;

	CHECK_INT(ktls_tls13_crypto_info(0x1304, secret, 32, &ci, &len, err,
					 sizeof(err)),
		  -EPROTONOSUPPORT);
	CHECK_STR(
		err,
		"cipher suite 0x1304 has no kernel TLS 1.3 receive path here");
	CHECK_INT(ktls_tls13_crypto_info(0xc02b, secret, 32, &ci, &len, err,
					 sizeof(err)),
		  -EPROTONOSUPPORT);
	CHECK_INT(ktls_tls13_crypto_info(0x1302, secret, 32, &ci, &len, err,
					 sizeof(err)),
		  -EINVAL);
	CHECK_STR(
		err,
		"TLS_AES_256_GCM_SHA384 needs a 48-byte traffic secret, got 32 bytes");
	CHECK_INT(ktls_tls13_crypto_info(0x1301, secret, 48, &ci, &len, err,
					 sizeof(err)),
		  -EINVAL);
}

static void keylog_parse_takes_only_this_connections_client_secret(void)
{
	static const char random_hex[] =
		"0101010101010101010101010101010101010101010101010101010101010101";
	struct ktls_secret s = { 0 };
	uint8_t random[32];
	char line[300];

	memset(random, 1, sizeof(random));
	snprintf(line, sizeof(line), "SERVER_TRAFFIC_SECRET_0 %s %s",
		 random_hex, RFC8448_CLIENT_AP_SECRET);
	CHECK_INT(ktls_keylog_parse(line, random, &s), -ENOENT);
	snprintf(line, sizeof(line), "CLIENT_HANDSHAKE_TRAFFIC_SECRET %s %s",
		 random_hex, RFC8448_CLIENT_AP_SECRET);
	CHECK_INT(ktls_keylog_parse(line, random, &s), -ENOENT);
	CHECK_INT(s.len, 0);

	snprintf(line, sizeof(line), "CLIENT_TRAFFIC_SECRET_0 %s %s",
		 random_hex, RFC8448_CLIENT_AP_SECRET);
	random[31] = 2;
	CHECK_INT(ktls_keylog_parse(line, random, &s), -ENOENT);
	CHECK_INT(s.len, 0);
	random[31] = 1;
	CHECK_INT(ktls_keylog_parse(line, random, &s), 0);
	CHECK_INT(s.len, 32);
	CHECK_STR(tohex(s.secret, s.len), RFC8448_CLIENT_AP_SECRET);

	ktls_secret_wipe(&s);
	CHECK_INT(s.len, 0);
	CHECK_STR(tohex(s.secret, 8), "0000000000000000");
}

static void keylog_parse_refuses_malformed_lines(void)
{
	static const char *const bad[] = {
		"CLIENT_TRAFFIC_SECRET_0 ",
		"CLIENT_TRAFFIC_SECRET_0 0101",
		"CLIENT_TRAFFIC_SECRET_0 0101010101010101010101010101010101010101010101010101010101010101",
		"CLIENT_TRAFFIC_SECRET_0 0101010101010101010101010101010101010101010101010101010101010101 ",
		"CLIENT_TRAFFIC_SECRET_0 0101010101010101010101010101010101010101010101010101010101010101 abc",
		"CLIENT_TRAFFIC_SECRET_0 0101010101010101010101010101010101010101010101010101010101010101 zz",
		"CLIENT_TRAFFIC_SECRET_0 0101010101010101010101010101010101010101010101010101010101010101 "
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
		"00112233445566778899aabbccddeeff00",
	};
	struct ktls_secret s = { 0 };
	uint8_t random[32];
	size_t i;

	memset(random, 1, sizeof(random));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(ktls_keylog_parse(bad[i], random, &s), -EINVAL);
		CHECK_INT(s.len, 0);
	}
}

static void
status_before_install_reports_no_rx_and_tx_as_the_socket_has_it(void)
{
	char ulp[32] = "";
	socklen_t len = sizeof(ulp) - 1;
	bool tx, rx;

	pair_open(SUITE_AES_128_GCM, TLS1_3_VERSION, true, NULL);
	CHECK(!getsockopt(p.sfd, IPPROTO_TCP, TCP_ULP, ulp, &len));
	CHECK_INT(ktls_status(p.srv, &tx, &rx), 0);
	CHECK_INT(tx, !strcmp(ulp, "tls"));
	CHECK_INT(rx, false);
}

static void install_refuses_tls_1_2(void)
{
	char err[KTLS_ERR_MAX];

	pair_open(SUITE_AES_128_GCM, TLS1_2_VERSION, true, NULL);
	CHECK_INT(ktls_install_tls13_rx(p.srv, p.sfd, &p.secret, err,
					sizeof(err)),
		  -EPROTONOSUPPORT);
	CHECK_STR(err, "TLSv1.2: only TLS 1.3 receive is installed here");
}

static void install_refuses_a_suite_the_kernel_path_does_not_take(void)
{
	char err[KTLS_ERR_MAX];

	pair_open(SUITE_AES_128_CCM, TLS1_3_VERSION, true, NULL);
	CHECK_STR(suite_of(p.srv), SUITE_AES_128_CCM);
	CHECK_INT(ktls_install_tls13_rx(p.srv, p.sfd, &p.secret, err,
					sizeof(err)),
		  -EPROTONOSUPPORT);
	CHECK_STR(
		err,
		"cipher suite 0x1304 has no kernel TLS 1.3 receive path here");
	CHECK_INT(p.secret.len, 0);
}

static void install_refuses_without_a_captured_secret(void)
{
	char err[KTLS_ERR_MAX];

	pair_open(SUITE_AES_128_GCM, TLS1_3_VERSION, false, NULL);
	CHECK_INT(ktls_install_tls13_rx(p.srv, p.sfd, &p.secret, err,
					sizeof(err)),
		  -ENOKEY);
	CHECK_STR(err, "no client traffic secret captured for this connection");
}

static void install_refuses_when_openssl_holds_client_data(void)
{
	char err[KTLS_ERR_MAX], c;
	char secret_hex[2 * KTLS_SECRET_MAX + 1];

	pair_open(SUITE_AES_128_GCM, TLS1_3_VERSION, true, NULL);
	snprintf(secret_hex, sizeof(secret_hex), "%s",
		 tohex(p.secret.secret, p.secret.len));
	client_send("abc");
	CHECK_INT(SSL_read(p.srv, &c, 1), 1);
	CHECK_INT(ktls_install_tls13_rx(p.srv, p.sfd, &p.secret, err,
					sizeof(err)),
		  -EBUSY);
	CHECK_STR(
		err,
		"OpenSSL already holds client data (2 bytes decrypted); the kernel would never see it");
	/* the secret is gone, and was never part of the message */
	CHECK_INT(p.secret.len, 0);
	CHECK(!strstr(err, secret_hex));
}

static void install_refuses_with_read_ahead_on(void)
{
	char err[KTLS_ERR_MAX];

	pair_open(SUITE_AES_128_GCM, TLS1_3_VERSION, true, NULL);
	SSL_set_read_ahead(p.srv, 1);
	CHECK_INT(ktls_install_tls13_rx(p.srv, p.sfd, &p.secret, err,
					sizeof(err)),
		  -EBUSY);
	CHECK_STR(
		err,
		"read-ahead is on: OpenSSL may hold records the kernel would never see");
}

static bool kernel_has_tls(void)
{
	int sfd, cfd;
	bool ok;

	tcp_pair(&sfd, &cfd);
	ok = !setsockopt(sfd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls"));
	close(sfd);
	close(cfd);
	return ok;
}

/*
 * Where the kernel has no tls module (the build host): install fails with
 * -ENOENT and a message naming the module, and the session goes on in
 * userspace TLS. Where it has one: the client's bytes come out of the
 * kernel as an application data record.
 */
static void install_decrypts_in_kernel_or_fails_cleanly_without_tls_module(void)
{
	char err[KTLS_ERR_MAX], buf[64] = "";
	uint8_t type;
	bool tx, rx;

	pair_open(SUITE_AES_128_GCM, TLS1_3_VERSION, true, NULL);
	if (!kernel_has_tls()) {
		CHECK_INT(ktls_install_tls13_rx(p.srv, p.sfd, &p.secret, err,
						sizeof(err)),
			  -ENOENT);
		CHECK_STR(
			err,
			"the kernel has no \"tls\" module (TCP_ULP \"tls\": No such file or directory)");
		CHECK_INT(p.secret.len, 0);
		CHECK_INT(ktls_status(p.srv, &tx, &rx), 0);
		CHECK_INT(rx, false);
		client_send("ping");
		CHECK_INT(SSL_read(p.srv, buf, sizeof(buf)), 4);
		CHECK(!memcmp(buf, "ping", 4));
		return;
	}
	CHECK_INT(ktls_install_tls13_rx(p.srv, p.sfd, &p.secret, err,
					sizeof(err)),
		  0);
	CHECK_INT(ktls_status(p.srv, &tx, &rx), 0);
	CHECK_INT(rx, true);
	client_send("ping");
	CHECK_INT(ktls_recv(p.sfd, buf, sizeof(buf), &type, 0), 4);
	CHECK_INT(type, KTLS_RECORD_DATA);
	CHECK(!memcmp(buf, "ping", 4));
}

static void recv_refuses_bytes_that_did_not_pass_tls_rx(void)
{
	uint8_t type = 99;
	char buf[8];

	pair_close();
	tcp_pair(&p.sfd, &p.cfd);
	CHECK_INT(write(p.cfd, "x", 1), 1);
	CHECK_INT(ktls_recv(p.sfd, buf, sizeof(buf), &type, 0), -EPROTO);
	shutdown(p.cfd, SHUT_WR);
	CHECK_INT(ktls_recv(p.sfd, buf, sizeof(buf), &type, 0), 0);
	CHECK_INT(type, 0);
	CHECK_INT(ktls_recv(p.sfd, buf, sizeof(buf), &type, MSG_DONTWAIT), 0);
	CHECK_INT(ktls_recv(-1, buf, sizeof(buf), &type, 0), -EBADF);
}

static void verdict(uint8_t type, const char *hex, enum ktls_verdict want,
		    const char *want_msg)
{
	uint8_t data[16];
	size_t len = unhex(hex, data, sizeof(data));
	char msg[KTLS_ERR_MAX];

	CHECK_INT(ktls_record_verdict(type, data, len, msg, sizeof(msg)), want);
	CHECK_STR(msg, want_msg);
}

static void application_data_is_forwarded(void)
{
	verdict(23, "68656c6c6f", KTLS_DATA, "");
}

static void close_notify_ends_the_session_cleanly(void)
{
	verdict(21, "0100", KTLS_CLOSE_NOTIFY,
		"client closed the session (close_notify)");
}

static void other_alerts_end_the_session_and_are_named(void)
{
	verdict(21, "0214", KTLS_ALERT,
		"client sent alert fatal: bad record mac (20)");
	verdict(21, "015a", KTLS_ALERT,
		"client sent alert warning: user canceled (90)");
	verdict(21, "02", KTLS_ALERT,
		"client sent a malformed alert (1 bytes)");
}

static void key_update_ends_the_session_with_a_clear_message(void)
{
	verdict(22, "1800000100", KTLS_KEY_UPDATE,
		"client sent KeyUpdate: kernel TLS cannot re-key the receive side on this kernel, ending the session");
	verdict(22, "1800000101", KTLS_KEY_UPDATE,
		"client sent KeyUpdate: kernel TLS cannot re-key the receive side on this kernel, ending the session");
}

static void other_handshake_messages_and_record_types_end_the_session(void)
{
	verdict(22, "04000000", KTLS_UNEXPECTED,
		"client sent NewSessionTicket, which only a server may send; ending the session");
	verdict(22, "0b000000", KTLS_UNEXPECTED,
		"client sent post-handshake message type 11, which kernel TLS cannot process; ending the session");
	verdict(22, "", KTLS_UNEXPECTED,
		"client sent an empty handshake record; ending the session");
	verdict(20, "01", KTLS_UNEXPECTED,
		"client sent a record of unexpected type 20; ending the session");
}

static const struct unit_test tests[] = {
	UNIT_TEST(aes_128_gcm_rx_keys_decrypt_the_clients_first_record),
	UNIT_TEST(aes_256_gcm_rx_keys_decrypt_the_clients_first_record),
	UNIT_TEST(chacha20_poly1305_rx_keys_decrypt_the_clients_first_record),
	UNIT_TEST(crypto_info_for_aes_128_gcm_splits_the_iv_into_salt_and_iv),
	UNIT_TEST(crypto_info_for_aes_256_gcm_uses_sha384),
	UNIT_TEST(crypto_info_for_chacha20_takes_the_whole_iv),
	UNIT_TEST(crypto_info_refuses_other_suites_and_wrong_secret_lengths),
	UNIT_TEST(keylog_parse_takes_only_this_connections_client_secret),
	UNIT_TEST(keylog_parse_refuses_malformed_lines),
	UNIT_TEST(
		status_before_install_reports_no_rx_and_tx_as_the_socket_has_it),
	UNIT_TEST(install_refuses_tls_1_2),
	UNIT_TEST(install_refuses_a_suite_the_kernel_path_does_not_take),
	UNIT_TEST(install_refuses_without_a_captured_secret),
	UNIT_TEST(install_refuses_when_openssl_holds_client_data),
	UNIT_TEST(install_refuses_with_read_ahead_on),
	UNIT_TEST(
		install_decrypts_in_kernel_or_fails_cleanly_without_tls_module),
	UNIT_TEST(recv_refuses_bytes_that_did_not_pass_tls_rx),
	UNIT_TEST(application_data_is_forwarded),
	UNIT_TEST(close_notify_ends_the_session_cleanly),
	UNIT_TEST(other_alerts_end_the_session_and_are_named),
	UNIT_TEST(key_update_ends_the_session_with_a_clear_message),
	UNIT_TEST(other_handshake_messages_and_record_types_end_the_session),
};

int main(void)
{
	int ret;

	ret = unit_main("test_ktls", tests, sizeof(tests) / sizeof(tests[0]));
	pair_close();
	EVP_PKEY_free(key);
	X509_free(cert);
	return ret;
}
