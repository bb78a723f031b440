// SPDX-License-Identifier: GPL-2.0-only
/* The pizwg.ko backend of power.h: a thin shell over the netlink library. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "power.h"

struct power_module {
	struct power p;
	struct pizwg_genl *genl;
};

static struct pizwg_genl *genl_of(struct power *p)
{
	return ((struct power_module *)p)->genl;
}

static int module_set_port(struct power *p, const char *hub, uint32_t port,
			   enum pizwg_action action, bool force, char *err,
			   size_t errlen)
{
	struct pizwg_power_req req = {
		.hub = hub,
		.port = port,
		.action = action,
		.force = force,
	};
	const char *extack;
	int ret;

	ret = pizwg_genl_set_port(genl_of(p), &req);
	if (ret) {
		extack = pizwg_genl_extack(genl_of(p));
		snprintf(err, errlen, "%s%s%s", pizwg_genl_strerror(ret),
			 extack[0] ? ": " : "", extack);
	}
	return ret;
}

static int module_get_ttys(struct power *p, struct pizwg_tty **ttys, size_t *n)
{
	return pizwg_genl_get_ttys(genl_of(p), ttys, n);
}

static int module_event_fd(struct power *p)
{
	return pizwg_genl_event_fd(genl_of(p));
}

static int module_process_events(struct power *p, power_event_fn fn, void *arg)
{
	return pizwg_genl_process_events(genl_of(p), fn, arg);
}

static int module_port_guarded(struct power *p, const char *hub,
			       uint32_t port)
{
	struct pizwg_hub h;
	int ret;

	ret = pizwg_genl_get_hub(genl_of(p), hub, &h);
	if (ret)
		return ret;
	if (port < 1 || port > h.nports)
		return -ERANGE;
	return h.ports[port - 1].guarded;
}

static void module_close(struct power *p)
{
	pizwg_genl_close(genl_of(p));
	free(p);
}

static const struct power_ops module_ops = {
	.name = "pizwg kernel module",
	.set_port = module_set_port,
	.get_ttys = module_get_ttys,
	.event_fd = module_event_fd,
	.process_events = module_process_events,
	.close = module_close,
	.port_guarded = module_port_guarded,
};

int power_module_open(struct power **out)
{
	struct power_module *m = calloc(1, sizeof(*m));
	int ret;

	if (!m)
		return -ENOMEM;
	ret = pizwg_genl_open(&m->genl);
	if (!ret) {
		ret = pizwg_genl_subscribe(m->genl);
		if (ret)
			pizwg_genl_close(m->genl);
	}
	if (ret) {
		free(m);
		return ret;
	}
	m->p.ops = &module_ops;
	*out = &m->p;
	return 0;
}

int power_open(struct power **p)
{
	int ret = power_module_open(p);

	if (ret == -EPROTONOSUPPORT) {
		log_warn("", "pizwg kernel module not loaded: trying libusb");
		ret = power_usb_open(p);
	}
	if (ret) {
		log_err("", "no hub power backend: %s", pizwg_genl_strerror(ret));
		return ret;
	}
	log_info("", "hub power backend: %s", (*p)->ops->name);
	return 0;
}
