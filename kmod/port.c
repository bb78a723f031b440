// SPDX-License-Identifier: GPL-2.0-only
/*
 * Port switching policy and leases.
 *
 * A port switched on through the family is leased to the requesting netlink
 * socket. When that socket is released (closed, or its process killed), the
 * NETLINK_URELEASE notifier marks the lease expired and a work item switches
 * the port off. This keeps "a stick is powered only while its daemon runs"
 * true even when the daemon dies without cleaning up.
 *
 * A record is kept per port that was ever switched through the family, so
 * that ttys appearing or vanishing on it can be attributed to a cause. The
 * table is bounded by the number of hub ports in the system.
 */
#include <linux/delay.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "pizwg_internal.h"

struct pizwg_port {
	struct list_head node;
	char hub[PIZWG_NAME_MAX];
	u32 number;
	bool leased;
	bool lease_expired;
	/* The holder of the lease; compared, never dereferenced. */
	struct net *lease_net;
	u32 lease_portid;
	/* Set while we switch the port off: ttys vanishing now have this cause. */
	bool switching_off;
	enum pizwg_cause off_cause;
	/* Switched on by request and no tty appeared since. */
	bool on_requested;
};

static DEFINE_MUTEX(pizwg_power_lock);
static DEFINE_MUTEX(pizwg_ports_lock);
static LIST_HEAD(pizwg_ports);
static bool pizwg_unloading;

static void pizwg_lease_work_fn(struct work_struct *work);
static DECLARE_WORK(pizwg_lease_work, pizwg_lease_work_fn);

static struct pizwg_port *pizwg_port_find(const char *hub, u32 number)
{
	struct pizwg_port *p;

	lockdep_assert_held(&pizwg_ports_lock);
	list_for_each_entry(p, &pizwg_ports, node)
		if (p->number == number && !strcmp(p->hub, hub))
			return p;
	return NULL;
}

static struct pizwg_port *pizwg_port_get(const char *hub, u32 number)
{
	struct pizwg_port *p;

	mutex_lock(&pizwg_ports_lock);
	p = pizwg_port_find(hub, number);
	if (!p) {
		p = kzalloc(sizeof(*p), GFP_KERNEL);
		if (p) {
			strscpy(p->hub, hub, sizeof(p->hub));
			p->number = number;
			list_add_tail(&p->node, &pizwg_ports);
		}
	}
	mutex_unlock(&pizwg_ports_lock);
	return p;
}

static bool pizwg_port_held_by(const struct pizwg_port *p, struct net *net,
			       u32 portid)
{
	return p->leased && p->lease_net == net && p->lease_portid == portid;
}

static int pizwg_port_off(const struct pizwg_hub *hub, struct pizwg_port *p,
			  enum pizwg_cause cause)
{
	int ret;

	mutex_lock(&pizwg_ports_lock);
	p->switching_off = true;
	p->off_cause = cause;
	p->on_requested = false;
	mutex_unlock(&pizwg_ports_lock);

	ret = pizwg_hub_switch(hub, p->number, false);

	mutex_lock(&pizwg_ports_lock);
	p->switching_off = false;
	if (!ret) {
		p->leased = false;
		p->lease_expired = false;
	}
	mutex_unlock(&pizwg_ports_lock);

	if (!ret)
		pizwg_event_port(hub->name, p->number, false, false, cause);
	return ret;
}

static int pizwg_port_on(const struct pizwg_hub *hub, struct pizwg_port *p,
			 struct net *net, u32 portid)
{
	int ret;

	/*
	 * Lease first: if the holder closes its socket while we switch, the
	 * release notifier must already see the lease.
	 */
	mutex_lock(&pizwg_ports_lock);
	p->leased = true;
	p->lease_expired = false;
	p->lease_net = net;
	p->lease_portid = portid;
	p->on_requested = true;
	mutex_unlock(&pizwg_ports_lock);

	ret = pizwg_hub_switch(hub, p->number, true);
	if (ret) {
		mutex_lock(&pizwg_ports_lock);
		p->leased = false;
		p->on_requested = false;
		mutex_unlock(&pizwg_ports_lock);
		return ret;
	}
	pizwg_event_port(hub->name, p->number, true, true,
			 PIZWG_CAUSE_REQUEST);
	return 0;
}

static int pizwg_port_check(const struct pizwg_switch_req *req,
			    struct pizwg_hub *hub)
{
	int ret;

	ret = pizwg_hub_get(req->hub, hub);
	if (ret == -ENODEV) {
		NL_SET_ERR_MSG(req->extack, "no such hub");
		return ret;
	}
	if (ret) {
		NL_SET_ERR_MSG(req->extack, "cannot read the hub descriptor");
		return ret;
	}
	if (req->port > hub->num_ports) {
		NL_SET_ERR_MSG(req->extack, "port out of range for this hub");
		pizwg_hub_put(hub);
		return -EINVAL;
	}
	return 0;
}

static int pizwg_port_do_switch(const struct pizwg_switch_req *req,
				const struct pizwg_hub *hub,
				struct pizwg_port *p)
{
	bool busy;
	int ret;

	mutex_lock(&pizwg_ports_lock);
	busy = p->leased && !p->lease_expired &&
	       !pizwg_port_held_by(p, req->net, req->portid);
	mutex_unlock(&pizwg_ports_lock);

	switch (req->action) {
	case PIZWG_ACTION_OFF:
		return pizwg_port_off(hub, p, PIZWG_CAUSE_REQUEST);
	case PIZWG_ACTION_ON:
		if (busy)
			goto busy;
		return pizwg_port_on(hub, p, req->net, req->portid);
	case PIZWG_ACTION_CYCLE:
		if (busy)
			goto busy;
		ret = pizwg_port_off(hub, p, PIZWG_CAUSE_REQUEST);
		if (ret)
			return ret;
		msleep(req->off_ms);
		return pizwg_port_on(hub, p, req->net, req->portid);
	default:
		return -EINVAL;	/* the policy lets no other value through */
	}
busy:
	NL_SET_ERR_MSG(req->extack, "port is leased to another socket");
	return -EBUSY;
}

int pizwg_port_switch(const struct pizwg_switch_req *req)
{
	struct pizwg_hub hub;
	struct pizwg_port *p;
	int ret;

	mutex_lock(&pizwg_power_lock);
	if (pizwg_unloading) {
		ret = -ESHUTDOWN;
		goto out;
	}
	ret = pizwg_port_check(req, &hub);
	if (ret)
		goto out;
	if (hub.switching != PIZWG_SWITCHING_INDIVIDUAL && !req->force) {
		NL_SET_ERR_MSG(req->extack,
			       "hub has no per-port power switching");
		ret = -EOPNOTSUPP;
		goto out_hub;
	}
	p = pizwg_port_get(hub.name, req->port);
	if (!p) {
		ret = -ENOMEM;
		goto out_hub;
	}
	ret = pizwg_port_do_switch(req, &hub, p);
	if (ret && !req->extack->_msg)
		NL_SET_ERR_MSG(req->extack, "switching the port failed");
out_hub:
	pizwg_hub_put(&hub);
out:
	mutex_unlock(&pizwg_power_lock);
	/* Notifications caused by this request reach listeners before the ack. */
	pizwg_event_flush();
	return ret;
}

int pizwg_port_release(const struct pizwg_switch_req *req)
{
	struct pizwg_hub hub;
	struct pizwg_port *p;
	int ret;

	mutex_lock(&pizwg_power_lock);
	ret = pizwg_port_check(req, &hub);
	if (ret)
		goto out;
	ret = -ENOENT;
	mutex_lock(&pizwg_ports_lock);
	p = pizwg_port_find(hub.name, req->port);
	if (p && pizwg_port_held_by(p, req->net, req->portid) &&
	    !p->lease_expired) {
		p->leased = false;
		ret = 0;
	}
	mutex_unlock(&pizwg_ports_lock);
	if (ret)
		NL_SET_ERR_MSG(req->extack, "port is not leased to this socket");
	else
		pizwg_event_port(hub.name, req->port, true, false,
				 PIZWG_CAUSE_REQUEST);
	pizwg_hub_put(&hub);
out:
	mutex_unlock(&pizwg_power_lock);
	pizwg_event_flush();
	return ret;
}

void pizwg_port_fill_leases(struct pizwg_hub_info *info)
{
	struct pizwg_port *p;

	mutex_lock(&pizwg_ports_lock);
	list_for_each_entry(p, &pizwg_ports, node)
		if (p->leased && !strcmp(p->hub, info->name) &&
		    p->number >= 1 && p->number <= info->num_ports)
			info->ports[p->number - 1].leased = true;
	mutex_unlock(&pizwg_ports_lock);
}

enum pizwg_cause pizwg_port_tty_cause(const char *hub, u32 number, bool added)
{
	enum pizwg_cause cause = added ? PIZWG_CAUSE_EXTERNAL : PIZWG_CAUSE_UNPLUG;
	struct pizwg_port *p;

	mutex_lock(&pizwg_ports_lock);
	p = pizwg_port_find(hub, number);
	if (p && added && p->on_requested) {
		p->on_requested = false;
		cause = PIZWG_CAUSE_REQUEST;
	} else if (p && !added && p->switching_off) {
		cause = p->off_cause;
	}
	mutex_unlock(&pizwg_ports_lock);
	return cause;
}

/* Takes one port whose lease is marked by @flag off the list of candidates. */
static bool pizwg_port_next_marked(bool expired_only, char *hub, u32 *number)
{
	struct pizwg_port *p;
	bool found = false;

	mutex_lock(&pizwg_ports_lock);
	list_for_each_entry(p, &pizwg_ports, node) {
		if (!p->leased || (expired_only && !p->lease_expired))
			continue;
		/* Not leased while we work on it, so it is picked only once. */
		p->leased = false;
		p->lease_expired = false;
		strscpy(hub, p->hub, PIZWG_NAME_MAX);
		*number = p->number;
		found = true;
		break;
	}
	mutex_unlock(&pizwg_ports_lock);
	return found;
}

/* Switches off every port whose lease ended (or every leased port). */
static void pizwg_port_off_marked(bool expired_only, enum pizwg_cause cause)
{
	char name[PIZWG_NAME_MAX];
	struct pizwg_hub hub;
	struct pizwg_port *p;
	u32 number;
	int ret;

	lockdep_assert_held(&pizwg_power_lock);
	while (pizwg_port_next_marked(expired_only, name, &number)) {
		if (pizwg_hub_get(name, &hub))
			continue;	/* the hub is gone, and its port with it */
		p = pizwg_port_get(name, number);
		ret = p ? pizwg_port_off(&hub, p, cause) : -ENOMEM;
		if (ret)
			pr_err("pizwg: switching %s port %u off failed: %d\n",
			       name, number, ret);
		pizwg_hub_put(&hub);
	}
}

static void pizwg_lease_work_fn(struct work_struct *work)
{
	mutex_lock(&pizwg_power_lock);
	pizwg_port_off_marked(true, PIZWG_CAUSE_LEASE_EXPIRY);
	mutex_unlock(&pizwg_power_lock);
}

static int pizwg_netlink_notify(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct pizwg_port *p;
	bool expired = false;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;

	mutex_lock(&pizwg_ports_lock);
	list_for_each_entry(p, &pizwg_ports, node) {
		if (pizwg_port_held_by(p, n->net, n->portid)) {
			p->lease_expired = true;
			expired = true;
		}
	}
	mutex_unlock(&pizwg_ports_lock);
	if (expired)
		schedule_work(&pizwg_lease_work);
	return NOTIFY_DONE;
}

static struct notifier_block pizwg_netlink_nb = {
	.notifier_call = pizwg_netlink_notify,
};

int pizwg_port_init(void)
{
	return netlink_register_notifier(&pizwg_netlink_nb);
}

/* Refuses further requests and switches every leased port off. */
void pizwg_port_exit(void)
{
	struct pizwg_port *p, *tmp;

	netlink_unregister_notifier(&pizwg_netlink_nb);
	cancel_work_sync(&pizwg_lease_work);

	mutex_lock(&pizwg_power_lock);
	pizwg_unloading = true;
	pizwg_port_off_marked(false, PIZWG_CAUSE_UNLOAD);
	mutex_unlock(&pizwg_power_lock);

	mutex_lock(&pizwg_ports_lock);
	list_for_each_entry_safe(p, tmp, &pizwg_ports, node) {
		list_del(&p->node);
		kfree(p);
	}
	mutex_unlock(&pizwg_ports_lock);
}
