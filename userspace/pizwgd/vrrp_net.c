// SPDX-License-Identifier: GPL-2.0-only
/*
 * The network side of one VRRP instance: see vrrp_net.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include "errbuf.h"
#include "vrrp_net.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif
#ifndef IFA_F_SECONDARY
#define IFA_F_SECONDARY 0x01
#endif

/* notifications queued while the loop is busy must not be lost easily */
#define EVENTS_RCVBUF (256 * 1024)
/* a raw socket returns the IP header (at most 60 bytes) too */
#define RX_BUF (60 + VRRP_MAX_PAYLOAD + 1)

static int fail(struct vrrp_net *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct vrrp_net *n, const char *fmt, ...)
{
	int len;
	va_list ap;

	len = snprintf(n->err, sizeof(n->err), "%s: ", n->ifname);
	if (len < 0 || (size_t)len >= sizeof(n->err))
		len = 0;
	va_start(ap, fmt);
	vsnprintf(n->err + len, sizeof(n->err) - len, fmt, ap);
	va_end(ap);
	return -1;
}

static uint32_t prefix_mask(unsigned int prefix)
{
	return prefix ? htonl(~0u << (32 - prefix)) : 0;
}

int vrrp_net_defaults(uint32_t addr, unsigned int prefix, uint32_t *vip,
		      uint8_t *priority, char *err, size_t errlen)
{
	uint32_t v;
	unsigned int last = ntohl(addr) & 0xff;

	if (prefix < 1 || prefix > 24) {
		errbuf_set(
			err, errlen,
			"prefix /%u: the default VIP (.254) needs a prefix of /1../24",
			prefix);
		return -1;
	}
	v = (addr & prefix_mask(prefix)) | htonl(254);
	if (v == addr) {
		errbuf_set(
			err, errlen,
			"the host address is the default VIP (.254): set vip");
		return -1;
	}
	*vip = v;
	*priority = last < 1 ? 1 : last > 253 ? 253 : last;
	return 0;
}

int vrrp_net_label(const char *ifname, char *label, size_t len)
{
	int n = snprintf(label, len, "%s%s", ifname, VRRP_NET_LABEL_SUFFIX);

	if (n < 0 || (size_t)n >= len || (size_t)n >= IFNAMSIZ)
		return -1;
	return 0;
}

static bool is_our_label(const char *label)
{
	size_t n, s = strlen(VRRP_NET_LABEL_SUFFIX);

	if (!label)
		return false;
	n = strlen(label);
	return n > s && !strcmp(label + n - s, VRRP_NET_LABEL_SUFFIX);
}

int vrrp_net_parse_default_route(const char *text, char *ifname, size_t len)
{
	const char *line = text;
	unsigned int best_metric = 0;
	bool found = false;

	while (line && *line) {
		char name[IFNAMSIZ + 1];
		unsigned int dst, gw, flags, metric, mask;
		const char *next = strchr(line, '\n');

		/* the header line does not scan: its second field is text */
		if (sscanf(line, "%16s %x %x %x %*d %*d %u %x", name, &dst, &gw,
			   &flags, &metric, &mask) == 6 &&
		    strlen(name) < IFNAMSIZ && !dst && !mask &&
		    (flags & RTF_UP) && (!found || metric < best_metric) &&
		    strlen(name) < len) {
			strcpy(ifname, name);
			best_metric = metric;
			found = true;
		}
		line = next ? next + 1 : NULL;
	}
	return found ? 0 : -1;
}

int vrrp_net_pick_primary(const struct vrrp_net_addr *addrs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(addrs[i].flags & IFA_F_SECONDARY) &&
		    !is_our_label(addrs[i].label))
			return (int)i;
	return -1;
}

/* The primary IPv4 address of @ifindex, from the kernel's list. */
static int primary_of(struct nl_sock *sk, int ifindex, uint32_t *addr,
		      uint8_t *prefix, char *err, size_t errlen)
{
	struct vrrp_net_addr list[64];
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	size_t n = 0;
	int rc, i;

	rc = rtnl_addr_alloc_cache(sk, &cache);
	if (rc < 0) {
		errbuf_set(err, errlen, "listing addresses: %s",
			   nl_geterror(rc));
		return -1;
	}
	for (o = nl_cache_get_first(cache); o && n < 64;
	     o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(a);

		if (rtnl_addr_get_ifindex(a) != ifindex ||
		    rtnl_addr_get_family(a) != AF_INET || !local ||
		    nl_addr_get_len(local) != 4)
			continue;
		memcpy(&list[n].addr, nl_addr_get_binary_addr(local), 4);
		list[n].prefix = rtnl_addr_get_prefixlen(a);
		list[n].flags = rtnl_addr_get_flags(a);
		list[n].label = rtnl_addr_get_label(a);
		n++;
	}
	i = vrrp_net_pick_primary(list, n);
	if (i >= 0) {
		*addr = list[i].addr;
		*prefix = list[i].prefix;
	}
	nl_cache_free(cache);
	if (i < 0) {
		errbuf_set(err, errlen, "no primary IPv4 address");
		return -1;
	}
	return 0;
}

int vrrp_net_primary_address(const char *ifname, uint32_t *addr,
			     uint8_t *prefix, char *err, size_t errlen)
{
	struct nl_sock *sk;
	unsigned int ifindex = if_nametoindex(ifname);
	char why[128];
	int rc;

	if (!ifindex) {
		errbuf_set(err, errlen, "%s: %s", ifname, strerror(errno));
		return -1;
	}
	sk = nl_socket_alloc();
	if (!sk) {
		errbuf_set(err, errlen, "%s: out of memory", ifname);
		return -1;
	}
	rc = nl_connect(sk, NETLINK_ROUTE);
	if (rc < 0) {
		errbuf_set(err, errlen, "%s: rtnetlink: %s", ifname,
			   nl_geterror(rc));
		goto out;
	}
	rc = primary_of(sk, ifindex, addr, prefix, why, sizeof(why));
	if (rc < 0)
		errbuf_set(err, errlen, "%s: %s", ifname, why);
out:
	nl_socket_free(sk);
	return rc < 0 ? -1 : 0;
}

int vrrp_net_default_interface(char *ifname, size_t len, uint32_t *addr,
			       uint8_t *prefix, char *err, size_t errlen)
{
	char text[16384];
	size_t got;
	FILE *f = fopen("/proc/net/route", "re");

	if (!f) {
		errbuf_set(err, errlen, "/proc/net/route: %s", strerror(errno));
		return -1;
	}
	got = fread(text, 1, sizeof(text) - 1, f);
	text[got] = '\0';
	fclose(f);
	if (vrrp_net_parse_default_route(text, ifname, len)) {
		errbuf_set(err, errlen, "no IPv4 default route: set interface");
		return -1;
	}
	return vrrp_net_primary_address(ifname, addr, prefix, err, errlen);
}

/* Index, MAC and link state from the kernel. */
static int query_link(struct vrrp_net *n)
{
	struct rtnl_link *link = NULL;
	struct nl_addr *mac;
	unsigned int flags;
	int rc;

	rc = rtnl_link_get_kernel(n->rtnl, 0, n->ifname, &link);
	if (rc < 0)
		return fail(n, "looking up the interface: %s", nl_geterror(rc));
	n->ifindex = rtnl_link_get_ifindex(link);
	mac = rtnl_link_get_addr(link);
	if (mac && nl_addr_get_len(mac) == sizeof(n->mac))
		memcpy(n->mac, nl_addr_get_binary_addr(mac), sizeof(n->mac));
	flags = rtnl_link_get_flags(link);
	n->link_up = (flags & IFF_UP) && (flags & IFF_LOWER_UP);
	rtnl_link_put(link);
	return 0;
}

/*
 * Between socket() and SO_BINDTODEVICE the socket heard protocol 112 on
 * every interface: forget what it queued then.
 */
static void drain(int fd)
{
	uint8_t b;
	int i;

	for (i = 0; i < 1024; i++)
		if (recv(fd, &b, sizeof(b), MSG_DONTWAIT | MSG_TRUNC) < 0)
			break;
}

static int ip_opt(int fd, int opt, const void *val, socklen_t len)
{
	return setsockopt(fd, IPPROTO_IP, opt, val, len);
}

static int open_advert_socket(struct vrrp_net *n)
{
	struct ip_mreqn mreq = {
		.imr_multiaddr.s_addr = htonl(VRRP_GROUP),
		.imr_address.s_addr = n->saddr,
		.imr_ifindex = n->ifindex,
	};
	int ttl = VRRP_TTL, off = 0;
	int fd;

	fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    VRRP_PROTO);
	if (fd < 0)
		return fail(n, "raw socket for protocol %d: %s", VRRP_PROTO,
			    strerror(errno));
	n->advert_fd = fd;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, n->ifname,
		       strlen(n->ifname)) < 0)
		return fail(n, "SO_BINDTODEVICE: %s", strerror(errno));
	if (ip_opt(fd, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) < 0)
		return fail(n, "joining 224.0.0.18: %s", strerror(errno));
	/* the source of our adverts: the pseudo-header checksum covers it */
	mreq.imr_multiaddr.s_addr = 0;
	if (ip_opt(fd, IP_MULTICAST_IF, &mreq, sizeof(mreq)) < 0)
		return fail(n, "IP_MULTICAST_IF: %s", strerror(errno));
	if (ip_opt(fd, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0)
		return fail(n, "IP_MULTICAST_TTL: %s", strerror(errno));
	if (ip_opt(fd, IP_MULTICAST_LOOP, &off, sizeof(off)) < 0)
		return fail(n, "IP_MULTICAST_LOOP: %s", strerror(errno));
	/* only the groups this socket joined, not every socket's */
	if (ip_opt(fd, IP_MULTICAST_ALL, &off, sizeof(off)) < 0)
		return fail(n, "IP_MULTICAST_ALL: %s", strerror(errno));
	drain(fd);
	return 0;
}

static int open_arp_socket(struct vrrp_net *n)
{
	/* protocol 0: send only, nothing is queued for us to read */
	n->arp_fd =
		socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (n->arp_fd < 0)
		return fail(n, "packet socket for ARP: %s", strerror(errno));
	return 0;
}

static int on_link_msg(struct nl_msg *msg, void *arg)
{
	struct vrrp_net *n = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct ifinfomsg *ifi;

	if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK)
		return NL_OK;
	if (!nlmsg_valid_hdr(h, sizeof(*ifi)))
		return NL_OK;
	ifi = nlmsg_data(h);
	if (ifi->ifi_index != n->ifindex)
		return NL_OK;
	if (h->nlmsg_type == RTM_DELLINK)
		n->link_up = false;
	else
		n->link_up = (ifi->ifi_flags & IFF_UP) &&
			     (ifi->ifi_flags & IFF_LOWER_UP);
	return NL_OK;
}

static int open_netlink(struct vrrp_net *n)
{
	int rc;

	n->rtnl = nl_socket_alloc();
	n->events = nl_socket_alloc();
	if (!n->rtnl || !n->events)
		return fail(n, "netlink socket: out of memory");
	rc = nl_connect(n->rtnl, NETLINK_ROUTE);
	if (rc < 0)
		return fail(n, "rtnetlink: %s", nl_geterror(rc));
	nl_socket_disable_seq_check(n->events);
	nl_socket_modify_cb(n->events, NL_CB_VALID, NL_CB_CUSTOM, on_link_msg,
			    n);
	rc = nl_connect(n->events, NETLINK_ROUTE);
	if (rc >= 0)
		rc = nl_socket_add_membership(n->events, RTNLGRP_LINK);
	if (rc >= 0)
		rc = nl_socket_set_nonblocking(n->events);
	if (rc >= 0)
		rc = nl_socket_set_buffer_size(n->events, EVENTS_RCVBUF, 0);
	if (rc < 0)
		return fail(n, "rtnetlink link events: %s", nl_geterror(rc));
	return 0;
}

int vrrp_net_open(struct vrrp_net *n, const struct vrrp_net_config *cfg)
{
	char why[VRRP_NET_ERR_LEN];
	uint8_t prefix;

	memset(n, 0, sizeof(*n));
	n->advert_fd = -1;
	n->arp_fd = -1;
	n->cfg = *cfg;
	if (!n->cfg.vip_lifetime_s)
		n->cfg.vip_lifetime_s = VRRP_NET_VIP_LIFETIME_S;
	if (!cfg->ifname || !*cfg->ifname ||
	    strlen(cfg->ifname) >= sizeof(n->ifname)) {
		snprintf(n->err, sizeof(n->err), "interface name %s",
			 cfg->ifname && *cfg->ifname ? "too long" : "missing");
		return -1;
	}
	strcpy(n->ifname, cfg->ifname);
	if (vrrp_net_label(n->ifname, n->label, sizeof(n->label))) {
		fail(n, "the VIP label %s%s is longer than %d characters",
		     n->ifname, VRRP_NET_LABEL_SUFFIX, IFNAMSIZ - 1);
		return -1;
	}
	if (cfg->vip_prefix < 1 || cfg->vip_prefix > 32) {
		fail(n, "VIP prefix /%u out of range 1..32", cfg->vip_prefix);
		return -1;
	}
	if (open_netlink(n) || query_link(n))
		goto err;
	if (primary_of(n->rtnl, n->ifindex, &n->saddr, &prefix, why,
		       sizeof(why))) {
		fail(n, "%s", why);
		goto err;
	}
	if (open_advert_socket(n) || open_arp_socket(n))
		goto err;
	return 0;
err:
	memcpy(why, n->err, sizeof(why));
	vrrp_net_close(n);
	memcpy(n->err, why, sizeof(n->err));
	return -1;
}

void vrrp_net_close(struct vrrp_net *n)
{
	if (n->advert_fd >= 0)
		close(n->advert_fd);
	if (n->arp_fd >= 0)
		close(n->arp_fd);
	n->advert_fd = n->arp_fd = -1;
	nl_socket_free(n->rtnl);
	nl_socket_free(n->events);
	n->rtnl = n->events = NULL;
}

const char *vrrp_net_error(const struct vrrp_net *n)
{
	return n->err;
}

int vrrp_net_advert_fd(const struct vrrp_net *n)
{
	return n->advert_fd;
}

int vrrp_net_link_fd(const struct vrrp_net *n)
{
	return n->events ? nl_socket_get_fd(n->events) : -1;
}

int vrrp_net_send_advert(struct vrrp_net *n, uint8_t prio, uint16_t interval_cs)
{
	struct vrrp_tx_opts tx = {
		.version = n->cfg.version,
		.vrid = n->cfg.vrid,
		.csum = n->cfg.csum,
		.saddr = n->saddr,
		.vips = &n->cfg.vip,
		.n_vips = 1,
	};
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(VRRP_GROUP),
	};
	uint8_t buf[VRRP_MAX_PAYLOAD];
	size_t len;

	len = vrrp_encode(&tx, prio, interval_cs, buf, sizeof(buf));
	if (!len)
		return fail(n, "cannot encode a VRRPv%u advert of %u cs",
			    n->cfg.version, interval_cs);
	if (sendto(n->advert_fd, buf, len, 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0)
		return fail(n, "sending advert: %s", strerror(errno));
	return 0;
}

int vrrp_net_recv(struct vrrp_net *n, struct vrrp_advert *adv,
		  enum vrrp_drop *why)
{
	struct vrrp_rx_opts rx = {
		.version = n->cfg.version,
		.vrid = n->cfg.vrid,
		.interval_cs = n->cfg.interval_cs,
		.vips = &n->cfg.vip,
		.n_vips = 1,
		.peers = n->cfg.peers,
		.n_peers = n->cfg.n_peers,
	};
	uint8_t buf[RX_BUF];
	ssize_t got;

	got = recv(n->advert_fd, buf, sizeof(buf), MSG_TRUNC);
	if (got < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return -1;
		return fail(n, "receiving advert: %s", strerror(errno));
	}
	n->last_saddr = 0;
	if (got >= 20)
		memcpy(&n->last_saddr, buf + 12, sizeof(n->last_saddr));
	/* longer than any advert: too long to be one; decode sees it cut */
	if ((size_t)got > sizeof(buf))
		got = sizeof(buf);
	if (vrrp_decode(buf, got, &rx, adv, why)) {
		if (*why < VRRP_DROP_COUNT)
			n->drops[*why]++;
		return 0;
	}
	return 1;
}

/* A VIP address object; @lifetimes: with the valid and preferred ones. */
static struct rtnl_addr *vip_addr(struct vrrp_net *n, bool lifetimes)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local;

	if (!a)
		return NULL;
	local = nl_addr_build(AF_INET, &n->cfg.vip, 4);
	if (!local) {
		rtnl_addr_put(a);
		return NULL;
	}
	nl_addr_set_prefixlen(local, n->cfg.vip_prefix);
	rtnl_addr_set_ifindex(a, n->ifindex);
	rtnl_addr_set_family(a, AF_INET);
	if (rtnl_addr_set_local(a, local) < 0 ||
	    rtnl_addr_set_label(a, n->label) < 0) {
		nl_addr_put(local);
		rtnl_addr_put(a);
		return NULL;
	}
	nl_addr_put(local);
	rtnl_addr_set_prefixlen(a, n->cfg.vip_prefix);
	if (lifetimes) {
		rtnl_addr_set_valid_lifetime(a, n->cfg.vip_lifetime_s);
		rtnl_addr_set_preferred_lifetime(a, n->cfg.vip_lifetime_s);
	}
	return a;
}

const char *vrrp_net_vip_str(const struct vrrp_net *n, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &n->cfg.vip, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, n->cfg.vip_prefix);
	return buf;
}

int vrrp_net_add_vip(struct vrrp_net *n)
{
	struct rtnl_addr *a = vip_addr(n, true);
	char s[32];
	int rc;

	if (!a)
		return fail(n, "VIP %s: out of memory",
			    vrrp_net_vip_str(n, s, sizeof(s)));
	rc = rtnl_addr_add(n->rtnl, a, NLM_F_REPLACE);
	rtnl_addr_put(a);
	if (rc < 0)
		return fail(n, "adding VIP %s: %s", vrrp_net_vip_str(n, s, sizeof(s)),
			    nl_geterror(rc));
	return 0;
}

int vrrp_net_del_vip(struct vrrp_net *n)
{
	struct rtnl_addr *a = vip_addr(n, false);
	char s[32];
	int rc;

	if (!a)
		return fail(n, "VIP %s: out of memory",
			    vrrp_net_vip_str(n, s, sizeof(s)));
	rc = rtnl_addr_delete(n->rtnl, a, 0);
	rtnl_addr_put(a);
	/* the interface gone (its namespace too): so is the address */
	if (rc < 0 && rc != -NLE_NOADDR && rc != -NLE_OBJ_NOTFOUND &&
	    rc != -NLE_NODEV)
		return fail(n, "removing VIP %s: %s", vrrp_net_vip_str(n, s, sizeof(s)),
			    nl_geterror(rc));
	return 0;
}

int vrrp_net_send_garp(struct vrrp_net *n)
{
	struct {
		struct arphdr h;
		uint8_t sha[6];
		uint8_t spa[4];
		uint8_t tha[6];
		uint8_t tpa[4];
	} __attribute__((packed)) arp = {
		.h.ar_hrd = htons(ARPHRD_ETHER),
		.h.ar_pro = htons(ETH_P_IP),
		.h.ar_hln = 6,
		.h.ar_pln = 4,
		.h.ar_op = htons(ARPOP_REQUEST),
	};
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ARP),
		.sll_ifindex = n->ifindex,
		.sll_halen = 6,
		.sll_addr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	};

	memcpy(arp.sha, n->mac, 6);
	memcpy(arp.spa, &n->cfg.vip, 4);
	memcpy(arp.tpa, &n->cfg.vip, 4);
	if (sendto(n->arp_fd, &arp, sizeof(arp), 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0)
		return fail(n, "sending gratuitous ARP: %s", strerror(errno));
	return 0;
}

int vrrp_net_link_event(struct vrrp_net *n)
{
	bool was = n->link_up;
	int rc, i;

	/* bounded: a flood of notifications must not starve the loop */
	for (i = 0; i < 64; i++) {
		rc = nl_recvmsgs_default(n->events);
		if (rc == -NLE_AGAIN)
			break;
		if (rc == -NLE_NOMEM || rc == -NLE_DUMP_INTR) {
			/* notifications were lost (ENOBUFS): ask */
			if (query_link(n))
				return -1;
			break;
		}
		if (rc < 0)
			return fail(n, "link events: %s", nl_geterror(rc));
	}
	return n->link_up != was;
}
