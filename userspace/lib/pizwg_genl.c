// SPDX-License-Identifier: GPL-2.0-only
/*
 * Client of the "pizwg" generic netlink family; see pizwg_genl.h.
 *
 * Requests go through libnl-genl-3 with one callback set per request that
 * records the kernel's error and extack and parses each reply. Notifications
 * are read with plain recvmsg() so that an overflow of the socket (ENOBUFS)
 * reaches the caller as such: libnl reports it as "out of memory".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/genetlink.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>

#include "pizwg_genl.h"

#define CTRL_FAMILY_NAME "nlctrl"
#define CTRL_GROUP_NOTIFY "notify"
#define EVENT_BUF_SIZE 32768
#define EVENT_RCVBUF (256 * 1024)
#define DUMP_TRIES 3

struct pizwg_genl {
	struct nl_sock *req;
	struct nl_sock *ev;
	const char *family_name;
	const char *group_name;
	int family;		/* 0 while the family is not registered */
	uint32_t version;	/* the family's, from the controller */
	int events_group;
	char extack[PIZWG_EXTACK_MAX];
	unsigned char *evbuf;
};

/* What a CTRL_CMD_GETFAMILY reply or notification says about a family. */
struct family_info {
	const char *group;	/* the multicast group looked for */
	char name[GENL_NAMSIZ];
	int id;
	uint32_t version;
	int group_id;
	bool has_group;
};

/* libnl checks minimum lengths only; maxlen makes fixed sizes exact. */
#define POL_U8 { .type = NLA_U8, .maxlen = sizeof(uint8_t) }
#define POL_U16 { .type = NLA_U16, .maxlen = sizeof(uint16_t) }
#define POL_U32 { .type = NLA_U32, .maxlen = sizeof(uint32_t) }
#define POL_U64 { .type = NLA_U64, .maxlen = sizeof(uint64_t) }
#define POL_STR(max) { .type = NLA_STRING, .maxlen = (max) }
#define POL_NAME POL_STR(PIZWG_NAME_MAX)
#define POL_USB_STR POL_STR(PIZWG_STRING_MAX)

static const struct nla_policy pizwg_policy[PIZWG_A_MAX + 1] = {
	[PIZWG_A_HUB] = POL_NAME,
	[PIZWG_A_PORT] = POL_U32,
	[PIZWG_A_ACTION] = POL_U32,
	[PIZWG_A_OFF_MS] = POL_U32,
	[PIZWG_A_FORCE] = { .type = NLA_FLAG },
	[PIZWG_A_BUSNUM] = POL_U32,
	[PIZWG_A_DEVPATH] = POL_NAME,
	[PIZWG_A_DEVICE] = POL_NAME,
	[PIZWG_A_VENDOR_ID] = POL_U16,
	[PIZWG_A_PRODUCT_ID] = POL_U16,
	[PIZWG_A_NUM_PORTS] = POL_U32,
	[PIZWG_A_SWITCHING] = POL_U32,
	[PIZWG_A_PEER_HUB] = POL_NAME,
	[PIZWG_A_PORT_INFO] = { .type = NLA_NESTED },
	[PIZWG_A_TTY] = POL_NAME,
	[PIZWG_A_TTY_MAJOR] = POL_U32,
	[PIZWG_A_TTY_MINOR] = POL_U32,
	[PIZWG_A_SERIAL] = POL_USB_STR,
	[PIZWG_A_MANUFACTURER] = POL_USB_STR,
	[PIZWG_A_PRODUCT] = POL_USB_STR,
	[PIZWG_A_POWER] = POL_U8,
	[PIZWG_A_LEASED] = POL_U8,
	[PIZWG_A_CAUSE] = POL_U32,
	[PIZWG_A_TIMESTAMP] = POL_U64,
	[PIZWG_A_ASYNC] = { .type = NLA_FLAG },
	[PIZWG_A_ERRNO] = POL_U32,
	[PIZWG_A_ERROR_MSG] = POL_STR(PIZWG_EXTACK_MAX),
};

static const struct nla_policy pizwg_port_policy[PIZWG_PORT_A_MAX + 1] = {
	[PIZWG_PORT_A_NUMBER] = POL_U32,
	[PIZWG_PORT_A_POWER] = POL_U8,
	[PIZWG_PORT_A_CONNECTED] = POL_U8,
	[PIZWG_PORT_A_CHILD] = POL_NAME,
	[PIZWG_PORT_A_LEASED] = POL_U8,
	[PIZWG_PORT_A_GUARDED] = POL_U8,
	[PIZWG_PORT_A_POWER_KNOWN] = POL_U8,
};

static const struct nla_policy ctrl_policy[CTRL_ATTR_MAX + 1] = {
	[CTRL_ATTR_FAMILY_ID] = POL_U16,
	[CTRL_ATTR_FAMILY_NAME] = POL_STR(GENL_NAMSIZ),
	[CTRL_ATTR_VERSION] = POL_U32,
	[CTRL_ATTR_MCAST_GROUPS] = { .type = NLA_NESTED },
};

static const struct nla_policy
ctrl_group_policy[CTRL_ATTR_MCAST_GRP_MAX + 1] = {
	[CTRL_ATTR_MCAST_GRP_NAME] = POL_STR(GENL_NAMSIZ),
	[CTRL_ATTR_MCAST_GRP_ID] = POL_U32,
};

static const struct nla_policy extack_policy[NLMSGERR_ATTR_MAX + 1] = {
	[NLMSGERR_ATTR_MSG] = { .type = NLA_STRING },
};

static const int hub_required[] = {
	PIZWG_A_HUB, PIZWG_A_BUSNUM, PIZWG_A_DEVPATH, PIZWG_A_VENDOR_ID,
	PIZWG_A_PRODUCT_ID, PIZWG_A_NUM_PORTS, PIZWG_A_SWITCHING,
};

static const int port_required[] = {
	PIZWG_PORT_A_NUMBER, PIZWG_PORT_A_POWER, PIZWG_PORT_A_CONNECTED,
	PIZWG_PORT_A_LEASED,
};

static const int tty_required[] = {
	PIZWG_A_TTY, PIZWG_A_TTY_MAJOR, PIZWG_A_TTY_MINOR, PIZWG_A_BUSNUM,
	PIZWG_A_DEVPATH, PIZWG_A_DEVICE, PIZWG_A_PORT, PIZWG_A_VENDOR_ID,
	PIZWG_A_PRODUCT_ID,
};

static const int event_required[] = {
	PIZWG_A_TIMESTAMP, PIZWG_A_CAUSE,
};

static const int port_event_required[] = {
	PIZWG_A_HUB, PIZWG_A_PORT, PIZWG_A_POWER, PIZWG_A_LEASED,
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* libnl's error codes, for the few failures that do not come from the kernel */
static int nle_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_AGAIN:
	case NLE_DUMP_INTR:
		return -EAGAIN;
	case NLE_INTR:
		return -EINTR;
	case NLE_BAD_SOCK:
		return -EBADF;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_MSG_OVERFLOW:
		return -ENOBUFS;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_TRUNC:
	case NLE_MSG_TOOSHORT:
	case NLE_PARSE_ERR:
	case NLE_INVAL:
	case NLE_RANGE:
	case NLE_ATTRSIZE:
		return -EPROTO;
	default:
		return -EIO;
	}
}

static bool has_all(struct nlattr **tb, const int *attrs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!tb[attrs[i]])
			return false;
	return true;
}

/* The policy checked the size and the final NUL; refuse an inner NUL too. */
static int get_str(char *dst, size_t size, const struct nlattr *a)
{
	size_t len = nla_len(a);

	if (len > size || strnlen(nla_data(a), len) != len - 1)
		return -EPROTO;
	memcpy(dst, nla_data(a), len);
	return 0;
}

static int get_bool(bool *dst, const struct nlattr *a)
{
	uint8_t v = nla_get_u8(a);

	if (v > 1)
		return -EPROTO;
	*dst = v;
	return 0;
}

static int parse_genl(struct nlmsghdr *nlh, struct nlattr **tb, int maxtype,
		      const struct nla_policy *policy)
{
	if (!genlmsg_valid_hdr(nlh, 0))
		return -EPROTO;
	if (genlmsg_parse(nlh, 0, tb, maxtype, policy) < 0)
		return -EPROTO;
	return 0;
}

static uint8_t genl_cmd(struct nlmsghdr *nlh)
{
	return ((struct genlmsghdr *)nlmsg_data(nlh))->cmd;
}

static int parse_port(struct nlattr *nest, struct pizwg_port *port)
{
	struct nlattr *tb[PIZWG_PORT_A_MAX + 1];

	if (nla_parse_nested(tb, PIZWG_PORT_A_MAX, nest, pizwg_port_policy) < 0)
		return -EPROTO;
	if (!has_all(tb, port_required, ARRAY_SIZE(port_required)))
		return -EPROTO;
	port->number = nla_get_u32(tb[PIZWG_PORT_A_NUMBER]);
	if (get_bool(&port->power, tb[PIZWG_PORT_A_POWER]) ||
	    get_bool(&port->connected, tb[PIZWG_PORT_A_CONNECTED]) ||
	    get_bool(&port->leased, tb[PIZWG_PORT_A_LEASED]))
		return -EPROTO;
	/* Optional: modules before guarded ports do not send it. */
	port->guarded = false;
	if (tb[PIZWG_PORT_A_GUARDED] &&
	    get_bool(&port->guarded, tb[PIZWG_PORT_A_GUARDED]))
		return -EPROTO;
	/* Optional: older modules always read the ports. */
	port->power_known = true;
	if (tb[PIZWG_PORT_A_POWER_KNOWN] &&
	    get_bool(&port->power_known, tb[PIZWG_PORT_A_POWER_KNOWN]))
		return -EPROTO;
	if (tb[PIZWG_PORT_A_CHILD] &&
	    get_str(port->child, sizeof(port->child), tb[PIZWG_PORT_A_CHILD]))
		return -EPROTO;
	return 0;
}

/* PIZWG_A_PORT_INFO nests, one per port, numbered 1..num_ports in order. */
static int parse_ports(struct nlmsghdr *nlh, struct pizwg_hub *hub)
{
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct pizwg_port *port;
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
			  rem) {
		if (nla_type(a) != PIZWG_A_PORT_INFO)
			continue;
		if (hub->nports == PIZWG_PORTS_MAX)
			return -EPROTO;
		port = &hub->ports[hub->nports];
		if (parse_port(a, port) || port->number != hub->nports + 1)
			return -EPROTO;
		hub->nports++;
	}
	return hub->nports == hub->num_ports ? 0 : -EPROTO;
}

int pizwg_parse_hub(struct nlmsghdr *nlh, struct pizwg_hub *hub)
{
	struct nlattr *tb[PIZWG_A_MAX + 1];

	memset(hub, 0, sizeof(*hub));
	if (parse_genl(nlh, tb, PIZWG_A_MAX, pizwg_policy) ||
	    genl_cmd(nlh) != PIZWG_CMD_GET_HUB ||
	    !has_all(tb, hub_required, ARRAY_SIZE(hub_required)))
		return -EPROTO;
	if (get_str(hub->name, sizeof(hub->name), tb[PIZWG_A_HUB]) ||
	    get_str(hub->devpath, sizeof(hub->devpath), tb[PIZWG_A_DEVPATH]))
		return -EPROTO;
	if (tb[PIZWG_A_PEER_HUB] &&
	    get_str(hub->peer_hub, sizeof(hub->peer_hub), tb[PIZWG_A_PEER_HUB]))
		return -EPROTO;
	hub->busnum = nla_get_u32(tb[PIZWG_A_BUSNUM]);
	hub->vendor_id = nla_get_u16(tb[PIZWG_A_VENDOR_ID]);
	hub->product_id = nla_get_u16(tb[PIZWG_A_PRODUCT_ID]);
	hub->num_ports = nla_get_u32(tb[PIZWG_A_NUM_PORTS]);
	hub->switching = nla_get_u32(tb[PIZWG_A_SWITCHING]);
	return parse_ports(nlh, hub);
}

static int get_usb_str(char *dst, size_t size, bool *has, struct nlattr *a)
{
	*has = a;
	return a ? get_str(dst, size, a) : 0;
}

static int parse_tty_attrs(struct nlattr **tb, struct pizwg_tty *tty)
{
	memset(tty, 0, sizeof(*tty));
	if (!has_all(tb, tty_required, ARRAY_SIZE(tty_required)))
		return -EPROTO;
	if (get_str(tty->name, sizeof(tty->name), tb[PIZWG_A_TTY]) ||
	    get_str(tty->devpath, sizeof(tty->devpath), tb[PIZWG_A_DEVPATH]) ||
	    get_str(tty->device, sizeof(tty->device), tb[PIZWG_A_DEVICE]))
		return -EPROTO;
	if (tb[PIZWG_A_HUB] &&
	    get_str(tty->hub, sizeof(tty->hub), tb[PIZWG_A_HUB]))
		return -EPROTO;
	if (get_usb_str(tty->serial, sizeof(tty->serial), &tty->has_serial,
			tb[PIZWG_A_SERIAL]) ||
	    get_usb_str(tty->manufacturer, sizeof(tty->manufacturer),
			&tty->has_manufacturer, tb[PIZWG_A_MANUFACTURER]) ||
	    get_usb_str(tty->product, sizeof(tty->product), &tty->has_product,
			tb[PIZWG_A_PRODUCT]))
		return -EPROTO;
	tty->major = nla_get_u32(tb[PIZWG_A_TTY_MAJOR]);
	tty->minor = nla_get_u32(tb[PIZWG_A_TTY_MINOR]);
	tty->busnum = nla_get_u32(tb[PIZWG_A_BUSNUM]);
	tty->port = nla_get_u32(tb[PIZWG_A_PORT]);
	tty->vendor_id = nla_get_u16(tb[PIZWG_A_VENDOR_ID]);
	tty->product_id = nla_get_u16(tb[PIZWG_A_PRODUCT_ID]);
	return 0;
}

int pizwg_parse_tty(struct nlmsghdr *nlh, struct pizwg_tty *tty)
{
	struct nlattr *tb[PIZWG_A_MAX + 1];

	memset(tty, 0, sizeof(*tty));
	if (parse_genl(nlh, tb, PIZWG_A_MAX, pizwg_policy) ||
	    genl_cmd(nlh) != PIZWG_CMD_GET_TTY)
		return -EPROTO;
	return parse_tty_attrs(tb, tty);
}

static int parse_port_event(struct nlattr **tb, struct pizwg_port_event *p)
{
	memset(p, 0, sizeof(*p));
	if (!has_all(tb, port_event_required, ARRAY_SIZE(port_event_required)))
		return -EPROTO;
	if (get_str(p->hub, sizeof(p->hub), tb[PIZWG_A_HUB]) ||
	    get_bool(&p->power, tb[PIZWG_A_POWER]) ||
	    get_bool(&p->leased, tb[PIZWG_A_LEASED]))
		return -EPROTO;
	p->port = nla_get_u32(tb[PIZWG_A_PORT]);
	return 0;
}

int pizwg_parse_event(struct nlmsghdr *nlh, struct pizwg_event *ev)
{
	struct nlattr *tb[PIZWG_A_MAX + 1];

	memset(ev, 0, sizeof(*ev));
	if (parse_genl(nlh, tb, PIZWG_A_MAX, pizwg_policy))
		return -EPROTO;
	switch (genl_cmd(nlh)) {
	case PIZWG_CMD_TTY_ADDED:
		ev->type = PIZWG_EVENT_TTY_ADDED;
		break;
	case PIZWG_CMD_TTY_REMOVED:
		ev->type = PIZWG_EVENT_TTY_REMOVED;
		break;
	case PIZWG_CMD_PORT_CHANGED:
		ev->type = PIZWG_EVENT_PORT_CHANGED;
		break;
	case PIZWG_CMD_GET_HUB:
	case PIZWG_CMD_SET_PORT:
	case PIZWG_CMD_RELEASE_PORT:
	case PIZWG_CMD_GET_TTY:
	case PIZWG_CMD_SET_PORT_DONE:
		return -EPROTO;		/* replies, never notifications */
	default:
		return -ENOMSG;
	}
	if (!has_all(tb, event_required, ARRAY_SIZE(event_required)))
		return -EPROTO;
	ev->timestamp_ns = nla_get_u64(tb[PIZWG_A_TIMESTAMP]);
	ev->cause = nla_get_u32(tb[PIZWG_A_CAUSE]);
	if (ev->type == PIZWG_EVENT_PORT_CHANGED)
		return parse_port_event(tb, &ev->port);
	return parse_tty_attrs(tb, &ev->tty);
}

static const int done_required[] = {
	PIZWG_A_HUB, PIZWG_A_PORT, PIZWG_A_ACTION, PIZWG_A_ERRNO,
};

int pizwg_parse_set_port_done(struct nlmsghdr *nlh,
			      struct pizwg_set_port_done *done)
{
	struct nlattr *tb[PIZWG_A_MAX + 1];
	uint32_t e;

	memset(done, 0, sizeof(*done));
	if (parse_genl(nlh, tb, PIZWG_A_MAX, pizwg_policy) ||
	    genl_cmd(nlh) != PIZWG_CMD_SET_PORT_DONE ||
	    !has_all(tb, done_required, ARRAY_SIZE(done_required)) ||
	    get_str(done->hub, sizeof(done->hub), tb[PIZWG_A_HUB]))
		return -EPROTO;
	if (tb[PIZWG_A_ERROR_MSG] &&
	    get_str(done->msg, sizeof(done->msg), tb[PIZWG_A_ERROR_MSG]))
		return -EPROTO;
	e = nla_get_u32(tb[PIZWG_A_ERRNO]);
	/* A positive errno, as the kernel's own range (MAX_ERRNO) has it. */
	if (e > 4095)
		return -EPROTO;
	done->err = -(int)e;
	done->port = nla_get_u32(tb[PIZWG_A_PORT]);
	done->action = nla_get_u32(tb[PIZWG_A_ACTION]);
	return 0;
}

/*
 * The attributes of an NLMSG_ERROR follow the echoed request (only its
 * header when NLM_F_CAPPED); those of an NLMSG_DONE follow its error code.
 */
void pizwg_parse_extack(const struct nlmsghdr *nlh, char *buf, size_t len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const struct nlmsgerr *e;
	struct nlattr *attrs;
	size_t off;

	buf[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (nlh->nlmsg_type == NLMSG_DONE) {
		off = NLMSG_HDRLEN + sizeof(int);
	} else if (nlh->nlmsg_type == NLMSG_ERROR) {
		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
			return;
		e = NLMSG_DATA(nlh);
		off = NLMSG_HDRLEN + sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			if (e->msg.nlmsg_len < NLMSG_HDRLEN)
				return;
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
		}
	} else {
		return;
	}
	off = NLMSG_ALIGN(off);
	if (off > nlh->nlmsg_len)
		return;
	attrs = (struct nlattr *)((char *)nlh + off);
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, attrs, nlh->nlmsg_len - off,
		      extack_policy) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(buf, len, "%s",
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
}

static int parse_family(struct nlmsghdr *nlh, struct family_info *fi)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct nlattr *gtb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	struct nlattr *grp;
	int rem;

	fi->has_group = false;
	if (parse_genl(nlh, tb, CTRL_ATTR_MAX, ctrl_policy) ||
	    !tb[CTRL_ATTR_FAMILY_ID] || !tb[CTRL_ATTR_FAMILY_NAME] ||
	    get_str(fi->name, sizeof(fi->name), tb[CTRL_ATTR_FAMILY_NAME]))
		return -EPROTO;
	fi->id = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	fi->version = tb[CTRL_ATTR_VERSION] ?
		      nla_get_u32(tb[CTRL_ATTR_VERSION]) : 1;
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return 0;
	nla_for_each_nested(grp, tb[CTRL_ATTR_MCAST_GROUPS], rem) {
		if (nla_parse_nested(gtb, CTRL_ATTR_MCAST_GRP_MAX, grp,
				     ctrl_group_policy) < 0 ||
		    !gtb[CTRL_ATTR_MCAST_GRP_NAME] ||
		    !gtb[CTRL_ATTR_MCAST_GRP_ID])
			return -EPROTO;
		if (strcmp(nla_data(gtb[CTRL_ATTR_MCAST_GRP_NAME]), fi->group))
			continue;
		fi->group_id = nla_get_u32(gtb[CTRL_ATTR_MCAST_GRP_ID]);
		fi->has_group = true;
	}
	return 0;
}

/* One request in flight on the request socket. */
struct request {
	struct pizwg_genl *g;
	int (*parse)(struct nlmsghdr *nlh, void *arg);
	void *arg;
	uint32_t seq;
	int err;
	bool done;
	bool interrupted;
	/*
	 * An asynchronous SET_PORT: complete once both its ack and its
	 * SET_PORT_DONE (in either order) have come, or its ack failed.
	 */
	bool async;
	bool acked;
	bool answered;
	const struct pizwg_power_req *power;	/* what it asked for */
};

/* Answers to an earlier request that timed out are dropped. */
static int rq_seq_check(struct nl_msg *msg, void *arg)
{
	struct request *rq = arg;

	return nlmsg_hdr(msg)->nlmsg_seq == rq->seq ? NL_OK : NL_SKIP;
}

/*
 * An answer with our sequence number on our port, for another request (a
 * socket of the same port id closed while a switch it asked for was
 * pending, and its sequence numbers met ours) is not ours: it has to name
 * the same port and action.
 */
static int rq_answer(struct nlmsghdr *nlh, struct request *rq)
{
	struct pizwg_set_port_done d;
	int ret;

	ret = pizwg_parse_set_port_done(nlh, &d);
	if (!ret && (strcmp(d.hub, rq->power->hub) ||
		     d.port != rq->power->port ||
		     d.action != (uint32_t)rq->power->action))
		return NL_SKIP;
	rq->err = ret ? ret : d.err;
	snprintf(rq->g->extack, sizeof(rq->g->extack), "%s", d.msg);
	rq->answered = true;
	rq->done = rq->acked;
	return NL_STOP;
}

static int rq_valid(struct nl_msg *msg, void *arg)
{
	struct request *rq = arg;
	int ret = -EPROTO;

	if (rq->async)
		return rq_answer(nlmsg_hdr(msg), rq);
	if (rq->parse)
		ret = rq->parse(nlmsg_hdr(msg), rq->arg);
	if (ret && !rq->err)
		rq->err = ret;
	return NL_OK;
}

/* A dump that failed midway carries its error code in NLMSG_DONE. */
static int rq_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct request *rq = arg;
	int err;

	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(err))) {
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
		if (err < 0) {
			rq->err = err;
			pizwg_parse_extack(nlh, rq->g->extack,
					   sizeof(rq->g->extack));
		}
	}
	rq->done = true;
	return NL_STOP;
}

static int rq_ack(struct nl_msg *msg, void *arg)
{
	struct request *rq = arg;

	(void)msg;
	rq->acked = true;
	rq->done = !rq->async || rq->answered;
	return NL_STOP;
}

static int rq_dump_intr(struct nl_msg *msg, void *arg)
{
	struct request *rq = arg;

	(void)msg;
	rq->interrupted = true;
	return NL_OK;
}

/* libnl hands us the payload of the NLMSG_ERROR; its header precedes it. */
static int rq_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	const struct nlmsghdr *nlh = (void *)((char *)e - NLMSG_HDRLEN);
	struct request *rq = arg;

	(void)nla;
	rq->err = e->error;
	pizwg_parse_extack(nlh, rq->g->extack, sizeof(rq->g->extack));
	rq->done = true;
	return NL_STOP;
}

static struct nl_cb *rq_callbacks(struct request *rq)
{
	struct nl_cb *cb;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return NULL;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, rq_seq_check, rq);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, rq_valid, rq);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, rq_finish, rq);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, rq_ack, rq);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, rq_dump_intr, rq);
	nl_cb_err(cb, NL_CB_CUSTOM, rq_error, rq);
	return cb;
}

/*
 * Sends @msg and reads until its answer is complete, passing each reply to
 * @parse. Dumps are sent without NLM_F_ACK: NLMSG_DONE ends them.
 */
static int request_rq(struct pizwg_genl *g, struct nl_msg *msg,
		      struct request *rqp);

static int request(struct pizwg_genl *g, struct nl_msg *msg,
		   int (*parse)(struct nlmsghdr *nlh, void *arg), void *arg)
{
	struct request rq = { .g = g, .parse = parse, .arg = arg };

	return request_rq(g, msg, &rq);
}

static int request_rq(struct pizwg_genl *g, struct nl_msg *msg,
		      struct request *rqp)
{
	struct request rq = *rqp;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nl_cb *cb;
	int ret;

	g->extack[0] = '\0';
	cb = rq_callbacks(&rq);
	if (!cb)
		return -ENOMEM;
	nl_complete_msg(g->req, msg);
	if (nlh->nlmsg_flags & NLM_F_DUMP)
		nlh->nlmsg_flags &= ~NLM_F_ACK;
	rq.seq = nlh->nlmsg_seq;
	ret = nl_send(g->req, msg);
	if (ret < 0) {
		rq.err = nle_errno(ret);
		goto out;
	}
	while (!rq.done) {
		ret = nl_recvmsgs_report(g->req, cb);
		if (rq.done)
			break;
		if (ret <= 0) {
			rq.err = ret ? nle_errno(ret) : -ETIMEDOUT;
			goto out;
		}
	}
	if (!rq.err && rq.interrupted)
		rq.err = -EAGAIN;
out:
	nl_cb_put(cb);
	return rq.err;
}

static struct nl_msg *new_msg(int family, uint8_t cmd, int flags,
			      uint8_t version)
{
	struct nl_msg *msg;

	msg = nlmsg_alloc();
	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, cmd,
			 version)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int parse_family_cb(struct nlmsghdr *nlh, void *arg)
{
	return parse_family(nlh, arg);
}

/* -ENOENT when no family of that name is registered. */
static int resolve(struct pizwg_genl *g, const char *family,
		   struct family_info *fi)
{
	struct nl_msg *msg;
	int ret;

	memset(fi->name, 0, sizeof(fi->name));
	msg = new_msg(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, 1);
	if (!msg)
		return -ENOMEM;
	ret = -EMSGSIZE;
	if (nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, family) < 0)
		goto out;
	ret = request(g, msg, parse_family_cb, fi);
	if (!ret && strcmp(fi->name, family))
		ret = -EPROTO;
out:
	nlmsg_free(msg);
	return ret;
}

static int setsockopt_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value)) ? -errno : 0;
}

static int open_request_socket(struct pizwg_genl *g)
{
	struct timeval tv = {
		.tv_sec = PIZWG_GENL_TIMEOUT_MS / 1000,
		.tv_usec = PIZWG_GENL_TIMEOUT_MS % 1000 * 1000,
	};
	int fd, ret;

	g->req = nl_socket_alloc();
	if (!g->req)
		return -ENOMEM;
	ret = nl_connect(g->req, NETLINK_GENERIC);
	if (ret < 0)
		return nle_errno(ret);
	fd = nl_socket_get_fd(g->req);
	/* Not fatal: without them, errors just come without their message. */
	setsockopt_int(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
	setsockopt_int(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -errno;
	return 0;
}

/* pizwg_genl_open() with another family: the unit tests use nlctrl. */
static int genl_open(struct pizwg_genl **gp, const char *family,
		     const char *group)
{
	struct family_info fi = { .group = group };
	struct pizwg_genl *g;
	int ret;

	*gp = NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->family_name = family;
	g->group_name = group;
	ret = open_request_socket(g);
	if (ret)
		goto err;
	ret = resolve(g, family, &fi);
	if (ret == -ENOENT)
		ret = -EPROTONOSUPPORT;
	if (!ret && !fi.has_group)
		ret = -EPROTO;
	if (ret)
		goto err;
	g->family = fi.id;
	g->version = fi.version;
	g->events_group = fi.group_id;
	*gp = g;
	return 0;
err:
	pizwg_genl_close(g);
	return ret;
}

int pizwg_genl_open(struct pizwg_genl **gp)
{
	return genl_open(gp, PIZWG_GENL_NAME, PIZWG_GENL_MCGRP_EVENTS);
}

void pizwg_genl_close(struct pizwg_genl *g)
{
	if (!g)
		return;
	nl_socket_free(g->req);
	nl_socket_free(g->ev);
	free(g->evbuf);
	free(g);
}

const char *pizwg_genl_extack(const struct pizwg_genl *g)
{
	return g->extack;
}

/* A growing array of dump results. */
struct vec {
	void *items;
	size_t n;
	size_t cap;
	size_t size;
	int (*parse)(struct nlmsghdr *nlh, void *item);
};

static int vec_parse(struct nlmsghdr *nlh, void *arg)
{
	struct vec *v = arg;
	size_t cap;
	void *p;
	int ret;

	if (v->n == v->cap) {
		cap = v->cap ? 2 * v->cap : 8;
		p = reallocarray(v->items, cap, v->size);
		if (!p)
			return -ENOMEM;
		v->items = p;
		v->cap = cap;
	}
	ret = v->parse(nlh, (char *)v->items + v->n * v->size);
	if (!ret)
		v->n++;
	return ret;
}

/* A dump that raced with a change (NLM_F_DUMP_INTR) is read again. */
static int dump(struct pizwg_genl *g, uint8_t cmd, struct vec *v)
{
	struct nl_msg *msg;
	int ret = -EAGAIN;
	int tries;

	if (!g->family)
		return -EPROTONOSUPPORT;
	for (tries = 0; tries < DUMP_TRIES && ret == -EAGAIN; tries++) {
		v->n = 0;
		msg = new_msg(g->family, cmd, NLM_F_DUMP, PIZWG_GENL_VERSION);
		if (!msg)
			return -ENOMEM;
		ret = request(g, msg, vec_parse, v);
		nlmsg_free(msg);
	}
	return ret;
}

static int parse_hub_item(struct nlmsghdr *nlh, void *item)
{
	return pizwg_parse_hub(nlh, item);
}

static int parse_tty_item(struct nlmsghdr *nlh, void *item)
{
	return pizwg_parse_tty(nlh, item);
}

int pizwg_genl_get_hubs(struct pizwg_genl *g, struct pizwg_hub **hubs,
			size_t *n)
{
	struct vec v = { .size = sizeof(**hubs), .parse = parse_hub_item };
	int ret;

	ret = dump(g, PIZWG_CMD_GET_HUB, &v);
	if (ret) {
		free(v.items);
		return ret;
	}
	*hubs = v.items;
	*n = v.n;
	return 0;
}

int pizwg_genl_get_ttys(struct pizwg_genl *g, struct pizwg_tty **ttys,
			size_t *n)
{
	struct vec v = { .size = sizeof(**ttys), .parse = parse_tty_item };
	int ret;

	ret = dump(g, PIZWG_CMD_GET_TTY, &v);
	if (ret) {
		free(v.items);
		return ret;
	}
	*ttys = v.items;
	*n = v.n;
	return 0;
}

/* The reply to a "do" request: exactly one message. */
struct one {
	void *item;
	int (*parse)(struct nlmsghdr *nlh, void *item);
	int n;
};

static int one_parse(struct nlmsghdr *nlh, void *arg)
{
	struct one *o = arg;

	if (o->n++)
		return -EPROTO;
	return o->parse(nlh, o->item);
}

/* A "do" request naming one object by @attr. */
static int get_one(struct pizwg_genl *g, uint8_t cmd, int attr,
		   const char *name, struct one *o)
{
	struct nl_msg *msg;
	int ret;

	if (!g->family)
		return -EPROTONOSUPPORT;
	if (strlen(name) >= PIZWG_NAME_MAX)
		return -EINVAL;
	msg = new_msg(g->family, cmd, 0, PIZWG_GENL_VERSION);
	if (!msg)
		return -ENOMEM;
	ret = -EMSGSIZE;
	if (nla_put_string(msg, attr, name) < 0)
		goto out;
	ret = request(g, msg, one_parse, o);
	if (!ret && o->n != 1)
		ret = -EPROTO;
out:
	nlmsg_free(msg);
	return ret;
}

int pizwg_genl_get_hub(struct pizwg_genl *g, const char *name,
		       struct pizwg_hub *hub)
{
	struct one o = { .item = hub, .parse = parse_hub_item };

	return get_one(g, PIZWG_CMD_GET_HUB, PIZWG_A_HUB, name, &o);
}

int pizwg_genl_get_tty(struct pizwg_genl *g, const char *name,
		       struct pizwg_tty *tty)
{
	struct one o = { .item = tty, .parse = parse_tty_item };

	return get_one(g, PIZWG_CMD_GET_TTY, PIZWG_A_TTY, name, &o);
}

static int put_port(struct nl_msg *msg, const char *hub, uint32_t port)
{
	if (nla_put_string(msg, PIZWG_A_HUB, hub) < 0 ||
	    nla_put_u32(msg, PIZWG_A_PORT, port) < 0)
		return -EMSGSIZE;
	return 0;
}

static int put_power(struct nl_msg *msg, const struct pizwg_power_req *req)
{
	if (put_port(msg, req->hub, req->port) ||
	    nla_put_u32(msg, PIZWG_A_ACTION, req->action) < 0)
		return -EMSGSIZE;
	if (req->off_ms && nla_put_u32(msg, PIZWG_A_OFF_MS, req->off_ms) < 0)
		return -EMSGSIZE;
	if (req->force && nla_put_flag(msg, PIZWG_A_FORCE) < 0)
		return -EMSGSIZE;
	return 0;
}

int pizwg_genl_set_port(struct pizwg_genl *g,
			const struct pizwg_power_req *req)
{
	struct request rq = { .g = g, .power = req };
	struct nl_msg *msg;
	int ret;

	if (!g->family)
		return -EPROTONOSUPPORT;
	if (strlen(req->hub) >= PIZWG_NAME_MAX)
		return -EINVAL;
	msg = new_msg(g->family, PIZWG_CMD_SET_PORT, 0, PIZWG_GENL_VERSION);
	if (!msg)
		return -ENOMEM;
	ret = put_power(msg, req);
	/*
	 * A module of version 2 or later switches off genetlink's lock and
	 * answers with SET_PORT_DONE; we wait for it, so the call means the
	 * same either way. An older one would refuse the flag.
	 */
	rq.async = g->version >= 2;
	if (!ret && rq.async && nla_put_flag(msg, PIZWG_A_ASYNC) < 0)
		ret = -EMSGSIZE;
	if (!ret)
		ret = request_rq(g, msg, &rq);
	nlmsg_free(msg);
	return ret;
}

int pizwg_genl_release_port(struct pizwg_genl *g, const char *hub,
			    uint32_t port)
{
	struct nl_msg *msg;
	int ret;

	if (!g->family)
		return -EPROTONOSUPPORT;
	if (strlen(hub) >= PIZWG_NAME_MAX)
		return -EINVAL;
	msg = new_msg(g->family, PIZWG_CMD_RELEASE_PORT, 0,
		      PIZWG_GENL_VERSION);
	if (!msg)
		return -ENOMEM;
	ret = put_port(msg, hub, port);
	if (!ret)
		ret = request(g, msg, NULL, NULL);
	nlmsg_free(msg);
	return ret;
}

static int join(struct pizwg_genl *g, int group)
{
	int ret;

	ret = nl_socket_add_membership(g->ev, group);
	return ret < 0 ? nle_errno(ret) : 0;
}

static int open_event_socket(struct pizwg_genl *g, int ctrl_group)
{
	int ret;

	g->evbuf = malloc(EVENT_BUF_SIZE);
	g->ev = nl_socket_alloc();
	if (!g->evbuf || !g->ev)
		return -ENOMEM;
	nl_socket_disable_seq_check(g->ev);
	ret = nl_connect(g->ev, NETLINK_GENERIC);
	if (ret >= 0)
		ret = nl_socket_set_nonblocking(g->ev);
	if (ret >= 0)
		ret = nl_socket_set_buffer_size(g->ev, EVENT_RCVBUF, 0);
	if (ret < 0)
		return nle_errno(ret);
	/* The controller's first, so that a reload in between is seen. */
	ret = join(g, ctrl_group);
	if (!ret && g->family)
		ret = join(g, g->events_group);
	return ret;
}

int pizwg_genl_subscribe(struct pizwg_genl *g)
{
	struct family_info fi = { .group = CTRL_GROUP_NOTIFY };
	int ret;

	if (g->ev)
		return 0;
	ret = resolve(g, CTRL_FAMILY_NAME, &fi);
	if (!ret && !fi.has_group)
		ret = -EPROTO;
	if (!ret)
		ret = open_event_socket(g, fi.group_id);
	if (ret) {
		nl_socket_free(g->ev);
		free(g->evbuf);
		g->ev = NULL;
		g->evbuf = NULL;
	}
	return ret;
}

int pizwg_genl_event_fd(const struct pizwg_genl *g)
{
	return g->ev ? nl_socket_get_fd(g->ev) : -1;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/*
 * The controller announces every family registered or unregistered; only
 * ours matters. Returns 1 with @ev filled in, 0 to skip, or an error.
 */
static int ctrl_event(struct pizwg_genl *g, struct nlmsghdr *nlh,
		      struct pizwg_event *ev)
{
	struct family_info fi = { .group = g->group_name };
	uint8_t cmd;
	int ret;

	if (!genlmsg_valid_hdr(nlh, 0))
		return -EPROTO;
	cmd = genl_cmd(nlh);
	if (cmd != CTRL_CMD_NEWFAMILY && cmd != CTRL_CMD_DELFAMILY)
		return 0;
	ret = parse_family(nlh, &fi);
	if (ret)
		return ret;
	if (strcmp(fi.name, g->family_name))
		return 0;
	memset(ev, 0, sizeof(*ev));
	ev->timestamp_ns = monotonic_ns();
	if (cmd == CTRL_CMD_DELFAMILY) {
		g->family = 0;
		ev->type = PIZWG_EVENT_MODULE_REMOVED;
		return 1;
	}
	if (!fi.has_group)
		return -EPROTO;
	g->family = fi.id;
	g->version = fi.version;
	g->events_group = fi.group_id;
	ev->type = PIZWG_EVENT_MODULE_ADDED;
	ret = join(g, g->events_group);
	return ret ? ret : 1;
}

/* Returns 1 with @ev filled in, 0 for a message that is not for us. */
static int event_from_msg(struct pizwg_genl *g, struct nlmsghdr *nlh,
			  struct pizwg_event *ev)
{
	int ret;

	if (g->family && nlh->nlmsg_type == g->family) {
		ret = pizwg_parse_event(nlh, ev);
		if (ret == -ENOMSG)
			return 0;	/* a command of a newer module */
		return ret ? ret : 1;
	}
	if (nlh->nlmsg_type == GENL_ID_CTRL)
		return ctrl_event(g, nlh, ev);
	return 0;
}

/* Reads one datagram from the kernel: its length, 0 if none, or -errno. */
static ssize_t read_datagram(struct pizwg_genl *g)
{
	struct sockaddr_nl sa;
	struct iovec iov = { .iov_base = g->evbuf, .iov_len = EVENT_BUF_SIZE };
	struct msghdr mh = {
		.msg_name = &sa,
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	ssize_t n;

	for (;;) {
		mh.msg_namelen = sizeof(sa);
		n = recvmsg(nl_socket_get_fd(g->ev), &mh, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (mh.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		/* Only the kernel speaks for the family; drop anything else. */
		if (mh.msg_namelen == sizeof(sa) && sa.nl_pid == 0)
			return n;
	}
}

struct delivery {
	void (*fn)(const struct pizwg_event *ev, void *arg);
	void *arg;
	int count;
};

static int deliver_datagram(struct pizwg_genl *g, int len,
			    struct delivery *d)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)g->evbuf;
	struct pizwg_event ev;
	int err = 0;
	int ret;

	for (; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
		ret = event_from_msg(g, nlh, &ev);
		if (ret < 0 && !err)
			err = ret;
		if (ret <= 0)
			continue;
		d->fn(&ev, d->arg);
		d->count++;
	}
	if (len && !err)
		err = -EPROTO;
	return err;
}

int pizwg_genl_process_events(struct pizwg_genl *g,
			      void (*fn)(const struct pizwg_event *ev,
					 void *arg),
			      void *arg)
{
	struct delivery d = { .fn = fn, .arg = arg };
	ssize_t n;
	int err = 0;
	int ret;

	if (!g->ev)
		return -EINVAL;
	while ((n = read_datagram(g)) != 0) {
		if (n == -ENOBUFS) {
			err = -ENOBUFS;		/* outranks every other error */
			continue;
		}
		if (n < 0 && n != -EMSGSIZE)
			return n;
		ret = n < 0 ? -EPROTO : deliver_datagram(g, n, &d);
		if (ret && !err)
			err = ret;
	}
	return err ? err : d.count;
}

const char *pizwg_genl_strerror(int err)
{
	switch (err < 0 ? -err : err) {
	case EPROTONOSUPPORT:
		return "pizwg kernel module not loaded";
	case EPROTO:
		return "malformed message from the pizwg module";
	case ETIMEDOUT:
		return "no answer from the pizwg module";
	case ESHUTDOWN:
		return "pizwg kernel module is being unloaded";
	default:
		return strerror(err < 0 ? -err : err);
	}
}

const char *pizwg_switching_name(uint32_t switching)
{
	switch (switching) {
	case PIZWG_SWITCHING_INDIVIDUAL:
		return "individual";
	case PIZWG_SWITCHING_GANGED:
		return "ganged";
	case PIZWG_SWITCHING_NONE:
		return "none";
	case PIZWG_SWITCHING_UNKNOWN:
		return "unknown";
	default:
		return NULL;
	}
}

const char *pizwg_cause_name(uint32_t cause)
{
	switch (cause) {
	case PIZWG_CAUSE_REQUEST:
		return "request";
	case PIZWG_CAUSE_LEASE_EXPIRY:
		return "lease-expiry";
	case PIZWG_CAUSE_UNPLUG:
		return "unplug";
	case PIZWG_CAUSE_UNLOAD:
		return "unload";
	case PIZWG_CAUSE_EXTERNAL:
		return "external";
	case PIZWG_CAUSE_REAPPLIED:
		return "reapplied";
	case PIZWG_CAUSE_HUB_GONE:
		return "hub-gone";
	default:
		return NULL;
	}
}

const char *pizwg_action_name(uint32_t action)
{
	switch (action) {
	case PIZWG_ACTION_OFF:
		return "off";
	case PIZWG_ACTION_ON:
		return "on";
	case PIZWG_ACTION_CYCLE:
		return "cycle";
	default:
		return NULL;
	}
}

const char *pizwg_event_name(enum pizwg_event_type type)
{
	switch (type) {
	case PIZWG_EVENT_TTY_ADDED:
		return "tty-added";
	case PIZWG_EVENT_TTY_REMOVED:
		return "tty-removed";
	case PIZWG_EVENT_PORT_CHANGED:
		return "port";
	case PIZWG_EVENT_MODULE_REMOVED:
		return "module-removed";
	case PIZWG_EVENT_MODULE_ADDED:
		return "module-added";
	default:
		return NULL;
	}
}
