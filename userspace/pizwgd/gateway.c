// SPDX-License-Identifier: GPL-2.0-only
/*
 * The gateway state machine (see gateway.h) and its imperative shell: the
 * port through pizwg.ko, the tty, the listener. session.c owns the client.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gateway.h"
#include "ha.h"
#include "log.h"
#include "serial.h"
#include "session.h"
#include "tls.h"

#define BACKOFF_FIRST_S 10
#define BACKOFF_MAX_S 900
#define GW_POWER_SLOW_MS 100
#define GW_UNWANTED_LOG_MS 10000
#define GW_UNWANTED_RETRY_MS 1000

static void gw_enter_backoff(struct gateway *gw, const char *reason);
static void gw_backoff(struct gateway *gw, enum metrics_fence_cause cause,
		       const char *reason);

static const char *gw_name(const struct gateway *gw)
{
	return gw->cfg->name;
}

void gateway_changed(struct gateway *gw)
{
	if (gw->changed)
		gw->changed(gw);
}

void gateway_counted(struct gateway *gw)
{
	if (gw->counted)
		gw->counted(gw);
}

static void gw_set_state(struct gateway *gw, enum gw_state state)
{
	if (gw->state != state)
		gw->m.state_transitions++;
	gw->state = state;
	gw->m.state = (enum metrics_state)state;
	gateway_changed(gw);
}

static int gw_power(struct gateway *gw, enum pizwg_action action)
{
	const struct pizwg_stick_config *c = &gw->cfg->stick;
	uint64_t t0 = now_ms(), took;
	char err[256];
	int ret;

	ret = gw->power->ops->set_port(gw->power, c->hub, c->port, action,
				       c->force, err, sizeof(err));
	/* the loop (and with it VRRP) waits meanwhile: say when it is long */
	took = now_ms() - t0;
	if (took >= GW_POWER_SLOW_MS)
		log_notice(gw_name(gw), "switching %s port %u %s took %llu ms",
			   c->hub, c->port, pizwg_action_name(action),
			   (unsigned long long)took);
	if (ret) {
		log_err(gw_name(gw), "cannot switch %s port %u %s: %s", c->hub,
			c->port, pizwg_action_name(action), err);
		return ret;
	}
	gw->m.stick_powered = action != PIZWG_ACTION_OFF;
	if (gw->m.stick_powered)
		gw->m.power_cycles++;
	return 0;
}

int gateway_power_off(struct gateway *gw)
{
	return gw_power(gw, PIZWG_ACTION_OFF);
}

static void gw_close_listener(struct gateway *gw)
{
	if (gw->listen_fd < 0)
		return;
	timer_cancel(&gw->accept_timer);
	watch_del(gw->loop, &gw->listen_w);
	close(gw->listen_fd);
	gw->listen_fd = -1;
}

static void gw_close_tty(struct gateway *gw)
{
	if (gw->tty_fd < 0)
		return;
	watch_del(gw->loop, &gw->tty_w);
	close(gw->tty_fd);
	gw->tty_fd = -1;
}

/* Stops serving and switches the stick off, waiting for the module. */
static void gw_fence(struct gateway *gw, enum metrics_fence_cause cause)
{
	gw->m.fences[cause]++;
	session_close(gw);
	gw_close_listener(gw);
	gw_close_tty(gw);
	gw->tty[0] = '\0';
	timer_cancel(&gw->timer);
	if (!gw_power(gw, PIZWG_ACTION_OFF))
		log_notice(gw_name(gw), "fenced: stick off");
}

/* vrrp = on, not master: nothing served, the stick is (being) switched off. */
void gateway_standby(struct gateway *gw, bool keep_backoff)
{
	session_close(gw);
	gw_close_listener(gw);
	gw_close_tty(gw);
	gw->tty[0] = '\0';
	timer_cancel(&gw->timer);
	if (gw->state == GW_EXEC || (keep_backoff && gw->state == GW_BACKOFF))
		return;
	/*
	 * backoff_s stays: the next enumeration failure doubles it, until a
	 * stick enumerates (gw_serve()), as without VRRP.
	 */
	if (!keep_backoff)
		gw->m.backoff_seconds = 0;
	gw_set_state(gw, GW_STANDBY);
}

/*
 * After the on_session_end program, or instead of it: serve again; with
 * vrrp = on, once the instance, out of the election until now, masters.
 */
static void gw_resume(struct gateway *gw)
{
	if (!gw->ha.on) {
		gateway_start(gw);
		return;
	}
	gateway_standby(gw, false);
	ha_exec_done(gw);
}

void gateway_reboot(struct gateway *gw)
{
	struct stat st;

	log_notice(gw_name(gw), "rebooting the host");
	sync();
	/* Through systemd where it runs, so services stop in order. */
	if (!stat("/run/systemd/system", &st)) {
		execl("/bin/systemctl", "systemctl", "reboot", (char *)NULL);
		log_err(gw_name(gw), "systemctl reboot: %s", strerror(errno));
	}
	reboot(RB_AUTOBOOT);
	log_err(gw_name(gw), "reboot: %s", strerror(errno));
	exit(1);
}

/* @name=@value: into @buf, for envp */
static char *env_var(char *buf, size_t len, const char *name, const char *value)
{
	snprintf(buf, len, "%s=%s", name, value);
	return buf;
}

void gateway_exec(struct gateway *gw, const char *reason)
{
	const char *prog = gw->cfg->session.program;
	/*
	 * The environment is built before fork(): the VRRP threads make this
	 * process multi-threaded, and the child may only call
	 * async-signal-safe functions until it execs (no setenv()).
	 */
	char gw_env[64], reason_env[256];
	char *const envp[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		env_var(gw_env, sizeof(gw_env), "PIZWG_GATEWAY", gw_name(gw)),
		env_var(reason_env, sizeof(reason_env), "PIZWG_REASON", reason),
		NULL,
	};
	char *const argv[] = { (char *)prog, NULL };
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		log_err(gw_name(gw), "cannot run %s: %s", prog, strerror(errno));
		gw_resume(gw);
		return;
	}
	if (pid == 0) {
		sigset_t none;
		int sig;

		/* its own group, so that the timeout kills what it started */
		setpgid(0, 0);
		/*
		 * An ignored signal stays ignored across execve: pizwgd's
		 * SIGPIPE, and whatever pizwgd inherited. The program starts
		 * with every signal at its default (some cannot be set: fine).
		 */
		for (sig = 1; sig < NSIG; sig++)
			sigaction(sig, &dfl, NULL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execve(prog, argv, envp);
		_exit(127);
	}
	setpgid(pid, pid); /* whichever of us comes first */
	log_info(gw_name(gw), "running %s (for at most %u s)", prog,
		 gw->cfg->session.exec_timeout);
	gw->exec_pid = pid;
	timer_arm(&gw->exec_timer, gw->cfg->session.exec_timeout * 1000ull);
	gw_set_state(gw, GW_EXEC);
}

static void gw_exec_timer(struct timer *t)
{
	struct gateway *gw = container_of(t, struct gateway, exec_timer);

	if (gw->state != GW_EXEC || !gw->exec_pid)
		return;
	log_warn(gw_name(gw), "%s still runs after %u s: killing it",
		 gw->cfg->session.program, gw->cfg->session.exec_timeout);
	/* the group, and the program itself should it have left it */
	kill(-gw->exec_pid, SIGKILL);
	kill(gw->exec_pid, SIGKILL);
}

void gateway_session_ended(struct gateway *gw, enum metrics_fence_cause cause,
			   const char *reason)
{
	gw_fence(gw, cause);
	if (gw->ha.on) {
		/* fenced; now priority 0, VIP gone, BACKUP, then the action */
		gateway_standby(gw, false);
		ha_release(gw,
			   gw->cfg->session.on_end == CONF_END_REBOOT ?
				   HA_AFTER_REBOOT :
			   gw->cfg->session.on_end == CONF_END_EXEC ?
				   HA_AFTER_EXEC :
				   HA_AFTER_NOTHING,
			   reason);
		return;
	}
	switch (gw->cfg->session.on_end) {
	case CONF_END_RESTART:
		gateway_start(gw);
		break;
	case CONF_END_EXEC:
		gateway_exec(gw, reason);
		break;
	case CONF_END_REBOOT:
		gateway_reboot(gw);
		break;
	}
}

bool gateway_child_exited(struct gateway *gw, pid_t pid, int status)
{
	if (gw->state != GW_EXEC || pid != gw->exec_pid)
		return false;
	gw->exec_pid = 0;
	timer_cancel(&gw->exec_timer);
	if (WIFEXITED(status))
		log_info(gw_name(gw), "%s exited with status %d",
			 gw->cfg->session.program, WEXITSTATUS(status));
	else
		log_warn(gw_name(gw), "%s killed by signal %d",
			 gw->cfg->session.program, WTERMSIG(status));
	gw_set_state(gw, GW_STARTING);
	gw_resume(gw);
	return true;
}

static int gw_listen(struct gateway *gw)
{
	const struct sockaddr_in *sa = &gw->cfg->tls.listen;
	int one = 1, fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	/* IP_FREEBIND: with vrrp = on the VIP comes and goes under us */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)) ||
	    bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) ||
	    listen(fd, 64)) {
		close(fd);
		goto fail;
	}
	gw->listen_fd = fd;
	watch_init(&gw->listen_w, fd, handshake_accept);
	return watch_set(gw->loop, &gw->listen_w, EPOLLIN);
fail:
	log_err(gw_name(gw), "cannot listen on %s:%u: %s",
		inet_ntoa(sa->sin_addr), ntohs(sa->sin_port), strerror(errno));
	return -errno;
}

/* The stick answered on its tty: open it and start listening. */
static void gw_serve(struct gateway *gw, const char *tty)
{
	const struct sockaddr_in *sa = &gw->cfg->tls.listen;
	char err[256];
	int fd;

	timer_cancel(&gw->timer);
	fd = serial_open(tty, gw->cfg->stick.baud, err, sizeof(err));
	if (fd < 0) {
		gw_enter_backoff(gw, err);
		return;
	}
	snprintf(gw->tty, sizeof(gw->tty), "%s", tty);
	gw->tty_fd = fd;
	watch_init(&gw->tty_w, fd, session_tty_ready);
	if (gw_listen(gw)) {
		/* the address may come back (VRRP, DHCP): retried, backing off */
		gw_backoff(gw, METRICS_FENCE_LISTEN_FAILURE, "cannot listen");
		return;
	}
	gw->backoff_s = 0;
	gw->m.backoff_seconds = 0;
	gw->m.enumeration_seconds = (now_ms() - gw->enumeration_started) / 1000.0;
	gw->m.last_enumeration = time(NULL);
	gw_set_state(gw, GW_SERVING);
	log_info(gw_name(gw), "serving /dev/%s on %s:%u", tty,
		 inet_ntoa(sa->sin_addr), ntohs(sa->sin_port));
}

/* Is @t the stick this gateway is configured for? Why not, in @why. */
static bool gw_stick_matches(const struct gateway *gw,
			     const struct pizwg_tty *t, char *why, size_t len)
{
	const struct pizwg_stick_config *c = &gw->cfg->stick;

	if (c->match_usb_id &&
	    (t->vendor_id != c->vendor_id || t->product_id != c->product_id)) {
		snprintf(why, len, "%s is %04x:%04x, not the configured %04x:%04x",
			 t->name, t->vendor_id, t->product_id, c->vendor_id,
			 c->product_id);
		return false;
	}
	if (c->serial[0] && strcmp(t->serial, c->serial)) {
		snprintf(why, len, "%s has serial \"%s\", not the configured \"%s\"",
			 t->name, t->serial, c->serial);
		return false;
	}
	return true;
}

static bool gw_on_our_port(const struct gateway *gw, const struct pizwg_tty *t)
{
	return t->port == gw->cfg->stick.port &&
	       !strcmp(t->hub, gw->cfg->stick.hub);
}

static void gw_tty_appeared(struct gateway *gw, const struct pizwg_tty *t)
{
	char why[512];

	if (!gw_stick_matches(gw, t, why, sizeof(why))) {
		gw_enter_backoff(gw, why);
		return;
	}
	gw_serve(gw, t->name);
}

/* After power on: the tty may already be there (the port was on). */
static void gw_find_present_tty(struct gateway *gw)
{
	struct pizwg_tty *ttys = NULL;
	size_t n = 0, i;

	if (gw->power->ops->get_ttys(gw->power, &ttys, &n))
		return;
	for (i = 0; i < n && gw->state == GW_ENUMERATING; i++)
		if (gw_on_our_port(gw, &ttys[i]))
			gw_tty_appeared(gw, &ttys[i]);
	free(ttys);
}

void gateway_start(struct gateway *gw)
{
	gw_set_state(gw, GW_STARTING);
	gw->enumeration_started = now_ms();
	if (gw_power(gw, PIZWG_ACTION_ON)) {
		gw_enter_backoff(gw, "cannot switch the stick on");
		return;
	}
	gw_set_state(gw, GW_ENUMERATING);
	timer_arm(&gw->timer, gw->cfg->stick.enumerate_timeout * 1000ull);
	gw_find_present_tty(gw);
}

static void gw_backoff(struct gateway *gw, enum metrics_fence_cause cause,
		       const char *reason)
{
	bool enumeration = cause == METRICS_FENCE_ENUMERATION_FAILURE ||
			   cause == METRICS_FENCE_UNEXPECTED_TTY;

	gw_fence(gw, cause);
	if (enumeration)
		gw->m.enumeration_failures++;
	gw->backoff_s = gw->backoff_s ? gw->backoff_s * 2 : BACKOFF_FIRST_S;
	if (gw->backoff_s > BACKOFF_MAX_S)
		gw->backoff_s = BACKOFF_MAX_S;
	log_notice(gw_name(gw), "%s: %s; retrying in %u s",
		   enumeration ? "enumeration failed" : "cannot serve", reason,
		   gw->backoff_s);
	gw->m.backoff_seconds = gw->backoff_s;
	gw_set_state(gw, GW_BACKOFF);
	if (gw->ha.on) {
		/* release mastership, FAULT for the back-off, then BACKUP */
		ha_local_fault(gw, gw->backoff_s);
		return;
	}
	timer_arm(&gw->timer, gw->backoff_s * 1000ull);
}

static void gw_enter_backoff(struct gateway *gw, const char *reason)
{
	gw_backoff(gw, METRICS_FENCE_ENUMERATION_FAILURE, reason);
}

static void gw_timer(struct timer *t)
{
	struct gateway *gw = container_of(t, struct gateway, timer);
	char why[64];

	if (gw->state == GW_ENUMERATING) {
		snprintf(why, sizeof(why), "no tty within %u s",
			 gw->cfg->stick.enumerate_timeout);
		gw_enter_backoff(gw, why);
	} else if (ha_power_retry(gw)) {
		return;
	} else if (gw->state == GW_BACKOFF && !gw->ha.on) {
		gateway_start(gw);
	}
}

/* Does the gateway want its stick powered in its state? */
static bool gw_wants_power(const struct gateway *gw)
{
	switch (gw->state) {
	case GW_STANDBY:
	case GW_BACKOFF:
	case GW_EXEC:
	case GW_STOPPED:
		return false;
	default:
		return true;
	}
}

/*
 * Our stick came on while we do not want it (a hub re-probe, a hand-run
 * pizwgctl, another tool): off at once, counted, logged once per
 * GW_UNWANTED_LOG_MS. On a backup host it would be a second powered stick.
 */
static void gw_unwanted_power(struct gateway *gw, const char *what)
{
	uint64_t quiet;

	if (gw_power(gw, PIZWG_ACTION_OFF)) {
		/* the second powered stick stays: try again, until it is off */
		timer_arm(&gw->unwanted_timer, GW_UNWANTED_RETRY_MS);
		return;
	}
	timer_cancel(&gw->unwanted_timer);
	gw->m.unwanted_power_offs++;
	gateway_changed(gw);
	if (!log_limit_pass(&gw->unwanted_log, now_ms(), GW_UNWANTED_LOG_MS,
			    &quiet))
		return;
	if (quiet)
		log_warn(gw_name(gw),
			 "%s while %s: switched the stick off (and %llu times since the last such line)",
			 what, metrics_state_name(gw->m.state),
			 (unsigned long long)quiet);
	else
		log_warn(gw_name(gw), "%s while %s: switched the stick off",
			 what, metrics_state_name(gw->m.state));
}

void gateway_retry_power_off(struct gateway *gw)
{
	timer_arm(&gw->unwanted_timer, GW_UNWANTED_RETRY_MS);
}

static void gw_unwanted_retry(struct timer *t)
{
	struct gateway *gw = container_of(t, struct gateway, unwanted_timer);

	if (!gw_wants_power(gw))
		gw_unwanted_power(gw, "retrying to switch off our port");
}

static void gw_tty_added(struct gateway *gw, const struct pizwg_tty *t)
{
	char why[128];

	if (!gw_on_our_port(gw, t))
		return;
	if (!gw_wants_power(gw)) {
		snprintf(why, sizeof(why), "%s appeared on our port", t->name);
		gw_unwanted_power(gw, why);
	} else if (gw->state == GW_ENUMERATING) {
		gw_tty_appeared(gw, t);
	} else if (gw->state == GW_SERVING && strcmp(t->name, gw->tty)) {
		snprintf(why, sizeof(why), "a second tty, %s, on our port",
			 t->name);
		gw_backoff(gw, METRICS_FENCE_UNEXPECTED_TTY, why);
	}
}

static void gw_port_changed(struct gateway *gw,
			    const struct pizwg_port_event *p)
{
	if (p->power && p->port == gw->cfg->stick.port &&
	    !strcmp(p->hub, gw->cfg->stick.hub) && !gw_wants_power(gw))
		gw_unwanted_power(gw, "our port was switched on");
}

void gateway_event(struct gateway *gw, const struct pizwg_event *ev)
{
	switch (ev->type) {
	case PIZWG_EVENT_TTY_ADDED:
		gw_tty_added(gw, &ev->tty);
		break;
	case PIZWG_EVENT_PORT_CHANGED:
		gw_port_changed(gw, &ev->port);
		break;
	case PIZWG_EVENT_TTY_REMOVED:
		if (gw->state == GW_SERVING && !strcmp(ev->tty.name, gw->tty))
			session_end(gw, METRICS_FENCE_STICK_VANISHED,
				    "stick vanished");
		break;
	case PIZWG_EVENT_MODULE_REMOVED:
		/* Unloading switched our leased port off. */
		if (gw->state == GW_SERVING || gw->state == GW_ENUMERATING)
			gw_backoff(gw, METRICS_FENCE_MODULE_UNLOADED,
				   "pizwg module unloaded");
		break;
	default:
		break;
	}
}

static void gw_metrics_init(struct gateway *gw)
{
	const struct pizwg_gateway_config *cfg = gw->cfg;
	struct gw_metrics *m = &gw->m;

	snprintf(m->gateway, sizeof(m->gateway), "%s", cfg->name);
	snprintf(m->hub, sizeof(m->hub), "%s", cfg->stick.hub);
	m->port = cfg->stick.port;
	snprintf(m->listen, sizeof(m->listen), "%s:%u",
		 inet_ntoa(cfg->tls.listen.sin_addr),
		 ntohs(cfg->tls.listen.sin_port));
	if (metrics_cert_expiry(cfg->tls.cert, &m->server_cert_expiry, false))
		m->server_cert_expiry = 0;
	if (metrics_cert_expiry(cfg->tls.ca, &m->client_trust_expiry, true))
		m->client_trust_expiry = 0;
}

/*
 * Whether the module keeps our port off unless leased. Without that, after
 * a power cut or a hub reset the stick runs until we switch it off: one
 * error line at start says how to guard it (README, "Guarded ports").
 */
static void gw_check_guarded(struct gateway *gw)
{
	const struct pizwg_stick_config *st = &gw->cfg->stick;
	const struct power_ops *ops = gw->power->ops;
	int ret;

	ret = ops->port_guarded ? ops->port_guarded(gw->power, st->hub,
						     st->port) : 0;
	gw->m.port_guarded = ret == 1;
	if (ret == 1)
		return;
	if (ret < 0)
		log_err(gw_name(gw), "cannot tell whether port %s %u is guarded: %s",
			st->hub, st->port, pizwg_genl_strerror(ret));
	else if (ops->port_guarded)
		log_err(gw_name(gw),
			"port %s %u is not guarded: after a power cut or a hub reset its stick runs until pizwgd switches it off; run 'pizwgctl guard --write' (or add 'options pizwg guard=%s:%u' to /etc/modprobe.d/pizwg.conf) and reboot",
			st->hub, st->port, st->hub, st->port);
	else
		log_err(gw_name(gw),
			"port %s %u is not guarded: the %s backend has no guards (load pizwg.ko)",
			st->hub, st->port, ops->name);
}

int gateway_init(struct gateway *gw, const struct pizwg_gateway_config *cfg,
		 struct loop *loop, struct power *power)
{
	char err[512];
	unsigned int i;
	int ret;

	memset(gw, 0, sizeof(*gw));
	gw->cfg = cfg;
	gw->loop = loop;
	gw->power = power;
	gw->tty_fd = -1;
	gw->listen_fd = -1;
	gw->s.fd = -1;
	for (i = 0; i < HS_MAX; i++)
		gw->hs[i].fd = -1;
	if (tls_ctx_new(&cfg->tls, &gw->ssl_ctx, err, sizeof(err))) {
		log_err(cfg->name, "%s", err);
		return -EINVAL;
	}
	gw_metrics_init(gw);
	gw_check_guarded(gw);
	ret = timer_init(loop, &gw->timer, gw_timer);
	if (!ret)
		ret = timer_init(loop, &gw->s.timer, session_timer);
	if (!ret)
		ret = timer_init(loop, &gw->hs_timer, handshake_timer);
	if (!ret)
		ret = timer_init(loop, &gw->exec_timer, gw_exec_timer);
	if (!ret)
		ret = timer_init(loop, &gw->accept_timer,
				 handshake_accept_resume);
	if (!ret)
		ret = timer_init(loop, &gw->unwanted_timer, gw_unwanted_retry);
	if (ret) {
		log_err(cfg->name, "timer: %s", strerror(-ret));
		return ret;
	}
	return ha_init(gw);
}

int gateway_begin(struct gateway *gw)
{
	if (gw->ha.on)
		return ha_start(gw);
	gateway_start(gw);
	return 0;
}

void gateway_stop_all(struct gateway *gws, unsigned int n)
{
	unsigned int i;

	/* fences (confirmed), priority 0, VIP removed */
	ha_shutdown(gws, n);
	for (i = 0; i < n; i++) {
		if (gws[i].state != GW_STOPPED)
			gw_fence(&gws[i], METRICS_FENCE_SHUTDOWN);
		gw_set_state(&gws[i], GW_STOPPED);
	}
}

void gateway_exit(struct gateway *gw)
{
	timer_exit(gw->loop, &gw->timer);
	timer_exit(gw->loop, &gw->s.timer);
	timer_exit(gw->loop, &gw->hs_timer);
	timer_exit(gw->loop, &gw->exec_timer);
	timer_exit(gw->loop, &gw->accept_timer);
	timer_exit(gw->loop, &gw->unwanted_timer);
	ha_exit(gw);
	SSL_CTX_free(gw->ssl_ctx);
}
