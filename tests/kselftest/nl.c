// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl.h"

#define NLA_DATA(a) ((void *)((char *)(a) + NLA_HDRLEN))
#define NLA_LEN(a) ((a)->nla_len - NLA_HDRLEN)

uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

typedef void (*attr_fn)(struct nlattr *a, void *arg);

static void for_each_attr(void *data, int len, attr_fn fn, void *arg)
{
	struct nlattr *a = data;

	while (len >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= len) {
		fn(a, arg);
		len -= NLA_ALIGN(a->nla_len);
		a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
	}
}

static void copy_str(char *dst, size_t size, struct nlattr *a)
{
	size_t n = NLA_LEN(a);

	if (n >= size)
		n = size - 1;
	memcpy(dst, NLA_DATA(a), n);
	dst[n] = '\0';
}

static uint32_t get_u32(struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, NLA_DATA(a), sizeof(v));
	return v;
}

static uint16_t get_u16(struct nlattr *a)
{
	uint16_t v;

	memcpy(&v, NLA_DATA(a), sizeof(v));
	return v;
}

static void parse_port_attr(struct nlattr *a, void *arg)
{
	struct pz_msg *m = arg;
	unsigned int i = m->nports;

	switch (a->nla_type & NLA_TYPE_MASK) {
	case PIZWG_PORT_A_NUMBER:
		m->ports[i].number = get_u32(a);
		break;
	case PIZWG_PORT_A_POWER:
		m->ports[i].power = *(uint8_t *)NLA_DATA(a);
		break;
	case PIZWG_PORT_A_CONNECTED:
		m->ports[i].connected = *(uint8_t *)NLA_DATA(a);
		break;
	case PIZWG_PORT_A_LEASED:
		m->ports[i].leased = *(uint8_t *)NLA_DATA(a);
		break;
	case PIZWG_PORT_A_CHILD:
		copy_str(m->ports[i].child, sizeof(m->ports[i].child), a);
		break;
	case PIZWG_PORT_A_POWER_KNOWN:
		m->ports[i].power_known = *(uint8_t *)NLA_DATA(a);
		break;
	}
}

static void parse_attr(struct nlattr *a, void *arg)
{
	struct pz_msg *m = arg;

	switch (a->nla_type & NLA_TYPE_MASK) {
	case PIZWG_A_HUB:
		copy_str(m->hub, sizeof(m->hub), a);
		break;
	case PIZWG_A_TTY:
		copy_str(m->tty, sizeof(m->tty), a);
		break;
	case PIZWG_A_DEVICE:
		copy_str(m->device, sizeof(m->device), a);
		break;
	case PIZWG_A_SERIAL:
		copy_str(m->serial, sizeof(m->serial), a);
		break;
	case PIZWG_A_PEER_HUB:
		copy_str(m->peer, sizeof(m->peer), a);
		break;
	case PIZWG_A_PORT:
		m->port = get_u32(a);
		break;
	case PIZWG_A_BUSNUM:
		m->busnum = get_u32(a);
		break;
	case PIZWG_A_NUM_PORTS:
		m->num_ports = get_u32(a);
		break;
	case PIZWG_A_SWITCHING:
		m->switching = get_u32(a);
		break;
	case PIZWG_A_CAUSE:
		m->cause = get_u32(a);
		break;
	case PIZWG_A_VENDOR_ID:
		m->vendor_id = get_u16(a);
		break;
	case PIZWG_A_PRODUCT_ID:
		m->product_id = get_u16(a);
		break;
	case PIZWG_A_POWER:
		m->power = *(uint8_t *)NLA_DATA(a);
		break;
	case PIZWG_A_LEASED:
		m->leased = *(uint8_t *)NLA_DATA(a);
		break;
	case PIZWG_A_TIMESTAMP:
		memcpy(&m->timestamp, NLA_DATA(a), sizeof(m->timestamp));
		break;
	case PIZWG_A_PORT_INFO:
		if (m->nports < 32) {
			for_each_attr(NLA_DATA(a), NLA_LEN(a), parse_port_attr, m);
			m->nports++;
		}
		break;
	}
}

static void parse_pizwg(struct nlmsghdr *h, struct pz_msg *m)
{
	struct genlmsghdr *g = NLMSG_DATA(h);

	memset(m, 0, sizeof(*m));
	m->cmd = g->cmd;
	for_each_attr((char *)g + GENL_HDRLEN,
		      h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, parse_attr, m);
}

void msg_init(struct nl_msg_out *m, struct nl *nl, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *h = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *g = NLMSG_DATA(h);

	memset(m, 0, sizeof(*m));
	h->nlmsg_type = nl->family;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	h->nlmsg_seq = ++nl->seq;
	g->cmd = cmd;
	g->version = nl->family == GENL_ID_CTRL ? 2 : PIZWG_GENL_VERSION;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
	h->nlmsg_len = m->len;
}

void msg_put(struct nl_msg_out *m, uint16_t type, const void *data, size_t len)
{
	struct nlmsghdr *h = (struct nlmsghdr *)m->buf;
	struct nlattr *a = (struct nlattr *)(m->buf + m->len);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(NLA_DATA(a), data, len);
	m->len += NLA_ALIGN(a->nla_len);
	h->nlmsg_len = m->len;
}

void msg_put_u32(struct nl_msg_out *m, uint16_t type, uint32_t v)
{
	msg_put(m, type, &v, sizeof(v));
}

void msg_put_str(struct nl_msg_out *m, uint16_t type, const char *s)
{
	msg_put(m, type, s, strlen(s) + 1);
}

static void extack_msg(struct nlmsghdr *h, char *extack, size_t size)
{
	struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	struct nlattr *a;

	if (!extack || !(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* NETLINK_CAP_ACK: the request's payload is not echoed. */
	while (off + NLA_HDRLEN <= h->nlmsg_len) {
		a = (struct nlattr *)((char *)h + off);
		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > h->nlmsg_len)
			return;
		if (a->nla_type == NLMSGERR_ATTR_MSG)
			copy_str(extack, size, a);
		off += NLA_ALIGN(a->nla_len);
	}
}

static void done_attr(struct nlattr *a, void *arg)
{
	struct pz_done *d = arg;

	switch (a->nla_type & NLA_TYPE_MASK) {
	case PIZWG_A_HUB:
		copy_str(d->hub, sizeof(d->hub), a);
		break;
	case PIZWG_A_PORT:
		d->port = get_u32(a);
		break;
	case PIZWG_A_ACTION:
		d->action = get_u32(a);
		break;
	case PIZWG_A_ERRNO:
		d->err = get_u32(a);
		break;
	case PIZWG_A_ERROR_MSG:
		copy_str(d->msg, sizeof(d->msg), a);
		break;
	}
}

/* Keeps a SET_PORT_DONE for pz_wait_done(); true if @h was one. */
static bool stash_done(struct nl *nl, struct nlmsghdr *h)
{
	struct genlmsghdr *g = NLMSG_DATA(h);
	struct pz_done *d;

	if (h->nlmsg_type != nl->family || g->cmd != PIZWG_CMD_SET_PORT_DONE)
		return false;
	if (nl->ndone == sizeof(nl->done) / sizeof(nl->done[0]))
		return true;	/* more than any test waits for */
	d = &nl->done[nl->ndone++];
	memset(d, 0, sizeof(*d));
	d->seq = h->nlmsg_seq;
	d->err = UINT32_MAX;	/* missing: no test accepts it */
	for_each_attr((char *)g + GENL_HDRLEN,
		      h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, done_attr, d);
	return true;
}

static int handle_one(struct nl *nl, struct nlmsghdr *h, uint32_t seq,
		      char *extack, size_t extack_len, struct pz_msg *out,
		      unsigned int max, unsigned int *count, bool *done)
{
	struct nlmsgerr *e;

	if (stash_done(nl, h))
		return 0;
	if (h->nlmsg_seq != seq)
		return 0;
	if (h->nlmsg_type == NLMSG_ERROR) {
		e = NLMSG_DATA(h);
		extack_msg(h, extack, extack_len);
		*done = true;
		return e->error;
	}
	if (h->nlmsg_type == NLMSG_DONE) {
		/* A dump's own error arrives here, as an int after the header. */
		*done = true;
		return *(int *)NLMSG_DATA(h);
	}
	if (h->nlmsg_type == nl->family && out && *count < max)
		parse_pizwg(h, &out[(*count)++]);
	return 0;
}

int nl_transact(struct nl *nl, struct nl_msg_out *m, char *extack,
		size_t extack_len, struct pz_msg *out, unsigned int max,
		unsigned int *count)
{
	struct nlmsghdr *req = (struct nlmsghdr *)m->buf;
	static char buf[65536];
	unsigned int dummy = 0;
	bool done = false;
	struct nlmsghdr *h;
	int ret = 0, n;

	if (!count)
		count = &dummy;
	*count = 0;
	if (extack && extack_len)
		extack[0] = '\0';
	if (send(nl->fd, m->buf, m->len, 0) != (ssize_t)m->len)
		return -errno;
	while (!done) {
		n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			int r = handle_one(nl, h, req->nlmsg_seq, extack,
					   extack_len, out, max, count, &done);
			if (r)
				ret = r;
		}
	}
	return ret;
}

static void parse_group(struct nlattr *a, void *arg)
{
	struct {
		uint32_t id;
		char name[GENL_NAMSIZ];
	} *g = arg;

	if (a->nla_type == CTRL_ATTR_MCAST_GRP_ID)
		g->id = get_u32(a);
	else if (a->nla_type == CTRL_ATTR_MCAST_GRP_NAME)
		copy_str(g->name, sizeof(g->name), a);
}

static void parse_groups(struct nlattr *a, void *arg)
{
	struct nl *nl = arg;
	struct {
		uint32_t id;
		char name[GENL_NAMSIZ];
	} g = { 0 };

	for_each_attr(NLA_DATA(a), NLA_LEN(a), parse_group, &g);
	if (!strcmp(g.name, PIZWG_GENL_MCGRP_EVENTS))
		nl->events_group = g.id;
}

static void parse_family(struct nlattr *a, void *arg)
{
	struct nl *nl = arg;

	if (a->nla_type == CTRL_ATTR_FAMILY_ID)
		nl->family = get_u16(a);
	else if (a->nla_type == CTRL_ATTR_VERSION)
		nl->version = get_u32(a);
	else if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GROUPS)
		for_each_attr(NLA_DATA(a), NLA_LEN(a), parse_groups, nl);
}

static int resolve_family(struct nl *nl)
{
	struct nl_msg_out m;
	static char buf[16384];
	struct nlmsghdr *h;
	int n;

	nl->family = GENL_ID_CTRL;
	msg_init(&m, nl, CTRL_CMD_GETFAMILY, 0);
	((struct nlmsghdr *)m.buf)->nlmsg_flags = NLM_F_REQUEST;
	msg_put_str(&m, CTRL_ATTR_FAMILY_NAME, PIZWG_GENL_NAME);
	if (send(nl->fd, m.buf, m.len, 0) != (ssize_t)m.len)
		return -errno;
	n = recv(nl->fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -errno;
	h = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(h, n))
		return -EPROTO;
	if (h->nlmsg_type == NLMSG_ERROR)
		return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	nl->family = 0;
	for_each_attr((char *)NLMSG_DATA(h) + GENL_HDRLEN,
		      h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, parse_family,
		      nl);
	return nl->family && nl->events_group ? 0 : -ENOENT;
}

int nl_open(struct nl *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 30 };
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		close(nl->fd);
		return -errno;
	}
	return resolve_family(nl);
}

void nl_close(struct nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

int nl_subscribe(struct nl *nl)
{
	if (setsockopt(nl->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &nl->events_group, sizeof(nl->events_group)))
		return -errno;
	return 0;
}

int nl_next_event(struct nl *nl, struct pz_msg *ev, int timeout_ms)
{
	static char buf[16384];
	uint64_t deadline = monotonic_ns() + (uint64_t)timeout_ms * 1000000;
	struct pollfd p = { .fd = nl->fd, .events = POLLIN };
	struct nlmsghdr *h;
	int n, left;

	for (;;) {
		left = (int)(((int64_t)(deadline - monotonic_ns())) / 1000000);
		/* 0: only what is queued already. */
		if ((timeout_ms && left <= 0) ||
		    poll(&p, 1, left > 0 ? left : 0) <= 0)
			return -ETIMEDOUT;
		n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		/* One notification per datagram: the module sends them singly. */
		h = (struct nlmsghdr *)buf;
		if (NLMSG_OK(h, n) && h->nlmsg_type == nl->family) {
			parse_pizwg(h, ev);
			return 0;
		}
	}
}

int pz_set_port(struct nl *nl, const char *hub, uint32_t port, uint32_t action,
		char *extack, size_t extack_len)
{
	struct nl_msg_out m;

	msg_init(&m, nl, PIZWG_CMD_SET_PORT, 0);
	msg_put_str(&m, PIZWG_A_HUB, hub);
	msg_put_u32(&m, PIZWG_A_PORT, port);
	msg_put_u32(&m, PIZWG_A_ACTION, action);
	return nl_transact(nl, &m, extack, extack_len, NULL, 0, NULL);
}

static int pz_dump(struct nl *nl, uint8_t cmd, struct pz_msg *out,
		   unsigned int max, unsigned int *count)
{
	struct nl_msg_out m;

	msg_init(&m, nl, cmd, NLM_F_DUMP);
	return nl_transact(nl, &m, NULL, 0, out, max, count);
}

int pz_dump_hubs(struct nl *nl, struct pz_msg *out, unsigned int max,
		 unsigned int *count)
{
	return pz_dump(nl, PIZWG_CMD_GET_HUB, out, max, count);
}

int pz_dump_ttys(struct nl *nl, struct pz_msg *out, unsigned int max,
		 unsigned int *count)
{
	return pz_dump(nl, PIZWG_CMD_GET_TTY, out, max, count);
}

int pz_dump_begin(struct nl *nl, uint8_t cmd, uint32_t *seq)
{
	struct nl_msg_out m;

	msg_init(&m, nl, cmd, NLM_F_DUMP);
	*seq = ((struct nlmsghdr *)m.buf)->nlmsg_seq;
	if (send(nl->fd, m.buf, m.len, 0) != (ssize_t)m.len)
		return -errno;
	return 0;
}

int pz_dump_part(struct nl *nl, uint32_t seq, bool peek, struct pz_msg *out,
		 unsigned int max, unsigned int *count, bool *done)
{
	static char buf[65536];
	struct nlmsghdr *h;
	int ret = 0, n;

	n = recv(nl->fd, buf, sizeof(buf), peek ? MSG_PEEK : 0);
	if (n < 0)
		return -errno;
	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
		int r = handle_one(nl, h, seq, NULL, 0, out, max, count, done);

		if (r)
			ret = r;
	}
	return ret;
}

int pz_set_port_async(struct nl *nl, const char *hub, uint32_t port,
		      uint32_t action, uint32_t off_ms, char *extack,
		      size_t extack_len, uint32_t *seq)
{
	struct nl_msg_out m;

	msg_init(&m, nl, PIZWG_CMD_SET_PORT, 0);
	msg_put_str(&m, PIZWG_A_HUB, hub);
	msg_put_u32(&m, PIZWG_A_PORT, port);
	msg_put_u32(&m, PIZWG_A_ACTION, action);
	if (off_ms)
		msg_put_u32(&m, PIZWG_A_OFF_MS, off_ms);
	msg_put(&m, PIZWG_A_ASYNC, NULL, 0);
	*seq = ((struct nlmsghdr *)m.buf)->nlmsg_seq;
	return nl_transact(nl, &m, extack, extack_len, NULL, 0, NULL);
}

static bool take_done(struct nl *nl, uint32_t seq, struct pz_done *done)
{
	unsigned int i;

	for (i = 0; i < nl->ndone; i++) {
		if (nl->done[i].seq != seq)
			continue;
		*done = nl->done[i];
		nl->done[i] = nl->done[--nl->ndone];
		return true;
	}
	return false;
}

int pz_wait_done(struct nl *nl, uint32_t seq, struct pz_done *done,
		 int timeout_ms)
{
	static char buf[16384];
	uint64_t deadline = monotonic_ns() + (uint64_t)timeout_ms * 1000000;
	struct pollfd p = { .fd = nl->fd, .events = POLLIN };
	struct nlmsghdr *h;
	int n, left;

	while (!take_done(nl, seq, done)) {
		left = (int)(((int64_t)(deadline - monotonic_ns())) / 1000000);
		if (left <= 0 || poll(&p, 1, left) <= 0)
			return -ETIMEDOUT;
		n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n))
			stash_done(nl, h);
	}
	return 0;
}
