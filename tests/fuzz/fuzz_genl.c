// SPDX-License-Identifier: GPL-2.0-only
/*
 * The netlink parsers of userspace/lib/pizwg_genl.c on any datagram, as the
 * kernel would hand it over: a copy of exactly the input's bytes.
 *
 * Events: the datagram goes through deliver_datagram(), the path of
 * pizwg_genl_process_events(), for a handle whose family is FAKE_FAMILY;
 * controller messages about "pizwg" reach ctrl_event(), whose join fails
 * on an unconnected socket. Replies: each message of the datagram goes to
 * the parsers of GET_HUB, GET_TTY and CTRL_CMD_GETFAMILY replies and to the
 * extack parser, as libnl's receive loop would give them one by one. Every
 * result must keep the bounds pizwg_genl.h states.
 *
 * The library is included whole to reach its internals.
 */
#include "../../userspace/lib/pizwg_genl.c"

#include "fuzz.h"

#define FAKE_FAMILY 0x7000

static bool terminated(const char *s, size_t size)
{
	return strnlen(s, size) < size;
}

#define STR_OK(field) terminated((field), sizeof(field))

static void check_tty(const struct pizwg_tty *t)
{
	FUZZ_CHECK(STR_OK(t->name) && t->name[0]);
	FUZZ_CHECK(STR_OK(t->devpath) && STR_OK(t->device) && STR_OK(t->hub));
	FUZZ_CHECK(STR_OK(t->serial) && STR_OK(t->manufacturer) &&
		   STR_OK(t->product));
	FUZZ_CHECK(t->has_serial || !t->serial[0]);
	FUZZ_CHECK(t->has_manufacturer || !t->manufacturer[0]);
	FUZZ_CHECK(t->has_product || !t->product[0]);
}

static void check_hub(const struct pizwg_hub *h)
{
	size_t i;

	FUZZ_CHECK(STR_OK(h->name) && h->name[0]);
	FUZZ_CHECK(STR_OK(h->devpath) && STR_OK(h->peer_hub));
	FUZZ_CHECK(h->nports == h->num_ports && h->nports <= PIZWG_PORTS_MAX);
	for (i = 0; i < h->nports; i++) {
		FUZZ_CHECK(h->ports[i].number == i + 1);
		FUZZ_CHECK(STR_OK(h->ports[i].child));
	}
}

static void on_event(const struct pizwg_event *ev, void *arg)
{
	(void)arg;
	switch (ev->type) {
	case PIZWG_EVENT_TTY_ADDED:
	case PIZWG_EVENT_TTY_REMOVED:
		check_tty(&ev->tty);
		break;
	case PIZWG_EVENT_PORT_CHANGED:
		FUZZ_CHECK(STR_OK(ev->port.hub) && ev->port.hub[0]);
		break;
	case PIZWG_EVENT_MODULE_REMOVED:
		break;
	default:
		/* MODULE_ADDED needs the join, which cannot succeed here */
		FUZZ_CHECK(!"an event of no known type");
	}
}

static void deliver(uint8_t *buf, size_t size, struct nl_sock *sock)
{
	struct pizwg_genl g = {
		.ev = sock,
		.family_name = PIZWG_GENL_NAME,
		.group_name = PIZWG_GENL_MCGRP_EVENTS,
		.family = FAKE_FAMILY,
		.evbuf = buf,
	};
	struct delivery d = { .fn = on_event };
	int ret;

	ret = deliver_datagram(&g, (int)size, &d);
	FUZZ_CHECK(ret <= 0);
	FUZZ_CHECK(d.count >= 0 && (size_t)d.count <= size / NLMSG_HDRLEN);
}

static void parse_replies(uint8_t *buf, size_t size)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct family_info fi = { .group = PIZWG_GENL_MCGRP_EVENTS };
	char extack[PIZWG_EXTACK_MAX];
	struct pizwg_hub hub;
	struct pizwg_tty tty;
	int len = (int)size;

	for (; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
		if (!pizwg_parse_hub(nlh, &hub))
			check_hub(&hub);
		if (!pizwg_parse_tty(nlh, &tty))
			check_tty(&tty);
		if (!parse_family(nlh, &fi))
			FUZZ_CHECK(STR_OK(fi.name));
		pizwg_parse_extack(nlh, extack, sizeof(extack));
		FUZZ_CHECK(STR_OK(extack));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nl_sock *sock;
	uint8_t *buf;

	/* read_datagram() refuses what does not fit the event buffer */
	if (size > EVENT_BUF_SIZE)
		return -1;
	if (!sock)
		sock = nl_socket_alloc();
	FUZZ_CHECK(sock);
	/* malloc() aligns as the receive buffer is aligned */
	buf = malloc(size ? size : 1);
	FUZZ_CHECK(buf);
	memcpy(buf, data, size);
	deliver(buf, size, sock);
	memcpy(buf, data, size);
	parse_replies(buf, size);
	free(buf);
	return 0;
}
