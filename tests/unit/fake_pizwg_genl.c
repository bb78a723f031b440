// SPDX-License-Identifier: GPL-2.0-only
/*
 * The test double of the pizwg netlink library; see fake_pizwg_genl.h. The
 * real library is included with its kernel-facing functions renamed out of
 * the way, so that everything else (names, strerror, parsers) is the real
 * code.
 */
#define pizwg_genl_open real_pizwg_genl_open
#define pizwg_genl_close real_pizwg_genl_close
#define pizwg_genl_extack real_pizwg_genl_extack
#define pizwg_genl_get_hubs real_pizwg_genl_get_hubs
#define pizwg_genl_get_hub real_pizwg_genl_get_hub
#define pizwg_genl_get_ttys real_pizwg_genl_get_ttys
#define pizwg_genl_get_tty real_pizwg_genl_get_tty
#define pizwg_genl_set_port real_pizwg_genl_set_port
#define pizwg_genl_release_port real_pizwg_genl_release_port
#define pizwg_genl_subscribe real_pizwg_genl_subscribe
#define pizwg_genl_event_fd real_pizwg_genl_event_fd
#define pizwg_genl_process_events real_pizwg_genl_process_events
#include "../../userspace/lib/pizwg_genl.c"
#undef pizwg_genl_open
#undef pizwg_genl_close
#undef pizwg_genl_extack
#undef pizwg_genl_get_hubs
#undef pizwg_genl_get_hub
#undef pizwg_genl_get_ttys
#undef pizwg_genl_get_tty
#undef pizwg_genl_set_port
#undef pizwg_genl_release_port
#undef pizwg_genl_subscribe
#undef pizwg_genl_event_fd
#undef pizwg_genl_process_events

#include <signal.h>
#include <unistd.h>

#include "fake_pizwg_genl.h"

struct fake fake;

/* The handle: a pipe whose read end is the event fd. */
static int pipe_fds[2] = { -1, -1 };
static char fake_extack[PIZWG_EXTACK_MAX];

void fake_reset(void)
{
	if (pipe_fds[0] >= 0) {
		close(pipe_fds[0]);
		close(pipe_fds[1]);
	}
	pipe_fds[0] = -1;
	pipe_fds[1] = -1;
	memset(&fake, 0, sizeof(fake));
	fake_extack[0] = '\0';
}

/* Fails with @err, setting the extack as a failed request does. */
static int fake_fail(int err)
{
	snprintf(fake_extack, sizeof(fake_extack), "%s",
		 err && fake.extack ? fake.extack : "");
	return err;
}

int pizwg_genl_open(struct pizwg_genl **gp)
{
	fake.opens++;
	*gp = fake.open_err ? NULL : (struct pizwg_genl *)&fake;
	return fake.open_err;
}

void pizwg_genl_close(struct pizwg_genl *g)
{
	if (g)
		fake.closes++;
}

const char *pizwg_genl_extack(const struct pizwg_genl *g)
{
	(void)g;
	return fake_extack;
}

static void *copy(const void *items, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p)
		memcpy(p, items, n * size);
	return p;
}

int pizwg_genl_get_hubs(struct pizwg_genl *g, struct pizwg_hub **hubs,
			size_t *n)
{
	(void)g;
	if (fake.get_err)
		return fake_fail(fake.get_err);
	*hubs = copy(fake.hubs, fake.nhubs, sizeof(**hubs));
	*n = fake.nhubs;
	return *hubs ? 0 : -ENOMEM;
}

int pizwg_genl_get_hub(struct pizwg_genl *g, const char *name,
		       struct pizwg_hub *hub)
{
	size_t i;

	(void)g;
	if (fake.get_err)
		return fake_fail(fake.get_err);
	for (i = 0; i < fake.nhubs; i++) {
		if (!strcmp(fake.hubs[i].name, name)) {
			*hub = fake.hubs[i];
			return 0;
		}
	}
	return fake_fail(-ENODEV);
}

int pizwg_genl_get_ttys(struct pizwg_genl *g, struct pizwg_tty **ttys,
			size_t *n)
{
	(void)g;
	if (fake.get_err)
		return fake_fail(fake.get_err);
	*ttys = copy(fake.ttys, fake.nttys, sizeof(**ttys));
	*n = fake.nttys;
	return *ttys ? 0 : -ENOMEM;
}

int pizwg_genl_get_tty(struct pizwg_genl *g, const char *name,
		       struct pizwg_tty *tty)
{
	size_t i;

	(void)g;
	if (fake.get_err)
		return fake_fail(fake.get_err);
	for (i = 0; i < fake.nttys; i++) {
		if (!strcmp(fake.ttys[i].name, name)) {
			*tty = fake.ttys[i];
			return 0;
		}
	}
	return fake_fail(-ENODEV);
}

int pizwg_genl_set_port(struct pizwg_genl *g,
			const struct pizwg_power_req *req)
{
	(void)g;
	fake.set_ports++;
	fake.req = *req;
	snprintf(fake.req_hub, sizeof(fake.req_hub), "%s", req->hub);
	fake.req.hub = fake.req_hub;
	if (fake.sigterm_on_set_port)
		kill(getpid(), SIGTERM);
	return fake_fail(fake.set_port_err);
}

int pizwg_genl_release_port(struct pizwg_genl *g, const char *hub,
			    uint32_t port)
{
	(void)g;
	fake.releases++;
	snprintf(fake.release_hub, sizeof(fake.release_hub), "%s", hub);
	fake.release_port = port;
	return fake_fail(fake.release_err);
}

/* The event fd turns readable once, with everything in fake.events. */
int pizwg_genl_subscribe(struct pizwg_genl *g)
{
	(void)g;
	fake.subscribes++;
	if (pipe(pipe_fds))
		return -errno;
	if (write(pipe_fds[1], "e", 1) != 1)
		return -EIO;
	return 0;
}

int pizwg_genl_event_fd(const struct pizwg_genl *g)
{
	(void)g;
	return pipe_fds[0];
}

int pizwg_genl_process_events(struct pizwg_genl *g,
			      void (*fn)(const struct pizwg_event *ev,
					 void *arg),
			      void *arg)
{
	char c;
	int i;

	(void)g;
	if (read(pipe_fds[0], &c, 1) != 1)
		return -EIO;
	for (i = 0; i < fake.nevents; i++)
		fn(&fake.events[i], arg);
	if (fake.sigterm_after_events)
		kill(getpid(), SIGTERM);
	return fake.process_ret ? fake.process_ret : fake.nevents;
}
