// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "pizwg" generic netlink family: policies first, then one small
 * function per command, then the family. kmod/uapi/pizwg.h documents every
 * command and attribute.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "pizwg_internal.h"

/*
 * Numbers are range-checked in pizwg_check_numbers(), not by range policies:
 * those answer ERANGE, and the contract promises EINVAL for every malformed
 * request. (A validation function would do, but Linux 6.12 WARNs when it
 * describes such a policy in an extended ack.)
 */
/*
 * Every policy spans all attributes, so that info->attrs always has
 * PIZWG_A_MAX + 1 entries; attributes an op does not take are NLA_UNSPEC,
 * which strict validation rejects.
 */
#define PIZWG_POLICY_HUB { .type = NLA_NUL_STRING, .len = PIZWG_NAME_MAX - 1 }
#define PIZWG_POLICY_PORT { .type = NLA_U32 }

static const struct nla_policy pizwg_get_hub_policy[PIZWG_A_MAX + 1] = {
	[PIZWG_A_HUB] = PIZWG_POLICY_HUB,
};

static const struct nla_policy pizwg_set_port_policy[PIZWG_A_MAX + 1] = {
	[PIZWG_A_HUB] = PIZWG_POLICY_HUB,
	[PIZWG_A_PORT] = PIZWG_POLICY_PORT,
	[PIZWG_A_ACTION] = { .type = NLA_U32 },
	[PIZWG_A_OFF_MS] = { .type = NLA_U32 },
	[PIZWG_A_FORCE] = { .type = NLA_FLAG },
	[PIZWG_A_ASYNC] = { .type = NLA_FLAG },
};

static const struct nla_policy pizwg_release_port_policy[PIZWG_A_MAX + 1] = {
	[PIZWG_A_HUB] = PIZWG_POLICY_HUB,
	[PIZWG_A_PORT] = PIZWG_POLICY_PORT,
};

static const struct nla_policy pizwg_get_tty_policy[PIZWG_A_MAX + 1] = {
	[PIZWG_A_TTY] = { .type = NLA_NUL_STRING, .len = PIZWG_NAME_MAX - 1 },
};

static struct genl_family pizwg_family;

/*
 * The host's network namespaces: the initial one and those owned by the
 * initial user namespace (ip netns, rootful containers). Requests and
 * events are for them only; a namespace of another user namespace
 * (unshare -Urn, a rootless container) gets EPERM and hears nothing.
 */
static bool pizwg_host_net(const struct net *net)
{
	return net->user_ns == &init_user_ns;
}

static int pizwg_check_net(const struct net *net,
			   struct netlink_ext_ack *extack)
{
	if (pizwg_host_net(net))
		return 0;
	NL_SET_ERR_MSG(extack,
		       "not from a network namespace of another user namespace");
	return -EPERM;
}

static bool pizwg_out_of_range(struct genl_info *info, int attr, u32 min,
			       u32 max)
{
	struct nlattr *a = info->attrs[attr];

	return a && (nla_get_u32(a) < min || nla_get_u32(a) > max);
}

static int pizwg_check_numbers(struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **attrs = info->attrs;

	if (pizwg_out_of_range(info, PIZWG_A_PORT, 1, USB_MAXCHILDREN)) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[PIZWG_A_PORT],
				    "port numbers run from 1 to 31");
		return -EINVAL;
	}
	if (pizwg_out_of_range(info, PIZWG_A_ACTION, 0, PIZWG_ACTION_MAX)) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[PIZWG_A_ACTION],
				    "unknown action");
		return -EINVAL;
	}
	if (pizwg_out_of_range(info, PIZWG_A_OFF_MS, PIZWG_OFF_MS_MIN,
			       PIZWG_OFF_MS_MAX)) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[PIZWG_A_OFF_MS],
				    "off time out of range (10..60000 ms)");
		return -EINVAL;
	}
	return 0;
}

/* Like GENL_REQ_ATTR_CHECK, with a message for people, not only tools. */
static bool pizwg_missing(struct genl_info *info, int attr)
{
	if (!GENL_REQ_ATTR_CHECK(info, attr))
		return false;
	NL_SET_ERR_MSG(info->extack, "required attribute missing");
	return true;
}

static int pizwg_put_str(struct sk_buff *skb, int attr, const char *s)
{
	return s[0] ? nla_put_string(skb, attr, s) : 0;
}

static int pizwg_put_port(struct sk_buff *skb, const struct pizwg_port_info *p)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, PIZWG_A_PORT_INFO);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, PIZWG_PORT_A_NUMBER, p->number) ||
	    nla_put_u8(skb, PIZWG_PORT_A_POWER, p->power) ||
	    nla_put_u8(skb, PIZWG_PORT_A_CONNECTED, p->connected) ||
	    pizwg_put_str(skb, PIZWG_PORT_A_CHILD, p->child) ||
	    nla_put_u8(skb, PIZWG_PORT_A_LEASED, p->leased) ||
	    nla_put_u8(skb, PIZWG_PORT_A_GUARDED, p->guarded) ||
	    nla_put_u8(skb, PIZWG_PORT_A_POWER_KNOWN, p->power_known)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int pizwg_put_hub(struct sk_buff *skb, const struct pizwg_hub_info *h)
{
	u32 i;

	if (nla_put_string(skb, PIZWG_A_HUB, h->name) ||
	    nla_put_u32(skb, PIZWG_A_BUSNUM, h->busnum) ||
	    nla_put_string(skb, PIZWG_A_DEVPATH, h->devpath) ||
	    nla_put_u16(skb, PIZWG_A_VENDOR_ID, h->vendor_id) ||
	    nla_put_u16(skb, PIZWG_A_PRODUCT_ID, h->product_id) ||
	    nla_put_u32(skb, PIZWG_A_NUM_PORTS, h->num_ports) ||
	    nla_put_u32(skb, PIZWG_A_SWITCHING, h->switching) ||
	    pizwg_put_str(skb, PIZWG_A_PEER_HUB, h->peer))
		return -EMSGSIZE;
	for (i = 0; i < h->num_ports; i++)
		if (pizwg_put_port(skb, &h->ports[i]))
			return -EMSGSIZE;
	return 0;
}

static int pizwg_put_tty(struct sk_buff *skb, const struct pizwg_tty_info *t)
{
	if (nla_put_string(skb, PIZWG_A_TTY, t->name) ||
	    nla_put_u32(skb, PIZWG_A_TTY_MAJOR, t->major) ||
	    nla_put_u32(skb, PIZWG_A_TTY_MINOR, t->minor) ||
	    nla_put_u32(skb, PIZWG_A_BUSNUM, t->busnum) ||
	    nla_put_string(skb, PIZWG_A_DEVPATH, t->devpath) ||
	    nla_put_string(skb, PIZWG_A_DEVICE, t->device) ||
	    nla_put_string(skb, PIZWG_A_HUB, t->hub) ||
	    nla_put_u32(skb, PIZWG_A_PORT, t->port) ||
	    nla_put_u16(skb, PIZWG_A_VENDOR_ID, t->vendor_id) ||
	    nla_put_u16(skb, PIZWG_A_PRODUCT_ID, t->product_id) ||
	    pizwg_put_str(skb, PIZWG_A_SERIAL, t->serial) ||
	    pizwg_put_str(skb, PIZWG_A_MANUFACTURER, t->manufacturer) ||
	    pizwg_put_str(skb, PIZWG_A_PRODUCT, t->product))
		return -EMSGSIZE;
	return 0;
}

/* One message of @cmd around @put(@obj); cancelled if it does not fit. */
static int pizwg_fill(struct sk_buff *skb, u32 portid, u32 seq, int flags,
		      u8 cmd, int (*put)(struct sk_buff *, const void *),
		      const void *obj)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &pizwg_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (put(skb, obj)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int pizwg_put_hub_cb(struct sk_buff *skb, const void *obj)
{
	return pizwg_put_hub(skb, obj);
}

static int pizwg_put_tty_cb(struct sk_buff *skb, const void *obj)
{
	return pizwg_put_tty(skb, obj);
}

static int pizwg_reply(struct genl_info *info,
		       int (*put)(struct sk_buff *, const void *),
		       const void *obj)
{
	struct sk_buff *msg;
	int ret;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = pizwg_fill(msg, info->snd_portid, info->snd_seq, 0,
			 info->genlhdr->cmd, put, obj);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/*
 * Only callers with CAP_NET_ADMIN make the module ask a hub for its ports'
 * status (which can resume the hub and is USB I/O on its control pipe):
 * anyone can dump, and a thousand dumps must not keep a hub busy.
 */
static bool pizwg_live(struct sk_buff *skb)
{
	return netlink_capable(skb, CAP_NET_ADMIN);
}

static int pizwg_nl_get_hub(struct sk_buff *skb, struct genl_info *info)
{
	bool live = pizwg_live(skb);
	struct pizwg_hub_info *h;
	struct usb_device *udev;
	int ret;

	if (pizwg_check_net(genl_info_net(info), info->extack))
		return -EPERM;
	if (pizwg_missing(info, PIZWG_A_HUB))
		return -EINVAL;
	udev = pizwg_hub_dev(nla_data(info->attrs[PIZWG_A_HUB]));
	if (!udev) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[PIZWG_A_HUB],
				    "no such hub");
		return -ENODEV;
	}
	h = kmalloc(sizeof(*h), GFP_KERNEL);
	if (!h) {
		ret = -ENOMEM;
		goto out;
	}
	ret = pizwg_hub_read_info(udev, h, live);
	/* A hub that does not answer is reported as recorded, as in dumps. */
	if (ret && ret != -ENODEV && live)
		ret = pizwg_hub_read_info(udev, h, false);
	if (ret == -ENODEV)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[PIZWG_A_HUB],
				    "no such hub");
	else if (ret)
		NL_SET_ERR_MSG(info->extack, "cannot read the hub's ports");
	if (ret)
		goto out;
	pizwg_port_fill_leases(h);
	ret = pizwg_reply(info, pizwg_put_hub_cb, h);
out:
	kfree(h);
	usb_put_dev(udev);
	return ret;
}

/*
 * Dumps resume by a stable key, not by a position: each part lists the
 * hubs (ttys) again, sorted by a key unique while the device exists, and
 * goes on after the last key sent (cb->args[0], cb->args[2] set once one
 * was). A hub or tty that comes or goes between two parts then shifts
 * nothing: every one present throughout the dump is sent exactly once.
 */
static unsigned long pizwg_hub_key(const struct usb_device *udev)
{
	return (unsigned long)udev->bus->busnum << 8 | udev->devnum;
}

static int pizwg_hub_cmp(const void *a, const void *b)
{
	unsigned long ka = pizwg_hub_key(*(struct usb_device * const *)a);
	unsigned long kb = pizwg_hub_key(*(struct usb_device * const *)b);

	return ka < kb ? -1 : ka > kb;
}

/* Whether @key is after the last one this dump sent. */
static bool pizwg_dump_after(const struct netlink_callback *cb,
			     unsigned long key)
{
	return !cb->args[2] || key > (unsigned long)cb->args[0];
}

static void pizwg_dump_sent(struct netlink_callback *cb, unsigned long key)
{
	cb->args[0] = key;
	cb->args[2] = 1;
}

static int pizwg_nl_dump_hubs(struct sk_buff *skb, struct netlink_callback *cb)
{
	u32 portid = NETLINK_CB(cb->skb).portid;
	struct pizwg_hub_info *h;
	struct usb_device **hubs;
	unsigned int count, i, sent = 0;
	bool full = false;
	unsigned long key;
	int ret;

	if (pizwg_check_net(sock_net(cb->skb->sk), cb->extack))
		return -EPERM;
	/* Decided once per dump (args[1]: 0 not yet, 1 recorded, 2 live). */
	if (!cb->args[1])
		cb->args[1] = pizwg_live(cb->skb) ? 2 : 1;
	h = kmalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	ret = pizwg_hub_list(&hubs, &count);
	if (ret)
		goto out;
	sort(hubs, count, sizeof(*hubs), pizwg_hub_cmp, NULL);
	for (i = 0; i < count; i++) {
		key = pizwg_hub_key(hubs[i]);
		if (!pizwg_dump_after(cb, key))
			continue;
		ret = pizwg_hub_read_info(hubs[i], h, cb->args[1] == 2);
		/* A hub that does not answer is listed as recorded. */
		if (ret && ret != -ENODEV && cb->args[1] == 2)
			ret = pizwg_hub_read_info(hubs[i], h, false);
		if (ret) {
			pizwg_dump_sent(cb, key);	/* unplugged meanwhile */
			continue;
		}
		pizwg_port_fill_leases(h);
		if (pizwg_fill(skb, portid, cb->nlh->nlmsg_seq, NLM_F_MULTI,
			       PIZWG_CMD_GET_HUB, pizwg_put_hub_cb, h)) {
			full = true;
			break;
		}
		pizwg_dump_sent(cb, key);
		sent++;
	}
	/* A hub that does not fit an empty message would stall the dump. */
	ret = full && !sent ? -EMSGSIZE : skb->len;
	pizwg_hub_list_free(hubs, count);
out:
	kfree(h);
	return ret;
}

static void pizwg_req_from_info(struct pizwg_switch_req *req,
				struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;

	memset(req, 0, sizeof(*req));
	req->hub = nla_data(attrs[PIZWG_A_HUB]);
	req->port = nla_get_u32(attrs[PIZWG_A_PORT]);
	req->off_ms = PIZWG_OFF_MS_DEFAULT;
	/* The sender's socket (netlink_unicast_kernel() sets it). */
	req->holder.sk = NETLINK_CB(skb).sk;
	req->holder.net = genl_info_net(info);
	req->holder.portid = info->snd_portid;
	req->extack = info->extack;
}

static int pizwg_nl_set_port(struct sk_buff *skb, struct genl_info *info)
{
	struct pizwg_switch_req req;

	if (pizwg_check_net(genl_info_net(info), info->extack))
		return -EPERM;
	if (pizwg_missing(info, PIZWG_A_HUB) ||
	    pizwg_missing(info, PIZWG_A_PORT) ||
	    pizwg_missing(info, PIZWG_A_ACTION))
		return -EINVAL;
	if (pizwg_check_numbers(info))
		return -EINVAL;
	pizwg_req_from_info(&req, skb, info);
	req.action = nla_get_u32(info->attrs[PIZWG_A_ACTION]);
	if (info->attrs[PIZWG_A_OFF_MS])
		req.off_ms = nla_get_u32(info->attrs[PIZWG_A_OFF_MS]);
	req.force = nla_get_flag(info->attrs[PIZWG_A_FORCE]);
	if (nla_get_flag(info->attrs[PIZWG_A_ASYNC]))
		return pizwg_port_switch_async(&req, info->snd_seq);
	return pizwg_port_switch(&req);
}

struct pizwg_done {
	const char *hub;
	u32 port;
	u32 action;
	u32 err;
	const char *msg;
};

static int pizwg_put_done(struct sk_buff *skb, const void *obj)
{
	const struct pizwg_done *d = obj;

	if (nla_put_string(skb, PIZWG_A_HUB, d->hub) ||
	    nla_put_u32(skb, PIZWG_A_PORT, d->port) ||
	    nla_put_u32(skb, PIZWG_A_ACTION, d->action) ||
	    nla_put_u32(skb, PIZWG_A_ERRNO, d->err) ||
	    (d->msg && nla_put_string(skb, PIZWG_A_ERROR_MSG, d->msg)))
		return -EMSGSIZE;
	return 0;
}

/*
 * Answers an asynchronous SET_PORT. A requester that closed its socket, or
 * whose receive queue is full, does not get it: nothing else depends on it.
 */
void pizwg_nl_set_port_done(struct net *net, u32 portid, u32 seq,
			    const char *hub, u32 port, u32 action, int err,
			    const char *msg)
{
	struct pizwg_done d = {
		.hub = hub, .port = port, .action = action,
		.err = err < 0 ? -err : err, .msg = err ? msg : NULL,
	};
	struct sk_buff *skb;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	if (pizwg_fill(skb, portid, seq, 0, PIZWG_CMD_SET_PORT_DONE,
		       pizwg_put_done, &d)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_unicast(net, skb, portid);
}

static int pizwg_nl_release_port(struct sk_buff *skb, struct genl_info *info)
{
	struct pizwg_switch_req req;

	if (pizwg_check_net(genl_info_net(info), info->extack))
		return -EPERM;
	if (pizwg_missing(info, PIZWG_A_HUB) ||
	    pizwg_missing(info, PIZWG_A_PORT))
		return -EINVAL;
	if (pizwg_check_numbers(info))
		return -EINVAL;
	pizwg_req_from_info(&req, skb, info);
	return pizwg_port_release(&req);
}

static int pizwg_nl_get_tty(struct sk_buff *skb, struct genl_info *info)
{
	struct pizwg_tty_info *t;
	int ret;

	if (pizwg_check_net(genl_info_net(info), info->extack))
		return -EPERM;
	if (pizwg_missing(info, PIZWG_A_TTY))
		return -EINVAL;
	t = kmalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	ret = pizwg_tty_find(nla_data(info->attrs[PIZWG_A_TTY]), t);
	if (ret)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[PIZWG_A_TTY],
				    "no such CDC-ACM tty");
	else
		ret = pizwg_reply(info, pizwg_put_tty_cb, t);
	kfree(t);
	return ret;
}

static unsigned long pizwg_tty_key(const struct pizwg_tty_info *t)
{
	return MKDEV(t->major, t->minor);
}

static int pizwg_tty_cmp(const void *a, const void *b)
{
	unsigned long ka = pizwg_tty_key(a), kb = pizwg_tty_key(b);

	return ka < kb ? -1 : ka > kb;
}

static int pizwg_nl_dump_ttys(struct sk_buff *skb, struct netlink_callback *cb)
{
	u32 portid = NETLINK_CB(cb->skb).portid;
	struct pizwg_tty_info *ttys;
	unsigned int count, i, sent = 0;
	bool full = false;
	int ret;

	if (pizwg_check_net(sock_net(cb->skb->sk), cb->extack))
		return -EPERM;
	ret = pizwg_tty_snapshot(&ttys, &count);
	if (ret)
		return ret;
	sort(ttys, count, sizeof(*ttys), pizwg_tty_cmp, NULL);
	for (i = 0; i < count; i++) {
		if (!pizwg_dump_after(cb, pizwg_tty_key(&ttys[i])))
			continue;
		if (pizwg_fill(skb, portid, cb->nlh->nlmsg_seq, NLM_F_MULTI,
			       PIZWG_CMD_GET_TTY, pizwg_put_tty_cb, &ttys[i])) {
			full = true;
			break;
		}
		pizwg_dump_sent(cb, pizwg_tty_key(&ttys[i]));
		sent++;
	}
	ret = full && !sent ? -EMSGSIZE : skb->len;
	kfree(ttys);
	return ret;
}

static const struct genl_ops pizwg_nl_ops[] = {
	{
		.cmd = PIZWG_CMD_GET_HUB,
		.doit = pizwg_nl_get_hub,
		.dumpit = pizwg_nl_dump_hubs,
		.policy = pizwg_get_hub_policy,
		.maxattr = ARRAY_SIZE(pizwg_get_hub_policy) - 1,
	},
	{
		.cmd = PIZWG_CMD_SET_PORT,
		.doit = pizwg_nl_set_port,
		.policy = pizwg_set_port_policy,
		.maxattr = ARRAY_SIZE(pizwg_set_port_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PIZWG_CMD_RELEASE_PORT,
		.doit = pizwg_nl_release_port,
		.policy = pizwg_release_port_policy,
		.maxattr = ARRAY_SIZE(pizwg_release_port_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PIZWG_CMD_GET_TTY,
		.doit = pizwg_nl_get_tty,
		.dumpit = pizwg_nl_dump_ttys,
		.policy = pizwg_get_tty_policy,
		.maxattr = ARRAY_SIZE(pizwg_get_tty_policy) - 1,
	},
};

static const struct genl_multicast_group pizwg_mcgrps[] = {
	{ .name = PIZWG_GENL_MCGRP_EVENTS },
};

static struct genl_family pizwg_family __ro_after_init = {
	.name = PIZWG_GENL_NAME,
	.version = PIZWG_GENL_VERSION,
	.maxattr = PIZWG_A_MAX,
	.netnsok = true,
	/* Switching a port can sleep for seconds; do not hold genl_mutex. */
	.parallel_ops = true,
	.resv_start_op = 0,
	.module = THIS_MODULE,
	.ops = pizwg_nl_ops,
	.n_ops = ARRAY_SIZE(pizwg_nl_ops),
	.mcgrps = pizwg_mcgrps,
	.n_mcgrps = ARRAY_SIZE(pizwg_mcgrps),
};

static int pizwg_put_event(struct sk_buff *skb, const void *obj)
{
	const struct pizwg_event *ev = obj;

	if (ev->cmd == PIZWG_CMD_PORT_CHANGED) {
		if (nla_put_string(skb, PIZWG_A_HUB, ev->hub) ||
		    nla_put_u32(skb, PIZWG_A_PORT, ev->port) ||
		    nla_put_u8(skb, PIZWG_A_POWER, ev->power) ||
		    nla_put_u8(skb, PIZWG_A_LEASED, ev->leased))
			return -EMSGSIZE;
	} else if (pizwg_put_tty(skb, &ev->tty)) {
		return -EMSGSIZE;
	}
	if (nla_put_u32(skb, PIZWG_A_CAUSE, ev->cause) ||
	    nla_put_u64_64bit(skb, PIZWG_A_TIMESTAMP, ev->timestamp,
			      PIZWG_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/*
 * Sends @ev to the events group of every host network namespace with a
 * listener (see pizwg_host_net(); genlmsg_multicast_allns() would send to
 * all): what is plugged into this machine and when is not for others.
 */
void pizwg_nl_notify(const struct pizwg_event *ev)
{
	struct sk_buff *skb, *tmp;
	bool dropped = false;
	struct net *net;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		goto err;
	if (pizwg_fill(skb, 0, 0, 0, ev->cmd, pizwg_put_event, ev)) {
		nlmsg_free(skb);
		goto err;
	}
	rcu_read_lock();
	for_each_net_rcu(net) {
		if (!pizwg_host_net(net) ||
		    !genl_has_listeners(&pizwg_family, net, 0))
			continue;
		tmp = skb_clone(skb, GFP_ATOMIC);
		if (!tmp) {
			dropped = true;
			continue;
		}
		/* ESRCH (no listener there) is the common case, not an error. */
		genlmsg_multicast_netns(&pizwg_family, net, tmp, 0, 0,
					GFP_ATOMIC);
	}
	rcu_read_unlock();
	consume_skb(skb);
	if (!dropped)
		return;
err:
	pr_warn_ratelimited("notification %u dropped\n", ev->cmd);
}

int pizwg_nl_init(void)
{
	return genl_register_family(&pizwg_family);
}

void pizwg_nl_exit(void)
{
	genl_unregister_family(&pizwg_family);
}
