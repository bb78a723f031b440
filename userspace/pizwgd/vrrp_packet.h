/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VRRP advertisements for IPv4 on the wire: version 3 (RFC 9568, which
 * obsoletes RFC 5798) and version 2 (RFC 3768) for old peers. Pure
 * functions: no state, no I/O, nothing logged; every read is bounded by the
 * length given, whatever the bytes say.
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |Version| Type  | Virtual Rtr ID|   Priority    |Count IPvX Addr|
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * v3 |(rsvd) |  Max Adver Int (cs)   |          Checksum             |
 * v2 |   Auth Type   | Adver Int (s) |          Checksum             |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |              IPv4 Address(es): Count of them                  |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * v2 |         Authentication Data: 8 bytes, zero with Auth Type 0   |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The checksum, the 16-bit one's complement of the one's complement sum
 * (RFC 1071) with the checksum field taken as zero, comes in three forms:
 *
 *  VRRP_CSUM_PSEUDO_HEADER  VRRPv3 as RFC 5798 section 5.2.8 words it: the
 *      VRRP message plus a pseudo-header "as defined in Section 8.1 of
 *      [RFC2460]" with next header 112, which RFC 5798 applies to IPv4 too.
 *      For IPv4 that is source address, destination address (224.0.0.18),
 *      zero, protocol 112, VRRP message length; the RFC 2460 layout with
 *      4-byte addresses gives the same one's complement sum. keepalived
 *      computes it for IPv4 by default (and always, up to 2.2.7); so does
 *      FRR with "checksum-with-ipv4-pseudoheader". Our default.
 *  VRRP_CSUM_RFC9568  VRRPv3 as RFC 9568 section 5.2.8 clarifies it: for
 *      IPv4 "the checksum calculation only includes the VRRP message
 *      starting with the Version field and ending after the last IPv4
 *      address"; only IPv6 prepends the RFC 8200 pseudo-header. FRR's
 *      default and Cisco's; keepalived after 2.2.7 offers it as
 *      v3_checksum_as_v2 (2.2.7 rejects it). `vrrp_checksum = rfc9568`.
 *  VRRPv2 (RFC 3768 section 5.3.8): the VRRP message alone, the
 *      authentication data included; no choice.
 *
 * vrrp_decode() accepts either VRRPv3 form and says which one matched.
 */
#ifndef PIZWGD_VRRP_PACKET_H
#define PIZWGD_VRRP_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VRRP_PROTO 112
#define VRRP_TTL 255
/* 224.0.0.18, host order */
#define VRRP_GROUP 0xe0000012u
#define VRRP_TYPE_ADVERT 1
#define VRRP_HDR_LEN 8
#define VRRP_V2_AUTH_LEN 8
/* Count IPvX Addr is one byte */
#define VRRP_MAX_ADDRS 255
/* Max Adver Int is 12 bits of centiseconds */
#define VRRP_V3_MAX_INTERVAL_CS 4095
/* VRRPv2's Adver Int is a byte of seconds */
#define VRRP_V2_MAX_INTERVAL_CS (255 * 100)
#define VRRP_MAX_PAYLOAD (VRRP_HDR_LEN + 4 * VRRP_MAX_ADDRS + VRRP_V2_AUTH_LEN)

enum vrrp_csum {
	VRRP_CSUM_PSEUDO_HEADER,
	VRRP_CSUM_RFC9568,
	VRRP_CSUM_V2,
};

/* Why an advertisement was dropped, in the order vrrp_decode() checks. */
enum vrrp_drop {
	VRRP_DROP_NONE,
	VRRP_DROP_TOO_SHORT, /* shorter than an IP + VRRP header */
	VRRP_DROP_BAD_IP_HEADER, /* IP version, IHL or total length */
	VRRP_DROP_WRONG_PROTOCOL, /* not 112 */
	VRRP_DROP_WRONG_TTL, /* not 255: from off link */
	VRRP_DROP_WRONG_DEST, /* not 224.0.0.18 */
	VRRP_DROP_WRONG_VERSION, /* not the configured 3 or 2 */
	VRRP_DROP_WRONG_TYPE, /* not 1, ADVERTISEMENT */
	VRRP_DROP_OTHER_VRID, /* another group on the link */
	VRRP_DROP_LENGTH_MISMATCH, /* length not that of Count addresses */
	VRRP_DROP_BAD_CHECKSUM, /* no accepted form matches */
	VRRP_DROP_BAD_AUTH, /* VRRPv2 auth type not 0 */
	VRRP_DROP_ZERO_INTERVAL, /* VRRPv3 Max Adver Int 0 (RFC 9568 7.1) */
	VRRP_DROP_INTERVAL_MISMATCH, /* VRRPv2 Adver Int not ours */
	VRRP_DROP_ADDRESS_MISMATCH, /* address list not our VIP list */
	VRRP_DROP_NOT_A_PEER, /* source not in `peers` */
	VRRP_DROP_COUNT
};

/* What the receiver checks against: one VRRP instance's configuration. */
struct vrrp_rx_opts {
	uint8_t version; /* 3, or 2 */
	uint8_t vrid;
	uint16_t interval_cs; /* ours; VRRPv2 requires the same */
	const uint32_t *vips; /* network order */
	size_t n_vips; /* 1..VRRP_MAX_ADDRS */
	const uint32_t *peers; /* network order; NULL: anyone */
	size_t n_peers;
};

/* An advertisement that passed every check. */
struct vrrp_advert {
	uint8_t version;
	uint8_t vrid;
	uint8_t priority;
	uint8_t naddr;
	uint16_t interval_cs; /* VRRPv2: Adver Int * 100 */
	uint32_t saddr; /* IP source, network order */
	enum vrrp_csum csum; /* the form that matched */
};

/* What the sender puts in: the checksum form and the pseudo-header source. */
struct vrrp_tx_opts {
	uint8_t version; /* 3, or 2 */
	uint8_t vrid;
	enum vrrp_csum csum; /* VRRPv3 only */
	uint32_t saddr; /* network order: the socket's source */
	const uint32_t *vips; /* network order */
	size_t n_vips; /* 1..VRRP_MAX_ADDRS */
};

/*
 * Checks the whole IPv4 packet @ip_packet of @len bytes, as a raw socket
 * gives it (IP header included). Returns 0 and fills @out, or -1 with the
 * reason in @why (VRRP_DROP_NONE on success). @out is untouched on failure.
 */
int vrrp_decode(const uint8_t *ip_packet, size_t len,
		const struct vrrp_rx_opts *opts, struct vrrp_advert *out,
		enum vrrp_drop *why);

/*
 * Builds the VRRP message (no IP header: the kernel adds it) announcing
 * @prio and @interval_cs into @buf. Returns its length, or 0 when @len is
 * too small or the options cannot be encoded (no VIP or more than 255, an
 * interval of 0, above 4095 cs, or for VRRPv2 not whole seconds).
 */
size_t vrrp_encode(const struct vrrp_tx_opts *opts, uint8_t prio,
		   uint16_t interval_cs, uint8_t *buf, size_t len);

/* "too_short", "bad_checksum", ...: for metrics labels and logs */
const char *vrrp_drop_name(enum vrrp_drop why);
/* "pseudo-header", "rfc9568", "v2": the config spelling where there is one */
const char *vrrp_csum_name(enum vrrp_csum csum);

#endif /* PIZWGD_VRRP_PACKET_H */
