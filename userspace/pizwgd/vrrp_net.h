/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The network side of one VRRP instance (IPv4), and nothing else: no
 * state, no timers, no policy. vrrp.c decides, vrrp_packet.c encodes and
 * decodes, this module moves the bytes and the addresses:
 *
 *  - adverts: a raw IPv4 socket for protocol 112, SO_BINDTODEVICE to the
 *    interface, member of 224.0.0.18 there, IP_MULTICAST_IF with our
 *    primary address as the source, multicast TTL 255, loopback off.
 *    Received packets come with their IP header (a raw socket's), so
 *    vrrp_decode() checks the TTL and the pseudo-header source itself.
 *  - the VIP: added and removed with libnl-route-3 (rtnl_addr), labelled
 *    "IFNAME:pizwg" (the contract with pizwgd-stop-post) and with a short
 *    valid and preferred lifetime; adding again renews it (NLM_F_REPLACE),
 *    so a master that stops renewing loses it by itself.
 *  - gratuitous ARP for the VIP over AF_PACKET, one per call: the caller
 *    paces them (garp_count, garp_interval).
 *  - carrier: rtnetlink link notifications for the interface (RTNLGRP_LINK);
 *    the link counts as up while it is IFF_UP and IFF_LOWER_UP.
 *
 * The two pollable descriptors (vrrp_net_advert_fd, vrrp_net_link_fd) are
 * non-blocking; add them to an epoll loop for EPOLLIN. Address changes go
 * over a third, private rtnetlink socket as a request that the kernel
 * answers at once, never waiting on the network.
 *
 * Errors: functions that can fail return 0 or -1 and leave one line naming
 * the interface, the operation and the reason in vrrp_net_error().
 *
 * Also here, pure and unit-tested: the defaults of issue 4 (VIP and
 * priority from the host's address), the VIP label, the default-route
 * interface from /proc/net/route text, and the choice of the primary
 * address among an interface's addresses.
 */
#ifndef PIZWGD_VRRP_NET_H
#define PIZWGD_VRRP_NET_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vrrp_packet.h"

#define VRRP_NET_LABEL_SUFFIX ":pizwg"
/* the VIP's valid and preferred lifetime unless configured */
#define VRRP_NET_VIP_LIFETIME_S 5
#define VRRP_NET_ERR_LEN 256

struct nl_sock;

struct vrrp_net_config {
	const char *ifname;
	uint8_t vrid;
	uint8_t version; /* 3, or 2 */
	enum vrrp_csum csum; /* what we send with VRRPv3 */
	uint16_t interval_cs; /* ours: VRRPv2 receivers require the same */
	uint32_t vip; /* network order */
	uint8_t vip_prefix; /* 1..32 */
	uint32_t vip_lifetime_s; /* 0: VRRP_NET_VIP_LIFETIME_S */
	const uint32_t *peers; /* network order, borrowed; NULL: anyone */
	size_t n_peers;
};

struct vrrp_net {
	struct vrrp_net_config cfg;
	char ifname[IFNAMSIZ];
	char label[IFNAMSIZ]; /* IFNAME:pizwg */
	int ifindex;
	uint8_t mac[6];
	uint32_t saddr; /* primary address: advert source, network order */
	bool link_up; /* IFF_UP and IFF_LOWER_UP, as last seen */
	int advert_fd; /* raw IP, protocol 112 */
	int arp_fd; /* AF_PACKET, send only */
	struct nl_sock *rtnl; /* requests: addresses, link queries */
	struct nl_sock *events; /* RTNLGRP_LINK notifications */
	uint64_t drops[VRRP_DROP_COUNT];
	uint32_t last_saddr; /* IP source of the last packet read, or 0 */
	char err[VRRP_NET_ERR_LEN];
};

/*
 * Opens every socket for @cfg->ifname and reads the interface's index, MAC,
 * primary address and link state. -1 on failure, with everything already
 * opened closed again (vrrp_net_close() is still safe to call).
 */
int vrrp_net_open(struct vrrp_net *n, const struct vrrp_net_config *cfg);
void vrrp_net_close(struct vrrp_net *n);
const char *vrrp_net_error(const struct vrrp_net *n);

int vrrp_net_advert_fd(const struct vrrp_net *n);
int vrrp_net_link_fd(const struct vrrp_net *n);

/* One advertisement announcing @prio and @interval_cs; 0 or -1. */
int vrrp_net_send_advert(struct vrrp_net *n, uint8_t prio,
			 uint16_t interval_cs);

/*
 * Reads one packet. 1: a valid advertisement in @adv; 0: a packet that was
 * dropped, the reason in @why (and counted in n->drops); -1 with errno
 * EAGAIN when none is queued; -1 on any other error.
 */
int vrrp_net_recv(struct vrrp_net *n, struct vrrp_advert *adv,
		  enum vrrp_drop *why);

/* Adds the VIP, or renews its lifetime if it is there already. */
/* "ADDRESS/PREFIX" of the VIP into @buf; returns @buf. */
const char *vrrp_net_vip_str(const struct vrrp_net *n, char *buf, size_t len);
int vrrp_net_add_vip(struct vrrp_net *n);
/* Removes the VIP; success if it was not there (e.g. it expired). */
int vrrp_net_del_vip(struct vrrp_net *n);
/* One gratuitous ARP request for the VIP, to the broadcast address. */
int vrrp_net_send_garp(struct vrrp_net *n);

/*
 * Reads the queued link notifications and updates n->link_up. Returns 1 if
 * the link state changed, 0 if not, -1 on error. Lost notifications
 * (ENOBUFS) are recovered from by asking the kernel for the link.
 */
int vrrp_net_link_event(struct vrrp_net *n);

/* Pure helpers. */

/*
 * Issue 4's defaults from the host address @addr/@prefix (network order):
 * @vip = (addr & mask) | 254 and @priority = the last octet clamped to
 * 1..253. -1 with a reason in @err if the prefix is not 1..24 or the host is
 * the .254 itself.
 */
int vrrp_net_defaults(uint32_t addr, unsigned int prefix, uint32_t *vip,
		      uint8_t *priority, char *err, size_t errlen);

/* "IFNAME:pizwg" into @label (IFNAMSIZ bytes); -1 if it does not fit. */
int vrrp_net_label(const char *ifname, char *label, size_t len);

/*
 * The interface of the default route in /proc/net/route's @text (the one
 * with the lowest metric among the up ones); -1 if there is none.
 */
int vrrp_net_parse_default_route(const char *text, char *ifname, size_t len);

/* An IPv4 address on an interface, as the kernel reports it. */
struct vrrp_net_addr {
	uint32_t addr; /* network order */
	uint8_t prefix;
	uint32_t flags; /* IFA_F_* */
	const char *label; /* may be NULL */
};

/*
 * The primary address among @addrs: the first that is not secondary and
 * not one of our VIPs (labelled IFNAME:pizwg); -1 if none.
 */
int vrrp_net_pick_primary(const struct vrrp_net_addr *addrs, size_t n);

/*
 * The default-route interface (from /proc/net/route, so of the current
 * network namespace) and its primary address and prefix. -1 with a reason
 * in @err.
 */
int vrrp_net_default_interface(char *ifname, size_t len, uint32_t *addr,
			       uint8_t *prefix, char *err, size_t errlen);

/* The primary address and prefix of @ifname; -1 with a reason in @err. */
int vrrp_net_primary_address(const char *ifname, uint32_t *addr,
			     uint8_t *prefix, char *err, size_t errlen);

#endif /* PIZWGD_VRRP_NET_H */
