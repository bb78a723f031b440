// SPDX-License-Identifier: GPL-2.0-only
/*
 * The relay moves bytes through two buffers: up (tty -> client) and down
 * (client -> tty). A direction reads from its source only when its buffer
 * is empty and writes until the buffer drains, so a slow side pushes back
 * on the fast one instead of data being dropped or piling up. Writes to the
 * client always go through SSL_write(), which OpenSSL routes through kernel
 * TLS when it enabled kTLS TX. Reads from the client go through
 * SSL_read(), or, when we installed TLS 1.3 RX in the kernel ourselves,
 * straight from the socket with ktls_recv(), which also reports non-data
 * records (alerts, KeyUpdate): those end the session.
 *
 * A read that came back short drained its source, so the next read of that
 * source waits until epoll (level-triggered) reports it readable again,
 * instead of costing a syscall that only says EAGAIN (42% of the reads and
 * receives of a benchmark session did). SSL_read() is the exception: OpenSSL
 * may hold a record the socket no longer shows.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>

#include "log.h"
#include "handshake.h"
#include "session.h"
#include "tls.h"

enum pump { PUMP_IDLE, PUMP_MOVED, PUMP_END };

static const char *gw_name(const struct gateway *gw)
{
	return gw->cfg->name;
}

void session_tune_socket(struct gateway *gw, int fd)
{
	unsigned int user_timeout = gw->cfg->tls.tcp_user_timeout * 1000;
	int one = 1, idle, intvl = 2, cnt = 3;

	/* Probe an idle peer well within the user timeout. */
	idle = gw->cfg->tls.tcp_user_timeout / 2 ?: 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout,
		   sizeof(user_timeout));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

void session_close(struct gateway *gw)
{
	struct session *s = &gw->s;

	handshake_close_all(gw);
	if (!s->active)
		return;
	gw->m.session_active = false;
	gw->m.last_session_end = time(NULL);
	gw->m.tls_version[0] = '\0';
	gw->m.tls_cipher[0] = '\0';
	gw->m.client_subject[0] = '\0';
	gw->m.client_serial[0] = '\0';
	gw->m.ktls_tx = gw->m.ktls_rx = false;
	timer_cancel(&s->timer);
	watch_del(gw->loop, &s->w);
	/* A close_notify if the connection still takes one; no wait. */
	SSL_shutdown(s->ssl);
	SSL_free(s->ssl);
	ERR_clear_error();
	ktls_secret_wipe(&s->secret);
	close(s->fd);
	if (gw->tty_fd >= 0)
		watch_set(gw->loop, &gw->tty_w, 0);
	s->ssl = NULL;
	s->fd = -1;
	s->active = false;
}

void session_end(struct gateway *gw, enum metrics_fence_cause cause,
		 const char *reason)
{
	log_notice(gw_name(gw), "session %s: ended: %s", gw->s.peer, reason);
	gateway_session_ended(gw, cause, reason);
}

static void session_sock_ready(struct watch *w, uint32_t events);

/* kTLS: what OpenSSL enabled, plus TLS 1.3 RX, which we install ourselves. */
static const char *session_setup_ktls(struct gateway *gw)
{
	struct session *s = &gw->s;
	char err[KTLS_ERR_MAX];
	bool tx = false, rx = false;

	if (gw->cfg->tls.ktls == CONF_KTLS_OFF)
		return "userspace TLS (ktls = off)";
	ktls_status(s->ssl, &tx, &rx);
	if (tx && !rx && SSL_version(s->ssl) == TLS1_3_VERSION) {
		if (!ktls_install_tls13_rx(s->ssl, s->fd, &s->secret, err,
					   sizeof(err))) {
			s->rx_kernel = true;
			rx = true;
		} else {
			log_warn(gw_name(gw), "session %s: kernel TLS rx: %s",
				 s->peer, err);
		}
	}
	ktls_secret_wipe(&s->secret);
	if (!tx && !gw->ktls_fallback_logged) {
		gw->ktls_fallback_logged = true;
		log_warn(gw_name(gw),
			 "kernel TLS unavailable (no tls module?): using userspace TLS");
	}
	gw->m.ktls_tx = tx;
	gw->m.ktls_rx = rx;
	if (tx && rx && s->secret.rx_zero_copy)
		return "kernel TLS tx rx (zero-copy rx)";
	if (tx && rx)
		return "kernel TLS tx rx";
	if (tx)
		return "kernel TLS tx, userspace rx";
	return "userspace TLS";
}

/*
 * The client's close_notify. On TLS 1.3, which allows a half-closed
 * connection, what it sent still goes to the stick and the stick's answers
 * back to it for close_grace ms (what socat's -t waits for: a request piped
 * into socat gets its answer); TLS 1.2 ends at once (RFC 5246 7.2.1).
 */
static enum pump session_client_closed(struct gateway *gw)
{
	struct session *s = &gw->s;

	/*
	 * Half-closed already: this is the connection's end (OpenSSL 3.0
	 * reports a write that fails with ECONNRESET or EPIPE after the
	 * close_notify this way too). Waiting on would spin on the dead
	 * socket's EPOLLHUP with the grace timer re-armed each time.
	 */
	if (!gw->cfg->session.close_grace || s->half_closed ||
	    SSL_version(s->ssl) != TLS1_3_VERSION) {
		session_end(gw, METRICS_FENCE_CLIENT_CLOSED, "client closed");
		return PUMP_END;
	}
	s->half_closed = true;
	timer_arm(&s->timer, gw->cfg->session.close_grace);
	return PUMP_IDLE;
}

/* Which events each descriptor waits for, from what the buffers hold. */
static void session_update_watches(struct gateway *gw)
{
	struct session *s = &gw->s;
	uint32_t sock = 0, tty = 0;

	if (!s->up_len)
		tty |= EPOLLIN;
	else
		sock |= s->ssl_write_wants ?: EPOLLOUT;
	if (s->down_len)
		tty |= EPOLLOUT;
	else if (!s->half_closed)
		sock |= s->ssl_read_wants ?: EPOLLIN;
	/*
	 * Kernel TLS rx before Linux 6.5 has no poll of its own: TCP's says
	 * readable while a record has arrived in part, and recvmsg() says
	 * EAGAIN; level-triggered, that spins until the record completes.
	 * Edge-triggered, an event comes when a record is complete (kTLS
	 * wakes the socket then); sock_readable keeps the level, cleared only
	 * when a read found nothing more, and a watch changed to want EPOLLIN
	 * again is polled by epoll at once.
	 */
	if (sock && s->rx_kernel)
		sock |= EPOLLET;
	watch_set(gw->loop, &s->w, sock);
	watch_set(gw->loop, &gw->tty_w, tty);
}

/* An SSL_read/SSL_write that did not complete: wait, or end the session. */
static enum pump session_ssl_blocked(struct gateway *gw, int ret, int *wants)
{
	struct session *s = &gw->s;
	char reason[256], msg[320];
	int e = SSL_get_error(s->ssl, ret);

	switch (e) {
	case SSL_ERROR_WANT_READ:
		*wants = EPOLLIN;
		return PUMP_IDLE;
	case SSL_ERROR_WANT_WRITE:
		*wants = EPOLLOUT;
		return PUMP_IDLE;
	case SSL_ERROR_ZERO_RETURN:
		return session_client_closed(gw);
	case SSL_ERROR_SSL:
		/* OpenSSL 3: a TCP close without close_notify */
		if (ERR_GET_REASON(ERR_peek_error()) !=
		    SSL_R_UNEXPECTED_EOF_WHILE_READING)
			goto tls_error;
		ERR_clear_error();
		session_end(gw, METRICS_FENCE_CLIENT_CLOSED, "client closed");
		return PUMP_END;
	case SSL_ERROR_SYSCALL:
		if (!ERR_peek_error()) {
			snprintf(msg, sizeof(msg), "connection lost: %s",
				 errno ? strerror(errno) : "end of stream");
			/* after its close_notify, the client may go at will */
			if (errno && !s->half_closed)
				session_end(gw, METRICS_FENCE_TLS_ERROR, msg);
			else
				session_end(gw, METRICS_FENCE_CLIENT_CLOSED,
					    "client closed");
			return PUMP_END;
		}
		/* fall through */
	default:
tls_error:
		if (s->half_closed) {
			ERR_clear_error();
			session_end(gw, METRICS_FENCE_CLIENT_CLOSED,
				    "client closed");
			return PUMP_END;
		}
		tls_error_reason(NULL, reason, sizeof(reason));
		snprintf(msg, sizeof(msg), "tls error: %s", reason);
		session_end(gw, METRICS_FENCE_TLS_ERROR, msg);
		return PUMP_END;
	}
}

static enum pump session_read_client(struct gateway *gw)
{
	struct session *s = &gw->s;
	char msg[KTLS_ERR_MAX];
	uint8_t type;
	ssize_t n;
	int ret;

	if (!s->rx_kernel) {
		s->ssl_read_wants = 0;
		ret = SSL_read(s->ssl, s->down, sizeof(s->down));
		if (ret <= 0)
			return session_ssl_blocked(gw, ret, &s->ssl_read_wants);
		s->down_len = ret;
		s->down_off = 0;
		return PUMP_MOVED;
	}
	if (!s->sock_readable)
		return PUMP_IDLE;
	n = ktls_recv(s->fd, s->down, sizeof(s->down), &type, MSG_DONTWAIT);
	if (n == -EAGAIN) {
		s->sock_readable = false;
		return PUMP_IDLE;
	}
	if (n == 0) {
		session_end(gw, METRICS_FENCE_CLIENT_CLOSED, "client closed");
		return PUMP_END;
	}
	if (n < 0) {
		snprintf(msg, sizeof(msg), "tls error: %s", strerror(-n));
		session_end(gw, METRICS_FENCE_TLS_ERROR, msg);
		return PUMP_END;
	}
	switch (ktls_record_verdict(type, s->down, n, msg, sizeof(msg))) {
	case KTLS_DATA:
		if ((size_t)n < sizeof(s->down))
			s->sock_readable = false;
		s->down_len = n;
		s->down_off = 0;
		return PUMP_MOVED;
	case KTLS_CLOSE_NOTIFY:
		return session_client_closed(gw);
	default:
		session_end(gw, METRICS_FENCE_TLS_ERROR, msg);
		return PUMP_END;
	}
}

static enum pump session_tty_error(struct gateway *gw, const char *what,
				   int err)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "tty error: %s /dev/%s: %s", what, gw->tty,
		 err ? strerror(err) : "end of file");
	session_end(gw, METRICS_FENCE_TTY_ERROR, msg);
	return PUMP_END;
}

/* One step of each direction; PUMP_MOVED if any byte moved. */
static enum pump session_pump_once(struct gateway *gw)
{
	struct session *s = &gw->s;
	enum pump r = PUMP_IDLE, d;
	ssize_t n;
	int ret;

	if (!s->up_len && s->tty_readable) {
		n = read(gw->tty_fd, s->up, sizeof(s->up));
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return session_tty_error(gw, "read", n ? errno : 0);
		/* n_tty had no more (or nothing, or a signal): ask epoll */
		if (n < (ssize_t)sizeof(s->up))
			s->tty_readable = false;
		if (n > 0) {
			s->up_len = n;
			s->up_off = 0;
			r = PUMP_MOVED;
		}
	}
	if (s->up_len) {
		s->ssl_write_wants = 0;
		ret = SSL_write(s->ssl, s->up + s->up_off, s->up_len);
		if (ret > 0) {
			s->up_off += ret;
			s->up_len -= ret;
			gw->m.bytes_from_stick += ret;
			r = PUMP_MOVED;
		} else if (session_ssl_blocked(gw, ret, &s->ssl_write_wants) ==
			   PUMP_END) {
			return PUMP_END;
		}
	}
	if (!s->down_len && !s->half_closed) {
		d = session_read_client(gw);
		if (d == PUMP_END)
			return d;
		if (d == PUMP_MOVED)
			r = d;
	}
	if (s->down_len) {
		n = write(gw->tty_fd, s->down + s->down_off, s->down_len);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return session_tty_error(gw, "write", errno);
		if (n > 0) {
			s->down_off += n;
			s->down_len -= n;
			gw->m.bytes_to_stick += n;
			r = PUMP_MOVED;
		}
	}
	return r;
}

static void session_pump(struct gateway *gw)
{
	enum pump r;

	while ((r = session_pump_once(gw)) == PUMP_MOVED)
		gw->s.last_activity = now_ms();
	if (r != PUMP_END)
		session_update_watches(gw);
}

static void session_established(struct gateway *gw)
{
	struct session *s = &gw->s;
	const char *mode = session_setup_ktls(gw);

	s->tty_readable = s->sock_readable = true;
	s->last_activity = now_ms();
	gw->m.session_active = true;
	gw->m.sessions++;
	gw->m.last_session_start = time(NULL);
	snprintf(gw->m.tls_version, sizeof(gw->m.tls_version), "%s",
		 SSL_get_version(s->ssl));
	snprintf(gw->m.tls_cipher, sizeof(gw->m.tls_cipher), "%s",
		 SSL_get_cipher_name(s->ssl));
	tls_cert_identity(SSL_get0_peer_certificate(s->ssl),
			  gw->m.client_subject, sizeof(gw->m.client_subject),
			  gw->m.client_serial, sizeof(gw->m.client_serial));
	/* What the stick said before anyone listened belongs to no session. */
	tcflush(gw->tty_fd, TCIFLUSH);
	log_info(gw_name(gw), "session %s: started, client \"%s\" serial %s, %s %s, %s",
		 s->peer, gw->m.client_subject, gw->m.client_serial,
		 SSL_get_version(s->ssl), SSL_get_cipher_name(s->ssl), mode);
	/* 0: no inactivity limit (a quiet Z-Wave network is not a dead one) */
	if (gw->cfg->session.inactivity_timeout)
		timer_arm(&s->timer,
			  gw->cfg->session.inactivity_timeout * 1000ull);
	gateway_changed(gw);
	session_pump(gw);
}

static void session_sock_ready(struct watch *w, uint32_t events)
{
	struct gateway *gw = container_of(w, struct gateway, s.w);

	if (!gw->s.active)
		return;	/* closed meanwhile (loop.c drops such events too) */
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		gw->s.sock_readable = true;
	session_pump(gw);
}

void session_tty_ready(struct watch *w, uint32_t events)
{
	struct gateway *gw = container_of(w, struct gateway, tty_w);

	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		gw->s.tty_readable = true;
	if (gw->s.active)
		session_pump(gw);
}

void session_timer(struct timer *t)
{
	struct gateway *gw = container_of(t, struct gateway, s.timer);
	struct session *s = &gw->s;
	uint64_t limit = gw->cfg->session.inactivity_timeout * 1000ull;
	uint64_t idle;

	if (!s->active)
		return;
	if (s->half_closed) {
		session_end(gw, METRICS_FENCE_CLIENT_CLOSED, "client closed");
		return;
	}
	if (!limit)
		return;
	idle = now_ms() - s->last_activity;
	if (idle >= limit)
		session_end(gw, METRICS_FENCE_INACTIVITY, "inactivity");
	else
		timer_arm(&s->timer, limit - idle);
}

int session_start(struct gateway *gw, int fd, SSL *ssl, const char *peer,
		  struct ktls_secret *secret)
{
	struct session *s = &gw->s;

	if (gw->cfg->tls.ktls == CONF_KTLS_AUTO &&
	    ktls_secret_move(ssl, &s->secret, secret))
		return -ENOMEM;
	s->active = true;
	s->half_closed = false;
	s->fd = fd;
	s->ssl = ssl;
	s->rx_kernel = false;
	s->up_len = s->up_off = s->down_len = s->down_off = 0;
	s->ssl_read_wants = s->ssl_write_wants = 0;
	snprintf(s->peer, sizeof(s->peer), "%s", peer);
	watch_init(&s->w, fd, session_sock_ready);
	session_established(gw);
	return 0;
}
