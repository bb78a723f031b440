// SPDX-License-Identifier: GPL-2.0-only
/*
 * The handshakes of a gateway's listener (handshake.h): accepting, limits,
 * deadlines, eviction, refusals. Each handshake is a slot of gw->hs; the one
 * that completes first moves its socket and TLS state to gw->s.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/err.h>

#include "gateway.h"
#include "handshake.h"
#include "log.h"
#include "session.h"
#include "tls.h"

static const char *gw_name(const struct gateway *gw)
{
	return gw->cfg->name;
}

/*
 * Counts a refusal of @peer for @why and logs it, at most once per
 * HS_LOG_MS and reason; the line after a quiet spell says how many went
 * unsaid.
 */
static void hs_refused(struct gateway *gw, const char *peer,
		       enum metrics_hs_reason why, const char *reason)
{
	uint64_t quiet;

	gw->m.handshake_failures[why]++;
	gateway_counted(gw);
	if (!log_limit_pass(&gw->hs_log[why], now_ms(), HS_LOG_MS, &quiet))
		return;
	if (quiet)
		log_warn(gw_name(gw),
			 "refused %s: %s (and %llu more refused for %s since the last such line)",
			 peer, reason, (unsigned long long)quiet,
			 metrics_hs_reason_name(why));
	else
		log_warn(gw_name(gw), "refused %s: %s", peer, reason);
}

/* Frees @hs's slot; its fd, SSL and secret are the caller's now. */
static void hs_release_slot(struct handshake *hs)
{
	watch_del(hs->gw->loop, &hs->w);
	hs->ssl = NULL;
	hs->fd = -1;
	hs->active = false;
	hs->gw->n_hs--;
}

static void hs_free(struct handshake *hs)
{
	SSL *ssl = hs->ssl;
	int fd = hs->fd;

	hs_release_slot(hs);
	if (ssl) {
		SSL_free(ssl);
		ERR_clear_error();
	}
	ktls_secret_wipe(&hs->secret);
	if (fd >= 0)
		close(fd);
}

static void hs_refuse(struct handshake *hs, enum metrics_hs_reason why,
		      const char *reason)
{
	hs_refused(hs->gw, hs->peer, why, reason);
	hs_free(hs);
}

void handshake_close_all(struct gateway *gw)
{
	unsigned int i;

	for (i = 0; i < HS_MAX; i++)
		if (gw->hs[i].active)
			hs_free(&gw->hs[i]);
	timer_cancel(&gw->hs_timer);
}

static uint64_t hs_deadline(const struct handshake *hs)
{
	return hs->started + (hs->heard ? HS_DEADLINE_MS : HS_FIRST_BYTE_MS);
}

/* Arms hs_timer for the earliest deadline of the handshakes left. */
static void hs_arm(struct gateway *gw)
{
	uint64_t next = UINT64_MAX, now = now_ms(), d;
	unsigned int i;

	for (i = 0; i < HS_MAX; i++) {
		if (!gw->hs[i].active)
			continue;
		d = hs_deadline(&gw->hs[i]);
		if (d < next)
			next = d;
	}
	if (next == UINT64_MAX)
		timer_cancel(&gw->hs_timer);
	else
		timer_arm(&gw->hs_timer, next > now ? next - now : 0);
}

void handshake_timer(struct timer *t)
{
	struct gateway *gw = container_of(t, struct gateway, hs_timer);
	uint64_t now = now_ms();
	struct handshake *hs;
	unsigned int i;

	for (i = 0; i < HS_MAX; i++) {
		hs = &gw->hs[i];
		if (!hs->active || now < hs_deadline(hs))
			continue;
		if (hs->heard)
			hs_refuse(hs, METRICS_HS_TIMEOUT, "handshake timeout");
		else
			hs_refuse(hs, METRICS_HS_TIMEOUT,
				  "handshake timeout: nothing sent");
	}
	hs_arm(gw);
}

/* The first to complete gets the stick; the others are dropped as busy. */
static void hs_done(struct handshake *hs)
{
	struct gateway *gw = hs->gw;
	unsigned int i;
	int fd = hs->fd;
	SSL *ssl = hs->ssl;
	char peer[sizeof(hs->peer)];

	snprintf(peer, sizeof(peer), "%s", hs->peer);
	/* the slot is free; its secret moves to the session below */
	hs_release_slot(hs);
	for (i = 0; i < HS_MAX; i++)
		if (gw->hs[i].active)
			hs_refuse(&gw->hs[i], METRICS_HS_BUSY,
				  "busy: another client got the stick");
	timer_cancel(&gw->hs_timer);
	if (!session_start(gw, fd, ssl, peer, &hs->secret))
		return;
	SSL_free(ssl);
	ERR_clear_error();
	ktls_secret_wipe(&hs->secret);
	close(fd);
	hs_refused(gw, peer, METRICS_HS_OTHER, "out of memory");
}

static void hs_step(struct handshake *hs)
{
	enum metrics_hs_reason why;
	char reason[256];
	bool was_heard = hs->heard;
	int ret, e;

	ret = SSL_do_handshake(hs->ssl);
	/* bytes that came with the connection are read before any event */
	if (BIO_number_read(SSL_get_rbio(hs->ssl)))
		hs->heard = true;
	if (ret == 1) {
		hs_done(hs);
		return;
	}
	e = SSL_get_error(hs->ssl, ret);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		watch_set(hs->gw->loop, &hs->w,
			  e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT);
		if (!was_heard && hs->heard)
			hs_arm(hs->gw);
		return;
	}
	/* Classified before tls_error_reason() clears the error queue. */
	why = metrics_hs_reason_of(SSL_get_verify_result(hs->ssl),
				   ERR_peek_error());
	tls_error_reason(hs->ssl, reason, sizeof(reason));
	hs_refuse(hs, why, reason);
}

static void hs_ready(struct watch *w, uint32_t events)
{
	struct handshake *hs = container_of(w, struct handshake, w);

	(void)events;
	if (hs->active)
		hs_step(hs);
}

static unsigned int hs_count_from(const struct gateway *gw, uint32_t addr)
{
	unsigned int i, n = 0;

	for (i = 0; i < HS_MAX; i++)
		if (gw->hs[i].active && gw->hs[i].addr == addr)
			n++;
	return n;
}

/*
 * How far @hs got, coarsely: 0 nothing read, 1 part of a ClientHello,
 * 2 answered (we have written our flight: its ClientHello was whole and
 * valid). Not the byte count, which the client chooses: a ClientHello
 * padded to 16 KB would outrank a real one of 1 KB at every stage.
 */
static unsigned int hs_progress(const struct handshake *hs)
{
	if (BIO_number_written(SSL_get_wbio(hs->ssl)))
		return 2;
	return BIO_number_read(SSL_get_rbio(hs->ssl)) ? 1 : 0;
}

/* Is @a a better victim than @b, from an address holding @na and @nb? */
static bool hs_worse(const struct handshake *a, unsigned int na,
		     const struct handshake *b, unsigned int nb)
{
	if (na != nb)
		return na > nb;
	if (hs_progress(a) != hs_progress(b))
		return hs_progress(a) < hs_progress(b);
	return a->started < b->started;
}

/*
 * All slots are taken: a handshake of the address that holds the most
 * makes room, the one that got least far (hs_progress()), then the
 * oldest. A client alone on its address is the last to go; among such,
 * one whose ClientHello was answered outlasts a trickle, and among those
 * the newest stays.
 */
static void hs_evict(struct gateway *gw)
{
	struct handshake *victim = NULL, *hs;
	unsigned int i, n, most = 0;

	for (i = 0; i < HS_MAX; i++) {
		hs = &gw->hs[i];
		if (!hs->active)
			continue;
		n = hs_count_from(gw, hs->addr);
		if (!victim || hs_worse(hs, n, victim, most)) {
			most = n;
			victim = hs;
		}
	}
	if (victim)
		hs_refuse(victim, METRICS_HS_LIMIT,
			  "evicted: too many handshakes at once");
}

static struct handshake *hs_slot(struct gateway *gw)
{
	unsigned int i;

	for (i = 0; i < HS_MAX; i++)
		if (!gw->hs[i].active)
			return &gw->hs[i];
	return NULL;
}

static void hs_open(struct gateway *gw, int fd, const struct sockaddr_in *sa,
		    const char *peer)
{
	struct handshake *hs;

	if (hs_count_from(gw, sa->sin_addr.s_addr) >= HS_PER_SOURCE) {
		close(fd);
		hs_refused(gw, peer, METRICS_HS_LIMIT,
			   "too many handshakes from its address");
		return;
	}
	if (gw->n_hs >= HS_MAX)
		hs_evict(gw);
	hs = hs_slot(gw);
	if (!hs) {	/* cannot be: hs_evict() made room */
		close(fd);
		return;
	}
	memset(hs, 0, sizeof(*hs));
	hs->gw = gw;
	hs->active = true;
	hs->fd = fd;
	hs->addr = sa->sin_addr.s_addr;
	hs->started = now_ms();
	snprintf(hs->peer, sizeof(hs->peer), "%s", peer);
	gw->n_hs++;
	session_tune_socket(gw, fd);
	watch_init(&hs->w, fd, hs_ready);
	hs->ssl = SSL_new(gw->ssl_ctx);
	if (!hs->ssl || !SSL_set_fd(hs->ssl, fd) ||
	    (gw->cfg->tls.ktls == CONF_KTLS_AUTO &&
	     ktls_secret_attach(hs->ssl, &hs->secret))) {
		hs_refuse(hs, METRICS_HS_OTHER, "out of memory");
		return;
	}
	SSL_set_accept_state(hs->ssl);
	hs_arm(gw);
	hs_step(hs);
}

/*
 * accept() failed for want of descriptors or memory: the connection stays
 * queued and the listener readable, so it leaves the loop for a while
 * instead of waking it for ever.
 */
static void hs_accept_pause(struct gateway *gw, int err)
{
	char why[96];

	watch_del(gw->loop, &gw->listen_w);
	timer_arm(&gw->accept_timer, HS_ACCEPT_PAUSE_MS);
	snprintf(why, sizeof(why), "cannot accept: %s; pausing %u ms",
		 strerror(err), HS_ACCEPT_PAUSE_MS);
	hs_refused(gw, "a client", METRICS_HS_LIMIT, why);
}

void handshake_accept_resume(struct timer *t)
{
	struct gateway *gw = container_of(t, struct gateway, accept_timer);

	if (gw->listen_fd >= 0)
		watch_set(gw->loop, &gw->listen_w, EPOLLIN);
}

void handshake_accept(struct watch *w, uint32_t events)
{
	struct gateway *gw = container_of(w, struct gateway, listen_w);
	struct sockaddr_in sa;
	socklen_t len;
	char peer[64], why[128];
	unsigned int i;
	int fd;

	(void)events;
	for (i = 0; i < HS_ACCEPT_BATCH && gw->listen_fd >= 0; i++) {
		len = sizeof(sa);
		fd = accept4(gw->listen_fd, (struct sockaddr *)&sa, &len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && errno == EAGAIN)
			return;
		/* that connection is gone; the next may be waiting */
		if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (fd < 0) {
			hs_accept_pause(gw, errno);
			return;
		}
		snprintf(peer, sizeof(peer), "%s:%u", inet_ntoa(sa.sin_addr),
			 ntohs(sa.sin_port));
		if (!gw->s.active) {
			hs_open(gw, fd, &sa, peer);
			continue;
		}
		/* One client at a time; the first is not disturbed. */
		close(fd);
		snprintf(why, sizeof(why), "busy with %s", gw->s.peer);
		hs_refused(gw, peer, METRICS_HS_BUSY, why);
	}
}
