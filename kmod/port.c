// SPDX-License-Identifier: GPL-2.0-only
/*
 * Port switching policy, leases and the intended state of ports.
 *
 * A port switched on through the family is leased to the requesting netlink
 * socket. When that socket is released (closed, or its process killed), the
 * NETLINK_URELEASE notifier marks an off as due and a work item switches the
 * port off. This keeps "a stick is powered only while its daemon runs" true
 * even when the daemon dies without cleaning up.
 *
 * A record is kept per port that was switched through the family. It holds
 * the port's intended state, which outlives the USB device objects: it is
 * keyed by the hub's name, and a hub's name ("usbB" for a root hub, else
 * "B-DEVPATH") is its bus number and devpath, so a hub that re-enumerates
 * at the same place finds its records again. The hub driver powers every
 * port whenever it binds to a hub (a re-probe, a reset, a brown-out, a
 * driver rebind); when that happens, ports whose intended state is off are
 * switched off again (cause "reapplied") from a work item, before a device
 * on them can enumerate. A lease whose hub goes away ends at once, with an
 * event (cause "hub-gone"), and leaves the intended state off.
 *
 * A port kept off is also claimed (hub.c): the hub driver's first event
 * after a re-probe sees the connect change our switch-off caused and would
 * otherwise power the port back on. The claim is made in the bus notifier,
 * before that event can run, and dropped before the port is switched on.
 *
 * An owed off that fails is retried from the same work item, with a delay
 * that doubles from 100 ms to 5 s, until the port is off or its hub is gone
 * (then the hub's return applies it); each failure is announced as a port
 * event with power on and no lease.
 *
 * The table holds at most PIZWG_PORTS_MAX records; when full, records that
 * carry no intent (released ports) are dropped first.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/delay.h>
#include <linux/moduleparam.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/sock.h>

#include "pizwg_internal.h"

#define PIZWG_PORTS_MAX		256
/*
 * Asynchronous requests a socket may have accepted and not answered yet
 * (queued behind a synchronous cycle, say), so that a client that sends
 * without waiting cannot pin memory unbounded. Per socket only: a total
 * would let one client's requests refuse everyone's "off".
 */
#define PIZWG_ASYNC_PER_SOCKET	PIZWG_ASYNC_PENDING_MAX
#define PIZWG_RETRY_MIN_MS	100
#define PIZWG_RETRY_MAX_MS	5000
#define PIZWG_UNLOAD_TRIES	3
#define PIZWG_GUARDS_MAX	64

/*
 * Guarded ports: powered only while leased, from module load on. Named as
 * HUB:PORT, HUB being the hub's USB device name (its bus number and
 * devpath: "usb1" for a root hub, "1-1.4" for one behind it), e.g.
 * "guard=usb1:1,1-1.4:2" in /etc/modprobe.d. Each is kept off like a port
 * switched off through the family, and its lease cannot be released.
 */
static char *guard = "";
module_param(guard, charp, 0444);
MODULE_PARM_DESC(guard,
		 "Ports powered only while leased: HUB:PORT[,HUB:PORT...], e.g. usb1:1,1-1.4:2");

/*
 * The allow list: when set, only these ports can be switched (or released)
 * through the family, e.g. "allow=usb1:1" on a host whose boot disk sits
 * on another port. Same HUB:PORT syntax as guard; an entry covers both
 * halves of a USB3 port. A forced switch on a hub whose ports switch
 * together needs all of them listed. Empty: any port the hub can switch.
 */
static char *allow = "";
module_param(allow, charp, 0444);
MODULE_PARM_DESC(allow,
		 "Only these ports can be switched: HUB:PORT[,HUB:PORT...]; empty: any");

struct pizwg_port_name {
	char hub[PIZWG_NAME_MAX];
	u32 number;
};

/* Read at init, constant afterwards. */
static struct pizwg_port_name pizwg_allowed[PIZWG_GUARDS_MAX];
static unsigned int pizwg_allowed_count;

static bool pizwg_port_allowed(const char *hub, u32 number)
{
	unsigned int i;

	for (i = 0; i < pizwg_allowed_count; i++)
		if (pizwg_allowed[i].number == number &&
		    !strcmp(pizwg_allowed[i].hub, hub))
			return true;
	return false;
}

/* Whether the port (or, for a USB3 port, its other half) may be switched. */
static bool pizwg_port_allowed_hub(const struct pizwg_hub *hub, u32 number)
{
	char peer[PIZWG_NAME_MAX];
	u32 peer_port;

	if (!pizwg_allowed_count || pizwg_port_allowed(hub->name, number))
		return true;
	pizwg_hub_read_port_peer(hub, number, peer, sizeof(peer), &peer_port);
	return peer_port && pizwg_port_allowed(peer, peer_port);
}

/* Whether every port of @hub may be switched. */
static bool pizwg_hub_allowed(const struct pizwg_hub *hub)
{
	u32 i;

	for (i = 1; i <= hub->num_ports; i++)
		if (!pizwg_port_allowed_hub(hub, i))
			return false;
	return true;
}

enum pizwg_intent {
	PIZWG_INTENT_NONE,	/* released, or not switched yet */
	PIZWG_INTENT_OFF,	/* switched off, or its lease ended */
	PIZWG_INTENT_ON,	/* switched on and leased */
};

struct pizwg_port {
	struct list_head node;
	char hub[PIZWG_NAME_MAX];
	u32 number;
	/* The USB3 port's other half, when it has one (read when switched). */
	char peer[PIZWG_NAME_MAX];
	u32 peer_port;
	enum pizwg_intent intent;
	bool leased;
	/*
	 * The holder of the lease: its socket, referenced while leased (so a
	 * new socket that reuses the port id is never taken for it), and the
	 * namespace and port id its release is announced with.
	 */
	struct sock *lease_sk;
	struct net *lease_net;
	u32 lease_portid;
	/* An off is owed (lease ended, hub re-probed, an off failed). */
	bool off_due;
	enum pizwg_cause due_cause;
	unsigned int failures;
	unsigned long due_at;	/* jiffies: not tried again before */
	/* Bumped whenever an off becomes owed, so a switch racing it keeps it. */
	unsigned int due_gen;
	/* The lease's "on" was announced, so its end is announced too. */
	bool lease_announced;
	/* Set while we switch the port off: ttys vanishing now have this cause. */
	bool switching_off;
	enum pizwg_cause off_cause;
	/* Switched on by request and no tty appeared since. */
	bool on_requested;
	/* Named by the guard parameter: never released, never pruned. */
	bool guarded;
	/*
	 * The power the last switch through the module left (both halves of
	 * a USB3 port), -1 when unknown: never switched, or a hub (re)bound.
	 * What a caller without CAP_NET_ADMIN is told, as it is not read.
	 */
	int switched_power;
	/*
	 * The number of the last SET_PORT accepted for the port (from
	 * pizwg_req_count, never 0): an asynchronous switch still queued when
	 * a later request is accepted is superseded.
	 */
	u64 req_gen;
};

/*
 * An accepted asynchronous SET_PORT (PIZWG_A_ASYNC), switched on
 * pizwg_wq. A cycle runs twice: off, then (after its off time, with no lock
 * held) on.
 */
struct pizwg_async {
	struct list_head node;		/* on pizwg_asyncs */
	struct delayed_work work;
	char hub[PIZWG_NAME_MAX];
	u32 port;
	enum pizwg_action action;
	u32 off_ms;
	bool on_step;			/* a cycle's port is off: on now */
	u64 gen;			/* its number (the port's req_gen) */
	struct pizwg_holder holder;	/* sk and net referenced */
	u32 seq;
};

/*
 * Records are freed only with both locks held (at exit, once nothing else
 * runs, with pizwg_ports_lock only), and only power-lock holders keep
 * pointers to them across unlocking pizwg_ports_lock.
 */
static DEFINE_MUTEX(pizwg_power_lock);
static DEFINE_MUTEX(pizwg_ports_lock);
static LIST_HEAD(pizwg_ports);
static unsigned int pizwg_ports_count;
/* Set under both locks; read under either. */
static bool pizwg_unloading;

/*
 * Asynchronous switches, one at a time in the order accepted (a cycle's
 * wait is a timer, not a sleeping work item). Their list is under
 * pizwg_ports_lock.
 */
static struct workqueue_struct *pizwg_wq;
static LIST_HEAD(pizwg_asyncs);
/* Numbers accepted SET_PORT requests; under pizwg_ports_lock. */
static u64 pizwg_req_count;

static void pizwg_off_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(pizwg_off_work, pizwg_off_work_fn);

/* Sets the off work's timer to the earliest owed off, if any. */
static void pizwg_off_work_rearm(void)
{
	unsigned long now = jiffies, first = 0;
	struct pizwg_port *p;
	bool any = false;

	lockdep_assert_held(&pizwg_ports_lock);
	if (pizwg_unloading)
		return;
	list_for_each_entry(p, &pizwg_ports, node) {
		if (!p->off_due)
			continue;
		if (!any || time_before(p->due_at, first))
			first = p->due_at;
		any = true;
	}
	if (any)
		mod_delayed_work(system_wq, &pizwg_off_work,
				 time_after(first, now) ? first - now : 0);
}

static struct pizwg_port *pizwg_port_find(const char *hub, u32 number)
{
	struct pizwg_port *p;

	lockdep_assert_held(&pizwg_ports_lock);
	list_for_each_entry(p, &pizwg_ports, node)
		if (p->number == number && !strcmp(p->hub, hub))
			return p;
	return NULL;
}

/* Drops the records that carry nothing: no intent, no lease, no off owed. */
static void pizwg_port_prune(void)
{
	struct pizwg_port *p, *tmp;

	lockdep_assert_held(&pizwg_power_lock);
	lockdep_assert_held(&pizwg_ports_lock);
	list_for_each_entry_safe(p, tmp, &pizwg_ports, node) {
		if (p->intent != PIZWG_INTENT_NONE || p->leased || p->off_due ||
		    p->on_requested)
			continue;
		list_del(&p->node);
		kfree(p);
		pizwg_ports_count--;
	}
}

/*
 * The record of @hub's port @number, added (from @new, which is then
 * consumed) if there is none. Records carrying nothing are pruned to make
 * room only when @prune: the caller holds the power lock, so no one else
 * keeps a pointer to one.
 */
static struct pizwg_port *pizwg_port_lookup(const char *hub, u32 number,
					    struct pizwg_port **new,
					    bool prune)
{
	struct pizwg_port *p;

	lockdep_assert_held(&pizwg_ports_lock);
	p = pizwg_port_find(hub, number);
	if (p)
		return p;
	if (pizwg_ports_count >= PIZWG_PORTS_MAX && prune)
		pizwg_port_prune();
	if (pizwg_ports_count >= PIZWG_PORTS_MAX)
		return ERR_PTR(-ENOSPC);
	if (!*new)
		return ERR_PTR(-ENOMEM);
	p = *new;
	*new = NULL;
	strscpy(p->hub, hub, sizeof(p->hub));
	p->number = number;
	p->switched_power = -1;
	list_add_tail(&p->node, &pizwg_ports);
	pizwg_ports_count++;
	return p;
}

static struct pizwg_port *pizwg_port_get(const char *hub, u32 number)
{
	struct pizwg_port *p, *new;

	lockdep_assert_held(&pizwg_power_lock);
	/*
	 * Allocated before taking pizwg_ports_lock, which bus notifiers take
	 * under device locks: no reclaim may wait on USB I/O under it.
	 */
	new = kzalloc(sizeof(*new), GFP_KERNEL);
	mutex_lock(&pizwg_ports_lock);
	p = pizwg_port_lookup(hub, number, &new, true);
	mutex_unlock(&pizwg_ports_lock);
	kfree(new);
	return p;
}

/* Marks an off as owed now; the caller rearms the work. */
static void pizwg_port_owe_off(struct pizwg_port *p, enum pizwg_cause cause)
{
	lockdep_assert_held(&pizwg_ports_lock);
	p->intent = PIZWG_INTENT_OFF;
	p->off_due = true;
	p->due_cause = cause;
	p->due_at = jiffies;
	p->due_gen++;
	p->failures = 0;
}

static bool pizwg_port_held_by(const struct pizwg_port *p,
			       const struct pizwg_holder *h)
{
	return p->leased && p->lease_sk == h->sk;
}

/*
 * Learns the other half of @p's USB3 port, if not known yet: read from
 * sysfs (no USB I/O) and published under pizwg_ports_lock, which its
 * readers hold. The caller holds the power lock.
 */
static void pizwg_port_learn_peer(const struct pizwg_hub *hub,
				  struct pizwg_port *p)
{
	char peer[PIZWG_NAME_MAX];
	u32 peer_port;

	lockdep_assert_held(&pizwg_power_lock);
	if (p->peer_port || strcmp(hub->name, p->hub))
		return;
	pizwg_hub_read_port_peer(hub, p->number, peer, sizeof(peer),
				 &peer_port);
	if (!peer_port)
		return;
	mutex_lock(&pizwg_ports_lock);
	if (!p->peer_port) {
		strscpy(p->peer, peer, sizeof(p->peer));
		p->peer_port = peer_port;
	}
	mutex_unlock(&pizwg_ports_lock);
}

/* Whether records @p and @q are the two halves of one USB3 port. */
static bool pizwg_port_halves(const struct pizwg_port *p,
			      const struct pizwg_port *q)
{
	return p != q &&
	       ((q->peer_port == p->number && !strcmp(q->peer, p->hub)) ||
		(p->peer_port == q->number && !strcmp(p->peer, q->hub)));
}

/*
 * Whether another socket than @h holds @p, or the other half of @p's USB3
 * port (one physical port, one lease: a record naming @p's hub and number
 * as its peer, or @p's own peer).
 */
static bool pizwg_port_busy(const struct pizwg_port *p,
			    const struct pizwg_holder *h)
{
	const struct pizwg_port *q;

	lockdep_assert_held(&pizwg_ports_lock);
	if (p->leased && !pizwg_port_held_by(p, h))
		return true;
	list_for_each_entry(q, &pizwg_ports, node)
		if (q->leased && !pizwg_port_held_by(q, h) &&
		    pizwg_port_halves(p, q))
			return true;
	return false;
}

/* Leases @p to @h, taking a reference on its socket. */
static void pizwg_lease_take(struct pizwg_port *p, const struct pizwg_holder *h)
{
	lockdep_assert_held(&pizwg_ports_lock);
	if (p->lease_sk != h->sk) {
		sock_hold(h->sk);
		if (p->lease_sk)
			sock_put(p->lease_sk);
		p->lease_sk = h->sk;
	}
	p->leased = true;
	p->lease_net = h->net;
	p->lease_portid = h->portid;
}

/* Ends @p's lease, if any (its announcement is the caller's business). */
static void pizwg_lease_drop(struct pizwg_port *p)
{
	lockdep_assert_held(&pizwg_ports_lock);
	p->leased = false;
	if (p->lease_sk)
		sock_put(p->lease_sk);
	p->lease_sk = NULL;
}

/*
 * The cycles of @hub's port @port (of any of its ports: 0) waiting out
 * their off time run their on step now, which answers them (superseded, or
 * their lease ended) instead of when the off time is over. Only those
 * waiting (their work a pending timer): a work running now finds out by
 * itself, and a request not started yet keeps its place in the queue. Not
 * while unloading: exit has queued every one, and pizwg_wq is being
 * destroyed.
 */
static void pizwg_async_wake_one(struct pizwg_async *a)
{
	lockdep_assert_held(&pizwg_ports_lock);
	if (!pizwg_unloading && a->on_step && cancel_delayed_work(&a->work))
		queue_delayed_work(pizwg_wq, &a->work, 0);
}

static void pizwg_async_wake(const char *hub, u32 port)
{
	struct pizwg_async *a;

	lockdep_assert_held(&pizwg_ports_lock);
	list_for_each_entry(a, &pizwg_asyncs, node)
		if ((!port || a->port == port) && !strcmp(a->hub, hub))
			pizwg_async_wake_one(a);
}

/*
 * A later request for @p was accepted: its cycles waiting out their off
 * time are answered now (ECANCELED), so that a client re-cycling a port
 * does not pile them up.
 */
static void pizwg_port_supersede(struct pizwg_port *p)
{
	lockdep_assert_held(&pizwg_ports_lock);
	p->req_gen = ++pizwg_req_count;
	pizwg_async_wake(p->hub, p->number);
}

/*
 * "off" of @p switches the whole USB3 port off: a lease on its other half
 * ends with it (announced), and that half's queued switches are
 * superseded.
 */
static void pizwg_port_end_peer_leases(struct pizwg_port *p)
{
	struct pizwg_port *q;

	lockdep_assert_held(&pizwg_ports_lock);
	list_for_each_entry(q, &pizwg_ports, node) {
		if (!pizwg_port_halves(p, q))
			continue;
		pizwg_port_supersede(q);
		q->intent = PIZWG_INTENT_OFF;
		if (!q->leased)
			continue;
		pizwg_lease_drop(q);
		if (q->lease_announced)
			pizwg_event_port(q->hub, q->number, false, false,
					 PIZWG_CAUSE_REQUEST);
		q->lease_announced = false;
	}
}

/*
 * Claims (or releases) both halves of a USB3 port, each on its hub if that
 * hub is there now. -EBUSY (usbfs holds it) and -ENOENT (not ours) are
 * left as they are.
 */
static void pizwg_port_claim_all(struct pizwg_port *p, bool claim)
{
	struct pizwg_hub hub;

	lockdep_assert_held(&pizwg_power_lock);
	if (!pizwg_hub_find(p->hub, &hub)) {
		pizwg_hub_claim(&hub, p->number, claim);
		pizwg_hub_put(&hub);
	}
	if (p->peer_port && !pizwg_hub_find(p->peer, &hub)) {
		pizwg_hub_claim(&hub, p->peer_port, claim);
		pizwg_hub_put(&hub);
	}
}

/*
 * Switches a port off (through @hub's port @number: the port itself, or its
 * USB3 other half when only that hub is there) and records off as its
 * intended state. On failure an off stays owed and is retried, unless the
 * hub is gone (its return applies it). The lease ends, unless @keep_lease
 * (a cycle's off time, whose holder's socket may close meanwhile).
 * @expect (an off owed, picked by the off work): the number of the last
 * request accepted for the port then. -ECANCELED, and nothing done, if one
 * was accepted since (an asynchronous request does not wait for the power
 * lock): it owns the port and its lease now.
 */
static int pizwg_port_off_via(const struct pizwg_hub *hub, u32 number,
			      struct pizwg_port *p, enum pizwg_cause cause,
			      bool keep_lease, const u64 *expect)
{
	unsigned int ms, gen;
	u64 req;
	int ret;

	lockdep_assert_held(&pizwg_power_lock);
	mutex_lock(&pizwg_ports_lock);
	if (expect && p->req_gen != *expect) {
		mutex_unlock(&pizwg_ports_lock);
		return -ECANCELED;
	}
	gen = p->due_gen;
	req = p->req_gen;
	p->intent = PIZWG_INTENT_OFF;
	p->switching_off = true;
	p->off_cause = cause;
	p->on_requested = false;
	mutex_unlock(&pizwg_ports_lock);

	/* A guarded port may never have been switched: learn its other half. */
	pizwg_port_learn_peer(hub, p);
	ret = pizwg_hub_switch(hub, number, false);
	/* Already claimed after a re-probe; -EBUSY if usbfs holds it. */
	if (!ret)
		pizwg_port_claim_all(p, true);

	mutex_lock(&pizwg_ports_lock);
	p->switching_off = false;
	/* A request accepted meanwhile (not waiting for us) owns the lease. */
	if (!keep_lease && p->req_gen == req) {
		pizwg_lease_drop(p);
		p->lease_announced = false;
	}
	if (p->due_gen != gen) {
		/*
		 * The hub re-bound while we switched (and powered the port):
		 * the off owed since stays owed, whatever this switch did.
		 */
		pizwg_off_work_rearm();
	} else if (!ret) {
		p->off_due = false;
		p->failures = 0;
		p->switched_power = 0;
		/* A cycle's off time: the lease goes on, announced as such. */
		if (p->leased)
			p->lease_announced = true;
		pizwg_event_port(p->hub, p->number, false, p->leased, cause);
	} else if (ret == -ENODEV) {
		p->off_due = false;	/* the hub's return applies it */
	} else {
		p->switched_power = -1;
		ms = min(PIZWG_RETRY_MIN_MS << min(p->failures, 6U),
			 PIZWG_RETRY_MAX_MS);
		p->off_due = true;
		p->due_cause = cause;
		p->due_at = jiffies + msecs_to_jiffies(ms);
		/* Announced on the first failure and every 16th after. */
		if (!(p->failures++ % 16))
			/* Power is not known to be off; nobody holds it. */
			pizwg_event_port(p->hub, p->number, true, false,
					 cause);
		pizwg_off_work_rearm();
		pr_warn_ratelimited("switching %s port %u off failed (%d), retrying\n",
				    hub->name, number, ret);
	}
	mutex_unlock(&pizwg_ports_lock);
	return ret;
}

static int pizwg_port_off(const struct pizwg_hub *hub, struct pizwg_port *p,
			  enum pizwg_cause cause)
{
	return pizwg_port_off_via(hub, p->number, p, cause, false, NULL);
}

/*
 * Leases @p to @h and switches it on. @async: the lease was recorded when
 * the request was accepted, and its holder's socket may have closed since
 * (it is not blocked in the request): then the port stays off.
 */
static int pizwg_port_on(const struct pizwg_hub *hub, struct pizwg_port *p,
			 const struct pizwg_holder *h, bool async,
			 struct netlink_ext_ack *extack)
{
	bool held;
	int ret;

	lockdep_assert_held(&pizwg_power_lock);
	/*
	 * Lease first: if the holder closes its socket while we switch, the
	 * release notifier must already see the lease.
	 */
	mutex_lock(&pizwg_ports_lock);
	if (async && (!pizwg_port_held_by(p, h) || p->off_due ||
		      sock_flag(h->sk, SOCK_DEAD))) {
		mutex_unlock(&pizwg_ports_lock);
		NL_SET_ERR_MSG(extack, "the lease ended before switching");
		return -ENODEV;
	}
	p->intent = PIZWG_INTENT_ON;
	pizwg_lease_take(p, h);
	p->off_due = false;
	p->on_requested = true;
	p->switched_power = -1;		/* until the switch is done */
	mutex_unlock(&pizwg_ports_lock);

	/* Unclaimed, so that the device on it is configured. */
	pizwg_port_claim_all(p, false);
	ret = pizwg_hub_switch(hub, p->number, true);
	if (ret) {
		/*
		 * Half a switch (one half of a USB3 pair, or a hub that
		 * failed midway) may have left power on: the port goes back
		 * off, and stays owed off if that fails too.
		 */
		pizwg_port_off(hub, p, PIZWG_CAUSE_REQUEST);
		return ret;
	}

	/*
	 * The event goes out under the lock, so that it cannot overtake a
	 * "hub-gone" for this lease. If the hub went away meanwhile, or the
	 * holder's socket closed, the lease is over already.
	 */
	mutex_lock(&pizwg_ports_lock);
	held = pizwg_port_held_by(p, h) && !p->off_due;
	p->switched_power = 1;
	if (held) {
		p->lease_announced = true;
		pizwg_event_port(hub->name, p->number, true, true,
				 PIZWG_CAUSE_REQUEST);
	}
	mutex_unlock(&pizwg_ports_lock);
	if (!held) {
		NL_SET_ERR_MSG(extack, "the lease ended while switching");
		return -ENODEV;
	}
	return 0;
}

/* The request's port exists on @hub and may be switched. */
static int pizwg_port_check_hub(const struct pizwg_switch_req *req,
				const struct pizwg_hub *hub)
{
	if (req->port > hub->num_ports) {
		NL_SET_ERR_MSG(req->extack, "port out of range for this hub");
		return -EINVAL;
	}
	if (!pizwg_port_allowed_hub(hub, req->port)) {
		NL_SET_ERR_MSG(req->extack,
			       "port is not in the module's allow list");
		return -EPERM;
	}
	/* Forced on a hub that switches ports together: it switches them all. */
	if (req->force && hub->switching != PIZWG_SWITCHING_INDIVIDUAL &&
	    !pizwg_hub_allowed(hub)) {
		NL_SET_ERR_MSG(req->extack,
			       "hub switches its ports together, and not all are in the allow list");
		return -EPERM;
	}
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
	ret = pizwg_port_check_hub(req, hub);
	if (ret)
		pizwg_hub_put(hub);
	return ret;
}

/*
 * A synchronous cycle's off time (old userspace, without PIZWG_A_ASYNC):
 * its requester may be killed meanwhile (-ECANCELED), and then the port
 * stays off. At least @ms, as msleep() would.
 */
static int pizwg_sleep_killable(unsigned int ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(ms) + 1;
	long left;

	while ((left = (long)(end - jiffies)) > 0) {
		schedule_timeout_killable(left);
		if (fatal_signal_pending(current))
			return -ECANCELED;
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
	busy = pizwg_port_busy(p, &req->holder);
	/* Accepted: supersedes asynchronous switches of the port queued. */
	if (!busy || req->action == PIZWG_ACTION_OFF)
		pizwg_port_supersede(p);
	if (req->action == PIZWG_ACTION_OFF)
		pizwg_port_end_peer_leases(p);
	mutex_unlock(&pizwg_ports_lock);

	switch (req->action) {
	case PIZWG_ACTION_OFF:
		return pizwg_port_off(hub, p, PIZWG_CAUSE_REQUEST);
	case PIZWG_ACTION_ON:
		if (busy)
			goto busy;
		return pizwg_port_on(hub, p, &req->holder, false,
				     req->extack);
	case PIZWG_ACTION_CYCLE:
		if (busy)
			goto busy;
		ret = pizwg_port_off(hub, p, PIZWG_CAUSE_REQUEST);
		if (ret)
			return ret;
		ret = pizwg_sleep_killable(req->off_ms);
		if (ret) {
			/* Not -EINTR: netlink would send no answer at all. */
			NL_SET_ERR_MSG(req->extack,
				       "killed during the off time: the port stays off");
			return ret;
		}
		return pizwg_port_on(hub, p, &req->holder, false,
				     req->extack);
	default:
		return -EINVAL;	/* the policy lets no other value through */
	}
busy:
	NL_SET_ERR_MSG(req->extack, "port is leased to another socket");
	return -EBUSY;
}

/*
 * The power lock, for a synchronous request: held by another one for up to
 * a cycle's off time, so its requester may be killed meanwhile (answered
 * -ECANCELED: -EINTR would get no answer from netlink at all).
 */
static int pizwg_power_lock_killable(struct netlink_ext_ack *extack)
{
	if (!mutex_lock_killable(&pizwg_power_lock))
		return 0;
	NL_SET_ERR_MSG(extack, "killed while waiting for another switch");
	return -ECANCELED;
}

int pizwg_port_switch(const struct pizwg_switch_req *req)
{
	struct pizwg_hub hub;
	struct pizwg_port *p;
	int ret;

	ret = pizwg_power_lock_killable(req->extack);
	if (ret)
		return ret;
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
	if (IS_ERR(p)) {
		ret = PTR_ERR(p);
		if (ret == -ENOSPC)
			NL_SET_ERR_MSG(req->extack,
				       "too many ports with an intended state");
		goto out_hub;
	}
	pizwg_port_learn_peer(&hub, p);
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

/*
 * One step of an asynchronous switch: the whole of "on" and "off", or a
 * cycle's off (then -EINPROGRESS: its on step is queued after the off time)
 * or on. Runs on pizwg_wq with the power lock held.
 */
static int pizwg_async_step(struct pizwg_async *a,
			    struct netlink_ext_ack *extack)
{
	bool latest, held, wait;
	struct pizwg_hub hub;
	struct pizwg_port *p;
	int ret;

	lockdep_assert_held(&pizwg_power_lock);
	if (pizwg_unloading) {
		NL_SET_ERR_MSG(extack, "the module is being unloaded");
		return -ESHUTDOWN;
	}
	p = pizwg_port_get(a->hub, a->port);
	if (IS_ERR(p))
		return PTR_ERR(p);
	mutex_lock(&pizwg_ports_lock);
	latest = p->req_gen == a->gen;
	held = pizwg_port_held_by(p, &a->holder) && !p->off_due &&
	       !sock_flag(a->holder.sk, SOCK_DEAD);
	mutex_unlock(&pizwg_ports_lock);
	if (!latest) {
		NL_SET_ERR_MSG(extack,
			       "superseded by a later request for the port");
		return -ECANCELED;
	}
	if (a->action != PIZWG_ACTION_OFF && !held) {
		struct usb_device *udev = pizwg_hub_dev(a->hub);

		if (udev)
			NL_SET_ERR_MSG(extack, "the lease ended before switching");
		else
			NL_SET_ERR_MSG(extack, "the hub went away");
		usb_put_dev(udev);
		return -ENODEV;
	}
	/* No descriptor read: the request checked the hub. */
	if (pizwg_hub_find(a->hub, &hub)) {
		NL_SET_ERR_MSG(extack, "the hub went away");
		return -ENODEV;
	}
	pizwg_port_learn_peer(&hub, p);
	if (a->action == PIZWG_ACTION_OFF) {
		ret = pizwg_port_off(&hub, p, PIZWG_CAUSE_REQUEST);
	} else if (a->action == PIZWG_ACTION_CYCLE && !a->on_step) {
		/* The lease stays: a holder gone during the off time ends it. */
		ret = pizwg_port_off_via(&hub, p->number, p,
					 PIZWG_CAUSE_REQUEST, true, NULL);
		mutex_lock(&pizwg_ports_lock);
		if (!ret && !pizwg_unloading) {
			/*
			 * Superseded, or the lease ended (its socket closed,
			 * its hub left), while switching: answered at once.
			 */
			wait = p->req_gen == a->gen &&
			       pizwg_port_held_by(p, &a->holder) &&
			       !p->off_due &&
			       !sock_flag(a->holder.sk, SOCK_DEAD);
			a->on_step = true;
			/*
			 * From here on neither this step nor the work
			 * function touches @a: its next run unlists and
			 * frees it.
			 */
			queue_delayed_work(pizwg_wq, &a->work,
					   wait ? msecs_to_jiffies(a->off_ms) :
						  0);
			ret = -EINPROGRESS;
		} else if (!ret) {
			NL_SET_ERR_MSG(extack, "the module is being unloaded");
			ret = -ESHUTDOWN;
		}
		mutex_unlock(&pizwg_ports_lock);
	} else {
		ret = pizwg_port_on(&hub, p, &a->holder, true, extack);
	}
	pizwg_hub_put(&hub);
	if (ret && ret != -EINPROGRESS && !extack->_msg)
		NL_SET_ERR_MSG(extack, "switching the port failed");
	return ret;
}

static void pizwg_async_work_fn(struct work_struct *work)
{
	struct pizwg_async *a = container_of(to_delayed_work(work),
					     struct pizwg_async, work);
	struct netlink_ext_ack extack = {};
	int ret;

	mutex_lock(&pizwg_power_lock);
	ret = pizwg_async_step(a, &extack);
	mutex_lock(&pizwg_ports_lock);
	/* Requests that do not wait for the power lock rarely prune. */
	if (pizwg_ports_count > PIZWG_PORTS_MAX / 2)
		pizwg_port_prune();
	if (ret != -EINPROGRESS)
		list_del(&a->node);
	mutex_unlock(&pizwg_ports_lock);
	mutex_unlock(&pizwg_power_lock);
	if (ret == -EINPROGRESS)
		return;
	/* The answer comes after the notifications the switch caused. */
	pizwg_event_flush();
	/*
	 * Not to a closed socket: a new one may have its port id (autobind
	 * takes the process's id first), and this answer is not for it.
	 */
	if (!sock_flag(a->holder.sk, SOCK_DEAD))
		pizwg_nl_set_port_done(a->holder.net, a->holder.portid,
				       a->seq, a->hub, a->port, a->action, ret,
				       extack._msg);
	put_net(a->holder.net);
	sock_put(a->holder.sk);
	kfree(a);
}

/*
 * Whether @h's socket has as many requests pending as allowed. Entries hold
 * a reference to their socket until unlisted, so no other socket can have
 * its address meanwhile.
 */
static bool pizwg_async_full(const struct pizwg_holder *h)
{
	unsigned int mine = 0;
	struct pizwg_async *a;

	lockdep_assert_held(&pizwg_ports_lock);
	list_for_each_entry(a, &pizwg_asyncs, node)
		if (a->holder.sk == h->sk && ++mine >= PIZWG_ASYNC_PER_SOCKET)
			return true;
	return false;
}

/*
 * Accepts an asynchronous SET_PORT: checks it, records its effect on the
 * lease at once (so that the holder's socket closing from now on ends with
 * the port off, and another socket's "on" is EBUSY), and queues the switch.
 * Takes no lock held across USB I/O or a switch: the hub's switching mode
 * comes from hub.c's cache (read from the descriptor once per hub binding).
 */
int pizwg_port_switch_async(const struct pizwg_switch_req *req, u32 seq)
{
	char peer[PIZWG_NAME_MAX];
	struct pizwg_port *p, *new;
	struct pizwg_async *a;
	struct pizwg_hub hub;
	u32 peer_port;
	bool pruning;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!a || !new) {
		ret = -ENOMEM;
		goto out_free;
	}
	/*
	 * What the hub driver's binding taught hub.c: no USB I/O, no USB
	 * device lock. Else (its descriptor could not be read then) read it.
	 */
	ret = pizwg_hub_known(req->hub, NULL, &hub);
	if (!ret && hub.switching == PIZWG_SWITCHING_UNKNOWN)
		ret = -ENOENT;	/* read it now */
	if (!ret)
		ret = pizwg_port_check_hub(req, &hub);
	else
		ret = pizwg_port_check(req, &hub);
	if (ret)
		goto out_free;
	if (hub.switching != PIZWG_SWITCHING_INDIVIDUAL && !req->force) {
		NL_SET_ERR_MSG(req->extack,
			       "hub has no per-port power switching");
		ret = -EOPNOTSUPP;
		goto out_hub;
	}

	/* The USB3 port's other half, for the lease check (sysfs, no I/O). */
	pizwg_hub_read_port_peer(&hub, req->port, peer, sizeof(peer),
				 &peer_port);
	/*
	 * Records carrying nothing are pruned to make room only by power-lock
	 * holders (no one else keeps pointers to records); not waited for.
	 */
	pruning = READ_ONCE(pizwg_ports_count) >= PIZWG_PORTS_MAX &&
		  mutex_trylock(&pizwg_power_lock);
	mutex_lock(&pizwg_ports_lock);
	if (pizwg_unloading) {
		NL_SET_ERR_MSG(req->extack, "the module is being unloaded");
		ret = -ESHUTDOWN;
		goto out_unlock;
	}
	if (pizwg_async_full(&req->holder)) {
		NL_SET_ERR_MSG(req->extack,
			       "too many asynchronous requests pending");
		ret = -EAGAIN;
		goto out_unlock;
	}
	p = pizwg_port_lookup(hub.name, req->port, &new, pruning);
	if (IS_ERR(p)) {
		ret = PTR_ERR(p);
		if (ret == -ENOSPC)
			NL_SET_ERR_MSG(req->extack,
				       "too many ports with an intended state");
		goto out_unlock;
	}
	if (!p->peer_port && peer_port) {
		strscpy(p->peer, peer, sizeof(p->peer));
		p->peer_port = peer_port;
	}
	if (req->action != PIZWG_ACTION_OFF &&
	    pizwg_port_busy(p, &req->holder)) {
		NL_SET_ERR_MSG(req->extack, "port is leased to another socket");
		ret = -EBUSY;
		goto out_unlock;
	}
	pizwg_port_supersede(p);
	if (req->action == PIZWG_ACTION_OFF) {
		/*
		 * "off" from any socket ends the lease now, and the off is
		 * owed from now on: a hub unbind or an unload before our work
		 * runs switches the port off too. (The off work is not woken:
		 * ours does it.)
		 */
		pizwg_lease_drop(p);
		p->lease_announced = false;
		p->on_requested = false;
		pizwg_port_owe_off(p, PIZWG_CAUSE_REQUEST);
		pizwg_port_end_peer_leases(p);
	} else {
		p->intent = PIZWG_INTENT_ON;
		pizwg_lease_take(p, &req->holder);
		p->off_due = false;
	}
	strscpy(a->hub, hub.name, sizeof(a->hub));
	a->port = req->port;
	a->action = req->action;
	a->off_ms = req->off_ms;
	a->gen = p->req_gen;
	a->holder = req->holder;
	get_net(a->holder.net);
	sock_hold(a->holder.sk);
	a->seq = seq;
	INIT_DELAYED_WORK(&a->work, pizwg_async_work_fn);
	list_add_tail(&a->node, &pizwg_asyncs);
	queue_delayed_work(pizwg_wq, &a->work, 0);
	a = NULL;
out_unlock:
	mutex_unlock(&pizwg_ports_lock);
	if (pruning)
		mutex_unlock(&pizwg_power_lock);
out_hub:
	pizwg_hub_put(&hub);
out_free:
	kfree(new);
	kfree(a);
	return ret;
}

int pizwg_port_release(const struct pizwg_switch_req *req)
{
	struct pizwg_hub hub;
	struct pizwg_port *p;
	int ret;

	ret = pizwg_power_lock_killable(req->extack);
	if (ret)
		return ret;
	if (pizwg_unloading) {
		ret = -ESHUTDOWN;
		goto out;
	}
	ret = pizwg_port_check(req, &hub);
	if (ret)
		goto out;
	ret = -ENOENT;
	mutex_lock(&pizwg_ports_lock);
	p = pizwg_port_find(hub.name, req->port);
	if (p && p->guarded) {
		ret = -EPERM;
		NL_SET_ERR_MSG(req->extack,
			       "port is guarded: powered only while leased");
	} else if (p && pizwg_port_held_by(p, &req->holder)) {
		pizwg_lease_drop(p);
		p->lease_announced = false;
		p->intent = PIZWG_INTENT_NONE;
		/* Off if released in a cycle's off time, which ends now. */
		pizwg_event_port(hub.name, req->port, p->switched_power != 0,
				 false, PIZWG_CAUSE_REQUEST);
		pizwg_async_wake(p->hub, p->number);
		ret = 0;
	}
	mutex_unlock(&pizwg_ports_lock);
	if (ret == -ENOENT)
		NL_SET_ERR_MSG(req->extack, "port is not leased to this socket");
	pizwg_hub_put(&hub);
out:
	mutex_unlock(&pizwg_power_lock);
	pizwg_event_flush();
	return ret;
}

/*
 * Leases and guards into @info; and, when its ports were not read from the
 * hub, the power the module's last switch of each left (on either half of
 * a USB3 port), on a hub that switches its ports one by one.
 */
void pizwg_port_fill_leases(struct pizwg_hub_info *info)
{
	bool recorded = !info->live &&
			info->switching == PIZWG_SWITCHING_INDIVIDUAL;
	struct pizwg_port *p;

	mutex_lock(&pizwg_ports_lock);
	list_for_each_entry(p, &pizwg_ports, node) {
		if (recorded && p->switched_power >= 0 && p->peer_port &&
		    p->peer_port <= info->num_ports &&
		    !strcmp(p->peer, info->name))
			info->ports[p->peer_port - 1].power = p->switched_power;
		if (strcmp(p->hub, info->name) || p->number < 1 ||
		    p->number > info->num_ports)
			continue;
		info->ports[p->number - 1].leased = p->leased;
		info->ports[p->number - 1].guarded = p->guarded;
		if (recorded && p->switched_power >= 0)
			info->ports[p->number - 1].power = p->switched_power;
	}
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

/*
 * The hub driver bound to @hdev and powered all its ports: every port we
 * want off is claimed at once and owed an off. Runs from the USB bus
 * notifier with @hdev's lock held, which claiming needs; the switching is
 * left to the work item.
 */
void pizwg_port_hub_bound(struct usb_device *hdev)
{
	const char *hub = dev_name(&hdev->dev);
	struct pizwg_port *p;
	bool due = false;

	mutex_lock(&pizwg_ports_lock);
	/* No claim may outlive the module. */
	if (pizwg_unloading)
		goto out;
	list_for_each_entry(p, &pizwg_ports, node) {
		/* The hub driver powered every port: until switched again. */
		if (!strcmp(p->hub, hub) ||
		    (p->peer_port && !strcmp(p->peer, hub)))
			p->switched_power = -1;
		if (p->intent != PIZWG_INTENT_OFF)
			continue;
		if (!strcmp(p->hub, hub)) {
			pizwg_hub_claim_locked(hdev, p->number, true);
		} else if (p->peer_port && !strcmp(p->peer, hub)) {
			/* The other half of a USB3 port came back. */
			pizwg_hub_claim_locked(hdev, p->peer_port, true);
		} else {
			continue;
		}
		pizwg_port_owe_off(p, PIZWG_CAUSE_REAPPLIED);
		due = true;
	}
	if (due)
		pizwg_off_work_rearm();
out:
	mutex_unlock(&pizwg_ports_lock);
}

/*
 * The hub driver is leaving @hub (removal, deauthorisation, unbind): its
 * ports' leases end now, with an event, and the intended state of a leased
 * port becomes off, applied when the hub comes back. From the bus notifier.
 */
void pizwg_port_hub_unbind(struct usb_device *hdev)
{
	const char *hub = dev_name(&hdev->dev);
	int cut_ret[USB_MAXCHILDREN];
	u32 cut[USB_MAXCHILDREN];
	unsigned int n = 0, i;
	bool off, rearm = false;
	struct pizwg_port *p;

	/*
	 * The hub driver leaves the power as it is (a deauthorised or unbound
	 * hub keeps powering its ports): cut it on every leased port, and on
	 * every port owed an off (the hub driver powered it at its last bind),
	 * while the hub is still bound and its lock held. Collected first:
	 * the cut is USB I/O, not for under pizwg_ports_lock.
	 */
	mutex_lock(&pizwg_ports_lock);
	list_for_each_entry(p, &pizwg_ports, node) {
		if (strcmp(p->hub, hub) || n == ARRAY_SIZE(cut))
			continue;
		if (p->leased || (p->intent == PIZWG_INTENT_OFF && p->off_due))
			cut[n++] = p->number;
	}
	mutex_unlock(&pizwg_ports_lock);
	for (i = 0; i < n; i++)
		cut_ret[i] = pizwg_hub_power_off_locked(hdev, cut[i]);

	mutex_lock(&pizwg_ports_lock);
	list_for_each_entry(p, &pizwg_ports, node) {
		if (strcmp(p->hub, hub))
			continue;
		off = true;
		for (i = 0; i < n; i++)
			if (cut[i] == p->number)
				off = !cut_ret[i];
		/* Nothing to switch through the hub driver until it is back. */
		p->off_due = false;
		p->failures = 0;
		p->switched_power = -1;
		if (p->intent == PIZWG_INTENT_ON)
			p->intent = PIZWG_INTENT_OFF;
		if (!p->leased)
			continue;
		pizwg_lease_drop(p);
		/*
		 * The other half of a USB3 port still powers it, if its hub
		 * is there: the off stays owed, through that half (the off
		 * work finds this hub gone and takes the peer).
		 */
		if (p->peer_port) {
			off = false;
			pizwg_port_owe_off(p, PIZWG_CAUSE_HUB_GONE);
			rearm = true;
		}
		if (p->lease_announced)
			pizwg_event_port(p->hub, p->number, !off, false,
					 PIZWG_CAUSE_HUB_GONE);
		p->lease_announced = false;
	}
	if (rearm)
		pizwg_off_work_rearm();
	/* Its ports' cycles waiting out their off time: the lease ended. */
	pizwg_async_wake(hub, 0);
	mutex_unlock(&pizwg_ports_lock);
}

/*
 * Takes one port that is owed an off by @now (or, @all, every port owed an
 * off and every leased one). @req: the number of the last request accepted
 * for it.
 */
static bool pizwg_port_next_due(bool all, unsigned long now, char *hub,
				u32 *number, enum pizwg_cause *cause, u64 *req)
{
	struct pizwg_port *p;
	bool found = false;

	mutex_lock(&pizwg_ports_lock);
	list_for_each_entry(p, &pizwg_ports, node) {
		if (all ? !p->off_due && !p->leased :
			  !p->off_due || time_after(p->due_at, now))
			continue;
		*cause = p->off_due ? p->due_cause : PIZWG_CAUSE_UNLOAD;
		/* Picked once per pass; a failed off marks it due again. */
		p->off_due = false;
		pizwg_lease_drop(p);
		strscpy(hub, p->hub, PIZWG_NAME_MAX);
		*number = p->number;
		*req = p->req_gen;
		found = true;
		break;
	}
	mutex_unlock(&pizwg_ports_lock);
	return found;
}

static void pizwg_port_off_due(void)
{
	char name[PIZWG_NAME_MAX];
	enum pizwg_cause cause;
	struct pizwg_hub hub;
	struct pizwg_port *p;
	unsigned long now = jiffies;
	u32 number;
	u64 req;

	/* A port whose off fails now is due later: one try per pass. */
	lockdep_assert_held(&pizwg_power_lock);
	while (pizwg_port_next_due(false, now, name, &number, &cause, &req)) {
		/*
		 * Records are freed only under the power lock we hold. Not
		 * switched if a request was accepted since the pick (@req).
		 */
		mutex_lock(&pizwg_ports_lock);
		p = pizwg_port_find(name, number);
		mutex_unlock(&pizwg_ports_lock);
		if (!p)
			continue;
		if (!pizwg_hub_find(name, &hub)) {
			pizwg_port_off_via(&hub, p->number, p, cause, false,
					   &req);
			pizwg_hub_put(&hub);
		} else if (p->peer_port && !pizwg_hub_find(p->peer, &hub)) {
			/* Only the USB3 port's other half is back. */
			pizwg_port_off_via(&hub, p->peer_port, p, cause, false,
					   &req);
			pizwg_hub_put(&hub);
		}
		/* Else both are gone: their return applies the off. */
	}
	/* Ports whose off failed in this pass are due later. */
	mutex_lock(&pizwg_ports_lock);
	pizwg_off_work_rearm();
	mutex_unlock(&pizwg_ports_lock);
}

static void pizwg_off_work_fn(struct work_struct *work)
{
	mutex_lock(&pizwg_power_lock);
	if (!pizwg_unloading)
		pizwg_port_off_due();
	mutex_unlock(&pizwg_power_lock);
}

static int pizwg_netlink_notify(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct pizwg_async *a;
	struct pizwg_port *p;
	bool due = false;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;

	mutex_lock(&pizwg_ports_lock);
	list_for_each_entry(p, &pizwg_ports, node) {
		/*
		 * The socket being released is unhashed and dead already: a
		 * new socket that took its port id meanwhile is not it.
		 */
		if (!p->leased || p->lease_net != n->net ||
		    p->lease_portid != n->portid ||
		    !sock_flag(p->lease_sk, SOCK_DEAD))
			continue;
		pizwg_lease_drop(p);
		pizwg_port_owe_off(p, PIZWG_CAUSE_LEASE_EXPIRY);
		due = true;
	}
	if (due)
		pizwg_off_work_rearm();
	/*
	 * The socket's cycles waiting out their off time end now (answered
	 * to no one), not holding it and its namespace for up to
	 * PIZWG_OFF_MS_MAX: whether it still held their port or not.
	 */
	list_for_each_entry(a, &pizwg_asyncs, node)
		if (a->holder.net == n->net && a->holder.portid == n->portid &&
		    sock_flag(a->holder.sk, SOCK_DEAD))
			pizwg_async_wake_one(a);
	mutex_unlock(&pizwg_ports_lock);
	return NOTIFY_DONE;
}

static struct notifier_block pizwg_netlink_nb = {
	.notifier_call = pizwg_netlink_notify,
};

static void pizwg_port_free_all(void)
{
	struct pizwg_port *p, *tmp;

	mutex_lock(&pizwg_ports_lock);
	list_for_each_entry_safe(p, tmp, &pizwg_ports, node) {
		pizwg_lease_drop(p);
		list_del(&p->node);
		kfree(p);
	}
	pizwg_ports_count = 0;
	mutex_unlock(&pizwg_ports_lock);
}

/*
 * Skips one number as the USB core writes them (1..., no leading zero);
 * NULL if there is none.
 */
static const char *pizwg_skip_number(const char *s)
{
	if (*s < '1' || *s > '9')
		return NULL;
	while (isdigit(*s))
		s++;
	return s;
}

/* Whether @s can be a hub's name: "usbB" or "B-P[.P...]". */
static bool pizwg_valid_hub_name(const char *s)
{
	if (!strncmp(s, "usb", 3)) {
		s = pizwg_skip_number(s + 3);
		return s && !*s;
	}
	s = pizwg_skip_number(s);
	if (!s || *s++ != '-')
		return false;
	for (;;) {
		s = pizwg_skip_number(s);
		if (!s)
			return false;
		if (!*s)
			return true;
		if (*s++ != '.')
			return false;
	}
}

/* Reads "HUB:PORT" into @name. */
static int pizwg_parse_port_name(const char *entry,
				 struct pizwg_port_name *name)
{
	const char *colon = strrchr(entry, ':');

	if (!colon || colon - entry >= PIZWG_NAME_MAX)
		return -EINVAL;
	memcpy(name->hub, entry, colon - entry);
	name->hub[colon - entry] = '\0';
	if (!pizwg_valid_hub_name(name->hub) ||
	    kstrtou32(colon + 1, 10, &name->number) || name->number < 1 ||
	    name->number > USB_MAXCHILDREN)
		return -EINVAL;
	return 0;
}

/*
 * Adds one guard entry. The allow list names the only ports this module
 * may touch (a host's boot disk stays off it): a guarded port it does not
 * name is not guarded, with a warning, and the load goes on (failing it
 * would leave every guarded port to the hub driver, powered).
 */
static int pizwg_guard_add(const struct pizwg_port_name *name)
{
	struct pizwg_port *p;

	if (pizwg_allowed_count &&
	    !pizwg_port_allowed(name->hub, name->number)) {
		pr_warn("guard: %s:%u is not in the allow list: not guarded\n",
			name->hub, name->number);
		return 0;
	}
	mutex_lock(&pizwg_power_lock);
	p = pizwg_port_get(name->hub, name->number);
	mutex_unlock(&pizwg_power_lock);
	if (IS_ERR(p))
		return PTR_ERR(p);
	mutex_lock(&pizwg_ports_lock);
	p->guarded = true;
	p->intent = PIZWG_INTENT_OFF;
	mutex_unlock(&pizwg_ports_lock);
	return 0;
}

static int pizwg_allow_add(const struct pizwg_port_name *name)
{
	if (!pizwg_port_allowed(name->hub, name->number))
		pizwg_allowed[pizwg_allowed_count++] = *name;
	return 0;
}

/*
 * Reads a HUB:PORT list parameter, calling @add for each entry: one line
 * naming the first bad entry, and EINVAL (or @add's error).
 */
static int pizwg_parse_ports(const char *param, const char *value,
			     int (*add)(const struct pizwg_port_name *name))
{
	struct pizwg_port_name name;
	char *list, *cur, *entry;
	unsigned int n = 0;
	int ret = 0;

	list = kstrdup(value ?: "", GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	cur = strim(list);
	while ((entry = strsep(&cur, ",")) != NULL) {
		entry = strim(entry);
		if (!*entry && !cur && !n)
			break;	/* empty parameter: no port */
		if (++n > PIZWG_GUARDS_MAX) {
			pr_err("%s: more than %u ports\n", param,
			       PIZWG_GUARDS_MAX);
			ret = -EINVAL;
			break;
		}
		ret = pizwg_parse_port_name(entry, &name);
		if (ret) {
			pr_err("%s: '%s' is not HUB:PORT (e.g. usb1:1 or 1-1.4:2)\n",
			       param, entry);
			break;
		}
		ret = add(&name);
		if (ret)
			break;
	}
	kfree(list);
	return ret;
}

/*
 * Owes an off to every port meant to be off, wherever its hub is: at load
 * (guarded ports), and once the USB bus is watched, for the hubs whose
 * binding the bus notifier did not see.
 */
void pizwg_port_apply_all(void)
{
	struct pizwg_port *p;
	bool due = false;

	mutex_lock(&pizwg_ports_lock);
	list_for_each_entry(p, &pizwg_ports, node) {
		if (p->intent != PIZWG_INTENT_OFF || p->off_due)
			continue;
		pizwg_port_owe_off(p, PIZWG_CAUSE_REAPPLIED);
		due = true;
	}
	if (due)
		pizwg_off_work_rearm();
	mutex_unlock(&pizwg_ports_lock);
}

int pizwg_port_init(void)
{
	int ret;

	pizwg_wq = alloc_ordered_workqueue("pizwg", 0);
	if (!pizwg_wq)
		return -ENOMEM;
	ret = pizwg_parse_ports("allow", allow, pizwg_allow_add);
	if (!ret)
		ret = pizwg_parse_ports("guard", guard, pizwg_guard_add);
	if (ret)
		goto err;
	ret = netlink_register_notifier(&pizwg_netlink_nb);
	if (ret)
		goto err;
	return 0;
err:
	pizwg_port_free_all();
	destroy_workqueue(pizwg_wq);
	return ret;
}

/*
 * Refuses further requests, answers queued asynchronous ones with
 * ESHUTDOWN, and switches off every leased port and every port owed an off,
 * a few times each before giving up on it.
 */
void pizwg_port_exit(void)
{
	char name[PIZWG_NAME_MAX];
	struct pizwg_async *a;
	enum pizwg_cause cause;
	struct pizwg_port *p;
	struct pizwg_hub hub;
	unsigned int i;
	u32 number;
	u64 req;
	int ret;

	netlink_unregister_notifier(&pizwg_netlink_nb);
	mutex_lock(&pizwg_power_lock);
	mutex_lock(&pizwg_ports_lock);
	pizwg_unloading = true;
	/*
	 * Switches waiting for a cycle's off time run now, see
	 * pizwg_unloading and answer so. Only a work item that was pending
	 * is queued again: one running now ends (and frees itself) on its own.
	 */
	list_for_each_entry(a, &pizwg_asyncs, node)
		if (cancel_delayed_work(&a->work))
			queue_delayed_work(pizwg_wq, &a->work, 0);
	mutex_unlock(&pizwg_ports_lock);
	mutex_unlock(&pizwg_power_lock);
	destroy_workqueue(pizwg_wq);
	/* Nothing queues it now; the hub notifiers only mark. */
	cancel_delayed_work_sync(&pizwg_off_work);

	mutex_lock(&pizwg_power_lock);
	while (pizwg_port_next_due(true, jiffies, name, &number, &cause,
				   &req)) {
		if (cause != PIZWG_CAUSE_LEASE_EXPIRY)
			cause = PIZWG_CAUSE_UNLOAD;
		ret = -ENODEV;
		for (i = 0; i < PIZWG_UNLOAD_TRIES && ret; i++) {
			if (i)
				msleep(PIZWG_RETRY_MIN_MS);
			if (pizwg_hub_find(name, &hub))
				break;	/* the hub and its port are gone */
			p = pizwg_port_get(name, number);
			ret = IS_ERR(p) ? PTR_ERR(p) :
					  pizwg_port_off(&hub, p, cause);
			pizwg_hub_put(&hub);
		}
		/* pizwg_port_off() marked it due again: not this time. */
		mutex_lock(&pizwg_ports_lock);
		p = pizwg_port_find(name, number);
		if (p)
			p->off_due = false;
		mutex_unlock(&pizwg_ports_lock);
		if (ret && ret != -ENODEV)
			pr_err("switching %s port %u off at unload failed: %d\n",
			       name, number, ret);
	}

	/*
	 * Claims go with us. Records are freed only under the power lock, and
	 * added under it or by asynchronous requests, which are refused now
	 * (pizwg_unloading): the list holds still; names and numbers never
	 * change.
	 */
	list_for_each_entry(p, &pizwg_ports, node)
		pizwg_port_claim_all(p, false);
	mutex_unlock(&pizwg_power_lock);
	pizwg_port_free_all();
}
