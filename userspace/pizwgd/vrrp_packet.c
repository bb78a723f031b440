// SPDX-License-Identifier: GPL-2.0-only
/*
 * VRRP advertisements on the wire: see vrrp_packet.h for the layout and the
 * checksum forms. The receive checks are RFC 9568 section 7.1's (RFC 3768's
 * for VRRPv2), the IP header first, each failure its own reason.
 */
#include <arpa/inet.h>
#include <string.h>

#include "vrrp_packet.h"

#define IP_MIN_HDR_LEN 20
#define IP_FRAG_MASK 0x3fff /* MF and the fragment offset */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* RFC 1071: the one's complement sum of @n bytes as big-endian words */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t acc)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		acc += get16(p + i);
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

/* The IPv4 pseudo-header: source, destination, zero, 112, VRRP length */
static uint32_t pseudo_sum(uint32_t saddr, uint32_t daddr, size_t vrrp_len)
{
	uint32_t s = ntohl(saddr), d = ntohl(daddr);

	return (s >> 16) + (s & 0xffff) + (d >> 16) + (d & 0xffff) +
	       VRRP_PROTO + (uint32_t)vrrp_len;
}

/* The checksum field's value for @vrrp (whose own field reads as zero) */
static uint16_t checksum(const uint8_t *vrrp, size_t len, uint32_t pseudo)
{
	return (uint16_t)~fold(sum16(vrrp, len, pseudo));
}

/* A message whose checksum field is filled in sums to 0xffff. */
static bool checksum_ok(const uint8_t *vrrp, size_t len, uint32_t pseudo)
{
	return fold(sum16(vrrp, len, pseudo)) == 0xffff;
}

static enum vrrp_drop check_ip(const uint8_t *p, size_t len, size_t *ihl)
{
	if (len < IP_MIN_HDR_LEN)
		return VRRP_DROP_TOO_SHORT;
	*ihl = (size_t)(p[0] & 0x0f) * 4;
	if (p[0] >> 4 != 4 || *ihl < IP_MIN_HDR_LEN || *ihl > len ||
	    get16(p + 2) != len || (get16(p + 6) & IP_FRAG_MASK))
		return VRRP_DROP_BAD_IP_HEADER;
	if (p[9] != VRRP_PROTO)
		return VRRP_DROP_WRONG_PROTOCOL;
	if (p[8] != VRRP_TTL)
		return VRRP_DROP_WRONG_TTL;
	if (ntohl(get32(p + 16)) != VRRP_GROUP)
		return VRRP_DROP_WRONG_DEST;
	if (len - *ihl < VRRP_HDR_LEN)
		return VRRP_DROP_TOO_SHORT;
	return VRRP_DROP_NONE;
}

static size_t payload_len(uint8_t version, uint8_t naddr)
{
	return VRRP_HDR_LEN + 4 * (size_t)naddr +
	       (version == 2 ? VRRP_V2_AUTH_LEN : 0);
}

/* Which checksum form @v carries; false if none */
static bool find_csum(const uint8_t *v, size_t len, uint8_t version,
		      uint32_t saddr, uint32_t daddr, enum vrrp_csum *csum)
{
	if (version == 2) {
		*csum = VRRP_CSUM_V2;
		return checksum_ok(v, len, 0);
	}
	*csum = VRRP_CSUM_PSEUDO_HEADER;
	if (checksum_ok(v, len, pseudo_sum(saddr, daddr, len)))
		return true;
	*csum = VRRP_CSUM_RFC9568;
	return checksum_ok(v, len, 0);
}

static bool addr_in(uint32_t addr, const uint32_t *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == addr)
			return true;
	return false;
}

/* The same set as ours: the same count, and each of ours present */
static bool addrs_match(const uint8_t *v, const struct vrrp_rx_opts *o)
{
	size_t n = v[3], i, j;

	if (n != o->n_vips)
		return false;
	for (i = 0; i < o->n_vips; i++) {
		for (j = 0; j < n; j++)
			if (get32(v + VRRP_HDR_LEN + 4 * j) == o->vips[i])
				break;
		if (j == n)
			return false;
	}
	return true;
}

static enum vrrp_drop check_interval(const uint8_t *v,
				     const struct vrrp_rx_opts *o)
{
	if (o->version == 2)
		return v[5] * 100 == o->interval_cs ?
			       VRRP_DROP_NONE :
			       VRRP_DROP_INTERVAL_MISMATCH;
	/* the top 4 bits are reserved: ignored on receipt */
	return get16(v + 4) & 0x0fff ? VRRP_DROP_NONE : VRRP_DROP_ZERO_INTERVAL;
}

static enum vrrp_drop check_vrrp(const uint8_t *v, size_t len,
				 const struct vrrp_rx_opts *o, uint32_t saddr,
				 uint32_t daddr, enum vrrp_csum *csum)
{
	enum vrrp_drop why;

	if (v[0] >> 4 != o->version)
		return VRRP_DROP_WRONG_VERSION;
	if ((v[0] & 0x0f) != VRRP_TYPE_ADVERT)
		return VRRP_DROP_WRONG_TYPE;
	if (v[1] != o->vrid)
		return VRRP_DROP_OTHER_VRID;
	if (len != payload_len(o->version, v[3]))
		return VRRP_DROP_LENGTH_MISMATCH;
	if (!find_csum(v, len, o->version, saddr, daddr, csum))
		return VRRP_DROP_BAD_CHECKSUM;
	/* RFC 3768 Auth Type 0; the data is ignored, as RFC 3768 5.3.6.1 says */
	if (o->version == 2 && v[4] != 0)
		return VRRP_DROP_BAD_AUTH;
	why = check_interval(v, o);
	if (why)
		return why;
	if (!addrs_match(v, o))
		return VRRP_DROP_ADDRESS_MISMATCH;
	if (o->n_peers && !addr_in(saddr, o->peers, o->n_peers))
		return VRRP_DROP_NOT_A_PEER;
	return VRRP_DROP_NONE;
}

int vrrp_decode(const uint8_t *ip_packet, size_t len,
		const struct vrrp_rx_opts *opts, struct vrrp_advert *out,
		enum vrrp_drop *why)
{
	const uint8_t *v;
	uint32_t saddr, daddr;
	enum vrrp_csum csum = VRRP_CSUM_V2;
	size_t ihl = 0;

	*why = check_ip(ip_packet, len, &ihl);
	if (*why)
		return -1;
	saddr = get32(ip_packet + 12);
	daddr = get32(ip_packet + 16);
	v = ip_packet + ihl;
	*why = check_vrrp(v, len - ihl, opts, saddr, daddr, &csum);
	if (*why)
		return -1;
	out->version = v[0] >> 4;
	out->vrid = v[1];
	out->priority = v[2];
	out->naddr = v[3];
	out->interval_cs = out->version == 2 ? v[5] * 100 :
					       get16(v + 4) & 0x0fff;
	out->saddr = saddr;
	out->csum = csum;
	return 0;
}

static bool tx_opts_valid(const struct vrrp_tx_opts *o, uint16_t interval_cs)
{
	if (!o->vips || !o->n_vips || o->n_vips > VRRP_MAX_ADDRS)
		return false;
	if (o->version == 2)
		return interval_cs && interval_cs % 100 == 0 &&
		       interval_cs <= VRRP_V2_MAX_INTERVAL_CS;
	if (o->version != 3 || o->csum == VRRP_CSUM_V2)
		return false;
	return interval_cs && interval_cs <= VRRP_V3_MAX_INTERVAL_CS;
}

size_t vrrp_encode(const struct vrrp_tx_opts *opts, uint8_t prio,
		   uint16_t interval_cs, uint8_t *buf, size_t len)
{
	size_t n, i;
	uint32_t pseudo = 0;

	if (!tx_opts_valid(opts, interval_cs))
		return 0;
	n = payload_len(opts->version, (uint8_t)opts->n_vips);
	if (len < n)
		return 0;
	memset(buf, 0, n);
	buf[0] = (uint8_t)(opts->version << 4 | VRRP_TYPE_ADVERT);
	buf[1] = opts->vrid;
	buf[2] = prio;
	buf[3] = (uint8_t)opts->n_vips;
	if (opts->version == 2)
		buf[5] = (uint8_t)(interval_cs / 100); /* auth type 0 */
	else
		put16(buf + 4, interval_cs);
	for (i = 0; i < opts->n_vips; i++)
		memcpy(buf + VRRP_HDR_LEN + 4 * i, &opts->vips[i], 4);
	if (opts->version == 3 && opts->csum == VRRP_CSUM_PSEUDO_HEADER)
		pseudo = pseudo_sum(opts->saddr, htonl(VRRP_GROUP), n);
	put16(buf + 6, checksum(buf, n, pseudo));
	return n;
}

const char *vrrp_drop_name(enum vrrp_drop why)
{
	static const char *const names[] = {
		[VRRP_DROP_NONE] = "none",
		[VRRP_DROP_TOO_SHORT] = "too_short",
		[VRRP_DROP_BAD_IP_HEADER] = "bad_ip_header",
		[VRRP_DROP_WRONG_PROTOCOL] = "wrong_protocol",
		[VRRP_DROP_WRONG_TTL] = "wrong_ttl",
		[VRRP_DROP_WRONG_DEST] = "wrong_destination",
		[VRRP_DROP_WRONG_VERSION] = "wrong_version",
		[VRRP_DROP_WRONG_TYPE] = "wrong_type",
		[VRRP_DROP_OTHER_VRID] = "other_vrid",
		[VRRP_DROP_LENGTH_MISMATCH] = "length_mismatch",
		[VRRP_DROP_BAD_CHECKSUM] = "bad_checksum",
		[VRRP_DROP_BAD_AUTH] = "bad_auth",
		[VRRP_DROP_ZERO_INTERVAL] = "zero_interval",
		[VRRP_DROP_INTERVAL_MISMATCH] = "interval_mismatch",
		[VRRP_DROP_ADDRESS_MISMATCH] = "address_mismatch",
		[VRRP_DROP_NOT_A_PEER] = "not_a_peer",
	};

	if ((unsigned int)why >= VRRP_DROP_COUNT)
		return "unknown";
	return names[why];
}

const char *vrrp_csum_name(enum vrrp_csum csum)
{
	switch (csum) {
	case VRRP_CSUM_PSEUDO_HEADER:
		return "pseudo-header";
	case VRRP_CSUM_RFC9568:
		return "rfc9568";
	case VRRP_CSUM_V2:
		return "v2";
	}
	return "unknown";
}
