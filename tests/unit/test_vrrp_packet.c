// SPDX-License-Identifier: GPL-2.0-only
/*
 * VRRP advertisement encode and decode against packets keepalived 2.2.7
 * (Debian 12) sent, captured with tcpdump on a veth pair in a private
 * network namespace:
 *
 *   global_defs { vrrp_version 3 }      (and 2, with advert_int 1)
 *   vrrp_instance pz { state BACKUP; interface veth0; virtual_router_id 254;
 *       priority 100; advert_int 0.2; nopreempt;
 *       virtual_ipaddress { 192.168.1.254/24 } }
 *
 * veth0 had 192.168.1.10/24; the priority 0 advert is the one keepalived
 * sent on SIGTERM. Checksums are checked against those bytes, against a
 * reference written differently (bytewise, over RFC 2460's pseudo-header
 * layout, as RFC 5798 words it) and against values worked out by hand.
 * Then every drop reason, every truncation, and fixed-seed random input.
 */
#include <arpa/inet.h>

#include "vrrp_packet.h"
#include "unit.h"

#define ADDR(a, b, c, d) htonl((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define SRC ADDR(192, 168, 1, 10)
#define VIP ADDR(192, 168, 1, 254)
#define IP_HDR 20

static const uint8_t keepalived_v3[] = {
	0x45, 0xc0, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0xff, 0x70, 0x18,
	0xe8, 0xc0, 0xa8, 0x01, 0x0a, 0xe0, 0x00, 0x00, 0x12, 0x31, 0xfe,
	0x64, 0x01, 0x00, 0x14, 0x05, 0x04, 0xc0, 0xa8, 0x01, 0xfe,
};

static const uint8_t keepalived_v3_prio0[] = {
	0x45, 0xc0, 0x00, 0x20, 0x00, 0x17, 0x00, 0x00, 0xff, 0x70, 0x18,
	0xd2, 0xc0, 0xa8, 0x01, 0x0a, 0xe0, 0x00, 0x00, 0x12, 0x31, 0xfe,
	0x00, 0x01, 0x00, 0x14, 0x69, 0x04, 0xc0, 0xa8, 0x01, 0xfe,
};

static const uint8_t keepalived_v2[] = {
	0x45, 0xc0, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00, 0xff, 0x70,
	0x18, 0xe0, 0xc0, 0xa8, 0x01, 0x0a, 0xe0, 0x00, 0x00, 0x12,
	0x21, 0xfe, 0x64, 0x01, 0x00, 0x01, 0xb7, 0x58, 0xc0, 0xa8,
	0x01, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* { VIP }, set by main(): htonl() is no constant expression */
static uint32_t vips[1];

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static struct vrrp_rx_opts rx3(void)
{
	return (struct vrrp_rx_opts){ .version = 3,
				      .vrid = 254,
				      .interval_cs = 20,
				      .vips = vips,
				      .n_vips = 1 };
}

static struct vrrp_rx_opts rx2(void)
{
	return (struct vrrp_rx_opts){ .version = 2,
				      .vrid = 254,
				      .interval_cs = 100,
				      .vips = vips,
				      .n_vips = 1 };
}

static struct vrrp_tx_opts tx(uint8_t version, enum vrrp_csum csum)
{
	return (struct vrrp_tx_opts){ .version = version,
				      .vrid = 254,
				      .csum = csum,
				      .saddr = SRC,
				      .vips = vips,
				      .n_vips = 1 };
}

/*
 * The reference checksum: the bytes of RFC 2460 section 8.1's pseudo-header
 * (source, destination, 32-bit upper-layer length, 3 zero bytes, next
 * header 112) when @pseudo, then the message, summed bytewise.
 */
static uint16_t ref_checksum(bool pseudo, uint32_t src, uint32_t dst,
			     const uint8_t *msg, size_t len)
{
	uint8_t all[40 + VRRP_MAX_PAYLOAD] = { 0 };
	uint64_t sum = 0;
	size_t n = 0, i;

	if (pseudo) {
		memcpy(all, &src, 4);
		memcpy(all + 4, &dst, 4);
		all[10] = len >> 8;
		all[11] = len & 0xff;
		all[15] = VRRP_PROTO;
		n = 16;
	}
	memcpy(all + n, msg, len);
	n += len;
	for (i = 0; i < n; i++)
		sum += i % 2 ? all[i] : (uint64_t)all[i] * 256;
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Rewrites the checksum of the VRRP message in @pkt after an edit */
static void refix(uint8_t *pkt, size_t len, bool pseudo)
{
	uint8_t *msg = pkt + (pkt[0] & 0x0f) * 4;
	size_t mlen = len - (pkt[0] & 0x0f) * 4;
	uint32_t src, dst;
	uint16_t c;

	memcpy(&src, pkt + 12, 4);
	memcpy(&dst, pkt + 16, 4);
	msg[6] = 0;
	msg[7] = 0;
	c = ref_checksum(pseudo, src, dst, msg, mlen);
	msg[6] = c >> 8;
	msg[7] = c & 0xff;
}

/* An IPv4 header as the kernel builds it for a raw IPPROTO_VRRP socket */
static size_t wrap(const uint8_t *msg, size_t mlen, uint32_t src, uint8_t *pkt)
{
	uint32_t dst = htonl(VRRP_GROUP);

	memset(pkt, 0, IP_HDR);
	pkt[0] = 0x45;
	pkt[1] = 0xc0;
	pkt[2] = (IP_HDR + mlen) >> 8;
	pkt[3] = (IP_HDR + mlen) & 0xff;
	pkt[8] = VRRP_TTL;
	pkt[9] = VRRP_PROTO;
	memcpy(pkt + 12, &src, 4);
	memcpy(pkt + 16, &dst, 4);
	memcpy(pkt + IP_HDR, msg, mlen);
	return IP_HDR + mlen;
}

static uint8_t pkt[64 + VRRP_MAX_PAYLOAD];
static size_t pkt_len;
static struct vrrp_advert adv;
static enum vrrp_drop why;

static void load(const uint8_t *bytes, size_t len)
{
	memcpy(pkt, bytes, len);
	pkt_len = len;
}

static int decode(const struct vrrp_rx_opts *o)
{
	memset(&adv, 0, sizeof(adv));
	return vrrp_decode(pkt, pkt_len, o, &adv, &why);
}

/* The keepalived v3 advert, with @edit applied and the checksum made good */
#define EDITED_V3(edit)                                     \
	do {                                                \
		load(keepalived_v3, sizeof(keepalived_v3)); \
		edit;                                       \
		refix(pkt, pkt_len, true);                  \
	} while (0)

#define EDITED_V2(edit)                                     \
	do {                                                \
		load(keepalived_v2, sizeof(keepalived_v2)); \
		edit;                                       \
		refix(pkt, pkt_len, false);                 \
	} while (0)

#define CHECK_DROP(opts, reason)                                        \
	do {                                                            \
		struct vrrp_rx_opts o_ = (opts);                        \
		CHECK_INT(decode(&o_), -1);                             \
		CHECK_STR(vrrp_drop_name(why), vrrp_drop_name(reason)); \
	} while (0)

/* Captured keepalived 2.2.7 packets */

static void keepalived_v3_advert_decodes_with_the_pseudo_header_checksum(void)
{
	struct vrrp_rx_opts o = rx3();

	load(keepalived_v3, sizeof(keepalived_v3));
	CHECK_INT(decode(&o), 0);
	CHECK_INT(why, VRRP_DROP_NONE);
	CHECK_INT(adv.version, 3);
	CHECK_INT(adv.vrid, 254);
	CHECK_INT(adv.priority, 100);
	CHECK_INT(adv.naddr, 1);
	CHECK_INT(adv.interval_cs, 20);
	CHECK(adv.saddr == SRC);
	CHECK_STR(vrrp_csum_name(adv.csum), "pseudo-header");
}

static void keepalived_v3_priority_zero_release_decodes(void)
{
	struct vrrp_rx_opts o = rx3();

	load(keepalived_v3_prio0, sizeof(keepalived_v3_prio0));
	CHECK_INT(decode(&o), 0);
	CHECK_INT(adv.priority, 0);
	CHECK_STR(vrrp_csum_name(adv.csum), "pseudo-header");
}

static void keepalived_v2_advert_decodes(void)
{
	struct vrrp_rx_opts o = rx2();

	load(keepalived_v2, sizeof(keepalived_v2));
	CHECK_INT(decode(&o), 0);
	CHECK_INT(adv.version, 2);
	CHECK_INT(adv.priority, 100);
	CHECK_INT(adv.interval_cs, 100);
	CHECK_STR(vrrp_csum_name(adv.csum), "v2");
}

/*
 * By hand, in 16-bit words: pseudo-header c0a8 010a e000 0012 0070 000c,
 * message 31fe 6401 0014 (0000) c0a8 01fe. Sum 0x2faf9, folded 0xfafb,
 * complement 0x0504; the message alone sums to 0x158b9, 0x58ba, 0xa745.
 */
static void keepalived_v3_checksum_matches_the_reference_and_hand_sums(void)
{
	uint8_t msg[12];

	memcpy(msg, keepalived_v3 + IP_HDR, sizeof(msg));
	msg[6] = 0;
	msg[7] = 0;
	CHECK_INT(ref_checksum(true, SRC, htonl(VRRP_GROUP), msg, 12), 0x0504);
	CHECK_INT(ref_checksum(false, 0, 0, msg, 12), 0xa745);
	CHECK_INT(get_be16(keepalived_v3 + IP_HDR + 6), 0x0504);
}

/* 21fe 6401 0001 (0000) c0a8 01fe, then 8 zero bytes: 0x148a6, 0x48a7 */
static void keepalived_v2_checksum_matches_the_reference_and_hand_sum(void)
{
	uint8_t msg[20];

	memcpy(msg, keepalived_v2 + IP_HDR, sizeof(msg));
	msg[6] = 0;
	msg[7] = 0;
	CHECK_INT(ref_checksum(false, 0, 0, msg, 20), 0xb758);
	CHECK_INT(get_be16(keepalived_v2 + IP_HDR + 6), 0xb758);
}

static void encode_v3_pseudo_header_reproduces_keepalived_bytes(void)
{
	struct vrrp_tx_opts o = tx(3, VRRP_CSUM_PSEUDO_HEADER);
	uint8_t buf[64];

	CHECK_INT(vrrp_encode(&o, 100, 20, buf, sizeof(buf)), 12);
	CHECK(!memcmp(buf, keepalived_v3 + IP_HDR, 12));
	CHECK_INT(vrrp_encode(&o, 0, 20, buf, sizeof(buf)), 12);
	CHECK(!memcmp(buf, keepalived_v3_prio0 + IP_HDR, 12));
}

static void encode_v2_reproduces_keepalived_bytes(void)
{
	struct vrrp_tx_opts o = tx(2, VRRP_CSUM_V2);
	uint8_t buf[64];

	CHECK_INT(vrrp_encode(&o, 100, 100, buf, sizeof(buf)), 20);
	CHECK(!memcmp(buf, keepalived_v2 + IP_HDR, 20));
}

static void encode_rfc9568_checksums_the_message_alone(void)
{
	struct vrrp_tx_opts o = tx(3, VRRP_CSUM_RFC9568);
	uint8_t buf[64];

	CHECK_INT(vrrp_encode(&o, 100, 20, buf, sizeof(buf)), 12);
	CHECK_INT(get_be16(buf + 6), 0xa745);
	CHECK(!memcmp(buf, keepalived_v3 + IP_HDR, 6));
	CHECK(!memcmp(buf + 8, keepalived_v3 + IP_HDR + 8, 4));
}

/* xorshift32: fixed seeds, the same run every time */
static uint32_t rng_state;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void encode_checksums_match_the_reference_for_random_adverts(void)
{
	static uint32_t many[VRRP_MAX_ADDRS];
	uint8_t buf[VRRP_MAX_PAYLOAD], copy[VRRP_MAX_PAYLOAD];
	int i;

	rng_state = 0x5eed;
	for (i = 0; i < 2000; i++) {
		enum vrrp_csum form = i % 3;
		struct vrrp_tx_opts o = {
			.version = form == VRRP_CSUM_V2 ? 2 : 3,
			.vrid = rng() % 255 + 1,
			.csum = form,
			.saddr = rng(),
			.vips = many,
			.n_vips = rng() % VRRP_MAX_ADDRS + 1,
		};
		uint16_t interval = o.version == 2 ? (rng() % 255 + 1) * 100 :
						     rng() % 4095 + 1;
		size_t j, n;

		for (j = 0; j < o.n_vips; j++)
			many[j] = rng();
		n = vrrp_encode(&o, rng() & 0xff, interval, buf, sizeof(buf));
		CHECK(n);
		memcpy(copy, buf, n);
		copy[6] = 0;
		copy[7] = 0;
		CHECK_INT(get_be16(buf + 6),
			  ref_checksum(form == VRRP_CSUM_PSEUDO_HEADER, o.saddr,
				       htonl(VRRP_GROUP), copy, n));
	}
}

/* Round trips */

static void round_trip(uint8_t version, enum vrrp_csum form)
{
	struct vrrp_tx_opts t = tx(version, form);
	struct vrrp_rx_opts r = version == 2 ? rx2() : rx3();
	uint16_t interval = version == 2 ? 100 : 20;
	uint8_t msg[64];
	size_t n = vrrp_encode(&t, 77, interval, msg, sizeof(msg));

	CHECK(n);
	pkt_len = wrap(msg, n, SRC, pkt);
	CHECK_INT(decode(&r), 0);
	CHECK_INT(adv.version, version);
	CHECK_INT(adv.vrid, 254);
	CHECK_INT(adv.priority, 77);
	CHECK_INT(adv.naddr, 1);
	CHECK_INT(adv.interval_cs, interval);
	CHECK(adv.saddr == SRC);
	CHECK_STR(vrrp_csum_name(adv.csum), vrrp_csum_name(form));
}

static void v3_pseudo_header_round_trip(void)
{
	round_trip(3, VRRP_CSUM_PSEUDO_HEADER);
}

static void v3_rfc9568_round_trip_reports_its_form(void)
{
	round_trip(3, VRRP_CSUM_RFC9568);
}

static void v2_round_trip(void)
{
	round_trip(2, VRRP_CSUM_V2);
}

static void v3_longest_interval_round_trips(void)
{
	struct vrrp_tx_opts t = tx(3, VRRP_CSUM_PSEUDO_HEADER);
	struct vrrp_rx_opts r = rx3();
	uint8_t msg[64];
	size_t n =
		vrrp_encode(&t, 1, VRRP_V3_MAX_INTERVAL_CS, msg, sizeof(msg));

	pkt_len = wrap(msg, n, SRC, pkt);
	CHECK_INT(decode(&r), 0);
	CHECK_INT(adv.interval_cs, 4095);
}

static void all_255_addresses_round_trip(void)
{
	static uint32_t many[VRRP_MAX_ADDRS];
	struct vrrp_tx_opts t = tx(3, VRRP_CSUM_PSEUDO_HEADER);
	struct vrrp_rx_opts r = rx3();
	uint8_t msg[VRRP_MAX_PAYLOAD];
	size_t n, i;

	for (i = 0; i < VRRP_MAX_ADDRS; i++)
		many[i] = ADDR(10, 1, i / 256, i % 256);
	t.vips = many;
	r.vips = many;
	t.n_vips = VRRP_MAX_ADDRS;
	r.n_vips = VRRP_MAX_ADDRS;
	n = vrrp_encode(&t, 100, 20, msg, sizeof(msg));
	CHECK_INT(n, 8 + 4 * 255);
	pkt_len = wrap(msg, n, SRC, pkt);
	CHECK_INT(decode(&r), 0);
	CHECK_INT(adv.naddr, 255);
}

static void addresses_in_another_order_are_accepted(void)
{
	const uint32_t ours[] = { VIP, ADDR(192, 168, 1, 253) };
	const uint32_t theirs[] = { ADDR(192, 168, 1, 253), VIP };
	struct vrrp_tx_opts t = tx(3, VRRP_CSUM_PSEUDO_HEADER);
	struct vrrp_rx_opts r = rx3();
	uint8_t msg[64];
	size_t n;

	t.vips = theirs;
	t.n_vips = 2;
	r.vips = ours;
	r.n_vips = 2;
	n = vrrp_encode(&t, 100, 20, msg, sizeof(msg));
	pkt_len = wrap(msg, n, SRC, pkt);
	CHECK_INT(decode(&r), 0);
}

static void reserved_interval_bits_are_ignored(void)
{
	struct vrrp_rx_opts o = rx3();

	EDITED_V3(pkt[IP_HDR + 4] |= 0xf0);
	CHECK_INT(decode(&o), 0);
	CHECK_INT(adv.interval_cs, 20);
}

/* One test per drop reason */

static void shorter_than_an_ip_header_is_too_short(void)
{
	load(keepalived_v3, sizeof(keepalived_v3));
	pkt_len = 0;
	CHECK_DROP(rx3(), VRRP_DROP_TOO_SHORT);
	pkt_len = 19;
	CHECK_DROP(rx3(), VRRP_DROP_TOO_SHORT);
}

static void ip_header_without_a_whole_vrrp_header_is_too_short(void)
{
	load(keepalived_v3, sizeof(keepalived_v3));
	pkt_len = IP_HDR + 7;
	pkt[3] = IP_HDR + 7;
	CHECK_DROP(rx3(), VRRP_DROP_TOO_SHORT);
}

static void ip_version_other_than_4_is_a_bad_ip_header(void)
{
	load(keepalived_v3, sizeof(keepalived_v3));
	pkt[0] = 0x65;
	CHECK_DROP(rx3(), VRRP_DROP_BAD_IP_HEADER);
}

static void ihl_below_five_is_a_bad_ip_header(void)
{
	load(keepalived_v3, sizeof(keepalived_v3));
	pkt[0] = 0x44;
	CHECK_DROP(rx3(), VRRP_DROP_BAD_IP_HEADER);
}

static void ihl_beyond_the_packet_is_a_bad_ip_header(void)
{
	load(keepalived_v3, sizeof(keepalived_v3));
	pkt[0] = 0x4f;
	CHECK_DROP(rx3(), VRRP_DROP_BAD_IP_HEADER);
}

static void total_length_other_than_received_is_a_bad_ip_header(void)
{
	load(keepalived_v3, sizeof(keepalived_v3));
	pkt[3] = 0x21;
	CHECK_DROP(rx3(), VRRP_DROP_BAD_IP_HEADER);
	pkt[3] = 0x1f;
	CHECK_DROP(rx3(), VRRP_DROP_BAD_IP_HEADER);
}

static void a_fragment_is_a_bad_ip_header(void)
{
	load(keepalived_v3, sizeof(keepalived_v3));
	pkt[6] = 0x20; /* MF */
	CHECK_DROP(rx3(), VRRP_DROP_BAD_IP_HEADER);
	pkt[6] = 0x00;
	pkt[7] = 0x01; /* offset 8 */
	CHECK_DROP(rx3(), VRRP_DROP_BAD_IP_HEADER);
}

static void ip_options_are_skipped(void)
{
	struct vrrp_rx_opts o = rx3();
	uint8_t msg[12];

	memcpy(msg, keepalived_v3 + IP_HDR, 12);
	memcpy(pkt, keepalived_v3, IP_HDR);
	pkt[0] = 0x46;
	pkt[3] = 36;
	memset(pkt + IP_HDR, 0x01, 4); /* four NOP options */
	memcpy(pkt + 24, msg, 12);
	pkt_len = 36;
	CHECK_INT(decode(&o), 0);
	CHECK_INT(adv.priority, 100);
}

static void protocol_other_than_112_is_dropped(void)
{
	load(keepalived_v3, sizeof(keepalived_v3));
	pkt[9] = 17;
	CHECK_DROP(rx3(), VRRP_DROP_WRONG_PROTOCOL);
}

static void ttl_other_than_255_is_dropped(void)
{
	load(keepalived_v3, sizeof(keepalived_v3));
	pkt[8] = 254;
	CHECK_DROP(rx3(), VRRP_DROP_WRONG_TTL);
	pkt[8] = 1;
	CHECK_DROP(rx3(), VRRP_DROP_WRONG_TTL);
}

static void destination_other_than_224_0_0_18_is_dropped(void)
{
	load(keepalived_v3, sizeof(keepalived_v3));
	pkt[19] = 0x13;
	CHECK_DROP(rx3(), VRRP_DROP_WRONG_DEST);
	memcpy(pkt + 16, keepalived_v3 + 12, 4); /* unicast to the source */
	CHECK_DROP(rx3(), VRRP_DROP_WRONG_DEST);
}

static void vrrp_version_other_than_configured_is_dropped(void)
{
	load(keepalived_v2, sizeof(keepalived_v2));
	CHECK_DROP(rx3(), VRRP_DROP_WRONG_VERSION);
	load(keepalived_v3, sizeof(keepalived_v3));
	CHECK_DROP(rx2(), VRRP_DROP_WRONG_VERSION);
	EDITED_V3(pkt[IP_HDR] = 0x11);
	CHECK_DROP(rx3(), VRRP_DROP_WRONG_VERSION);
}

static void type_other_than_advertisement_is_dropped(void)
{
	EDITED_V3(pkt[IP_HDR] = 0x32);
	CHECK_DROP(rx3(), VRRP_DROP_WRONG_TYPE);
	EDITED_V3(pkt[IP_HDR] = 0x30);
	CHECK_DROP(rx3(), VRRP_DROP_WRONG_TYPE);
}

static void another_vrid_is_dropped(void)
{
	EDITED_V3(pkt[IP_HDR + 1] = 51);
	CHECK_DROP(rx3(), VRRP_DROP_OTHER_VRID);
}

static void count_above_the_addresses_present_is_a_length_mismatch(void)
{
	EDITED_V3(pkt[IP_HDR + 3] = 2);
	CHECK_DROP(rx3(), VRRP_DROP_LENGTH_MISMATCH);
}

static void count_below_the_addresses_present_is_a_length_mismatch(void)
{
	EDITED_V3(pkt[IP_HDR + 3] = 0);
	CHECK_DROP(rx3(), VRRP_DROP_LENGTH_MISMATCH);
}

static void trailing_bytes_are_a_length_mismatch(void)
{
	EDITED_V3(pkt[3] = 0x22; pkt[32] = 0; pkt[33] = 0; pkt_len = 34);
	CHECK_DROP(rx3(), VRRP_DROP_LENGTH_MISMATCH);
}

static void count_255_in_a_short_packet_is_a_length_mismatch(void)
{
	EDITED_V3(pkt[IP_HDR + 3] = 255);
	CHECK_DROP(rx3(), VRRP_DROP_LENGTH_MISMATCH);
}

static void v2_without_its_auth_data_is_a_length_mismatch(void)
{
	EDITED_V2(pkt[3] = 0x20; pkt_len = 32);
	CHECK_DROP(rx2(), VRRP_DROP_LENGTH_MISMATCH);
}

static void a_wrong_checksum_is_dropped(void)
{
	load(keepalived_v3, sizeof(keepalived_v3));
	pkt[IP_HDR + 7] ^= 0x01;
	CHECK_DROP(rx3(), VRRP_DROP_BAD_CHECKSUM);
}

static void a_changed_priority_fails_the_checksum(void)
{
	load(keepalived_v3, sizeof(keepalived_v3));
	pkt[IP_HDR + 2] = 255;
	CHECK_DROP(rx3(), VRRP_DROP_BAD_CHECKSUM);
	load(keepalived_v2, sizeof(keepalived_v2));
	pkt[IP_HDR + 2] = 255;
	CHECK_DROP(rx2(), VRRP_DROP_BAD_CHECKSUM);
}

/* The pseudo-header form binds the source address; the other form does not */
static void pseudo_header_checksum_from_another_source_is_dropped(void)
{
	load(keepalived_v3, sizeof(keepalived_v3));
	pkt[15] = 11;
	CHECK_DROP(rx3(), VRRP_DROP_BAD_CHECKSUM);
}

static void rfc9568_checksum_is_accepted_from_any_source(void)
{
	struct vrrp_rx_opts o = rx3();

	load(keepalived_v3, sizeof(keepalived_v3));
	refix(pkt, pkt_len, false);
	pkt[15] = 11;
	CHECK_INT(decode(&o), 0);
	CHECK_STR(vrrp_csum_name(adv.csum), "rfc9568");
}

static void a_v2_checksum_with_a_pseudo_header_is_dropped(void)
{
	EDITED_V2((void)0);
	refix(pkt, pkt_len, true);
	CHECK_DROP(rx2(), VRRP_DROP_BAD_CHECKSUM);
}

static void v2_auth_type_other_than_none_is_dropped(void)
{
	EDITED_V2(pkt[IP_HDR + 4] = 1);
	CHECK_DROP(rx2(), VRRP_DROP_BAD_AUTH);
}

static void v3_interval_of_zero_is_dropped(void)
{
	EDITED_V3(pkt[IP_HDR + 5] = 0);
	CHECK_DROP(rx3(), VRRP_DROP_ZERO_INTERVAL);
	EDITED_V3(pkt[IP_HDR + 4] = 0xf0; pkt[IP_HDR + 5] = 0);
	CHECK_DROP(rx3(), VRRP_DROP_ZERO_INTERVAL);
}

static void v3_interval_other_than_ours_is_accepted(void)
{
	struct vrrp_rx_opts o = rx3();

	EDITED_V3(pkt[IP_HDR + 5] = 100);
	CHECK_INT(decode(&o), 0);
	CHECK_INT(adv.interval_cs, 100);
}

static void v2_interval_other_than_ours_is_dropped(void)
{
	EDITED_V2(pkt[IP_HDR + 5] = 2);
	CHECK_DROP(rx2(), VRRP_DROP_INTERVAL_MISMATCH);
}

static void another_vip_is_an_address_mismatch(void)
{
	EDITED_V3(pkt[IP_HDR + 11] = 0xfd);
	CHECK_DROP(rx3(), VRRP_DROP_ADDRESS_MISMATCH);
}

static void an_extra_vip_is_an_address_mismatch(void)
{
	const uint32_t two[] = { VIP, ADDR(192, 168, 1, 253) };
	struct vrrp_tx_opts t = tx(3, VRRP_CSUM_PSEUDO_HEADER);
	uint8_t msg[64];
	size_t n;

	t.vips = two;
	t.n_vips = 2;
	n = vrrp_encode(&t, 100, 20, msg, sizeof(msg));
	pkt_len = wrap(msg, n, SRC, pkt);
	CHECK_DROP(rx3(), VRRP_DROP_ADDRESS_MISMATCH);
}

static void a_missing_vip_is_an_address_mismatch(void)
{
	const uint32_t two[] = { VIP, ADDR(192, 168, 1, 253) };
	struct vrrp_rx_opts r = rx3();

	r.vips = two;
	r.n_vips = 2;
	load(keepalived_v3, sizeof(keepalived_v3));
	CHECK_DROP(r, VRRP_DROP_ADDRESS_MISMATCH);
}

static void no_address_at_all_is_an_address_mismatch(void)
{
	EDITED_V3(pkt[IP_HDR + 3] = 0; pkt[3] = 28; pkt_len = 28);
	CHECK_DROP(rx3(), VRRP_DROP_ADDRESS_MISMATCH);
}

static void count_255_with_every_address_but_ours_is_an_address_mismatch(void)
{
	static uint32_t many[VRRP_MAX_ADDRS];
	struct vrrp_tx_opts t = tx(3, VRRP_CSUM_PSEUDO_HEADER);
	uint8_t msg[VRRP_MAX_PAYLOAD];
	size_t n, i;

	for (i = 0; i < VRRP_MAX_ADDRS; i++)
		many[i] = ADDR(10, 2, 0, i);
	t.vips = many;
	t.n_vips = VRRP_MAX_ADDRS;
	n = vrrp_encode(&t, 255, 20, msg, sizeof(msg));
	pkt_len = wrap(msg, n, SRC, pkt);
	CHECK_DROP(rx3(), VRRP_DROP_ADDRESS_MISMATCH);
}

static void a_source_outside_peers_is_not_a_peer(void)
{
	const uint32_t peers[] = { ADDR(192, 168, 1, 11),
				   ADDR(192, 168, 1, 12) };
	struct vrrp_rx_opts r = rx3();

	r.peers = peers;
	r.n_peers = 2;
	load(keepalived_v3, sizeof(keepalived_v3));
	CHECK_DROP(r, VRRP_DROP_NOT_A_PEER);
}

static void a_source_among_peers_is_accepted(void)
{
	const uint32_t peers[] = { ADDR(192, 168, 1, 11), SRC };
	struct vrrp_rx_opts r = rx3();

	r.peers = peers;
	r.n_peers = 2;
	load(keepalived_v3, sizeof(keepalived_v3));
	CHECK_INT(decode(&r), 0);
}

static void a_failed_decode_leaves_the_output_untouched(void)
{
	struct vrrp_rx_opts o = rx3();
	struct vrrp_advert before, after;

	memset(&before, 0xa5, sizeof(before));
	after = before;
	load(keepalived_v3, sizeof(keepalived_v3));
	pkt[8] = 64;
	CHECK_INT(vrrp_decode(pkt, pkt_len, &o, &after, &why), -1);
	CHECK(!memcmp(&before, &after, sizeof(before)));
}

/* Truncation and garbage: heap copies of the exact length, so ASan sees it */

static int decode_exact(const uint8_t *bytes, size_t len,
			const struct vrrp_rx_opts *o)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	if (!copy)
		abort();
	memcpy(copy, bytes, len);
	ret = vrrp_decode(copy, len, o, &adv, &why);
	free(copy);
	return ret;
}

static void truncated_at_every_length_is_dropped(void)
{
	struct vrrp_rx_opts o3 = rx3(), o2 = rx2();
	size_t n;

	for (n = 0; n < sizeof(keepalived_v3); n++) {
		CHECK_INT(decode_exact(keepalived_v3, n, &o3), -1);
		CHECK_INT(decode_exact(keepalived_v3_prio0, n, &o3), -1);
	}
	for (n = 0; n < sizeof(keepalived_v2); n++)
		CHECK_INT(decode_exact(keepalived_v2, n, &o2), -1);
}

static void truncation_with_matching_length_is_too_short_or_mismatched(void)
{
	struct vrrp_rx_opts o = rx3();
	uint8_t copy[sizeof(keepalived_v3)];
	size_t n;

	for (n = IP_HDR; n < sizeof(keepalived_v3); n++) {
		memcpy(copy, keepalived_v3, sizeof(copy));
		copy[3] = n;
		CHECK_INT(decode_exact(copy, n, &o), -1);
		CHECK(why == (n < IP_HDR + 8 ? VRRP_DROP_TOO_SHORT :
					       VRRP_DROP_LENGTH_MISMATCH));
	}
}

/* What a successful decode promises about the bytes it accepted */
static void check_accepted(const uint8_t *p, size_t len,
			   const struct vrrp_rx_opts *o)
{
	size_t ihl = (p[0] & 0x0f) * 4;

	CHECK_INT(why, VRRP_DROP_NONE);
	CHECK_INT(p[8], 255);
	CHECK_INT(p[9], 112);
	CHECK_INT(adv.version, o->version);
	CHECK_INT(adv.vrid, o->vrid);
	CHECK_INT(adv.naddr, o->n_vips);
	CHECK_INT(len - ihl, 8 + 4 * adv.naddr + (o->version == 2 ? 8 : 0));
}

static void random_garbage_is_dropped_without_reading_past_the_end(void)
{
	struct vrrp_rx_opts o3 = rx3(), o2 = rx2();
	uint8_t buf[1100];
	int i;

	rng_state = 0xdecaf;
	for (i = 0; i < 100000; i++) {
		size_t len = rng() % sizeof(buf), j;
		const struct vrrp_rx_opts *o = i & 1 ? &o2 : &o3;

		for (j = 0; j < len; j++)
			buf[j] = rng() & 0xff;
		/* half of them past the IP checks, to reach the VRRP ones */
		if (i & 2 && len >= IP_HDR) {
			memcpy(buf, keepalived_v3, 12);
			memcpy(buf + 16, keepalived_v3 + 16, 4);
			buf[0] = 0x45;
			buf[2] = len >> 8;
			buf[3] = len & 0xff;
		}
		if (!decode_exact(buf, len, o))
			check_accepted(buf, len, o);
		else
			CHECK(why > VRRP_DROP_NONE && why < VRRP_DROP_COUNT);
	}
}

/* Valid adverts with a few bytes changed, half of them re-checksummed */
static void mutated_adverts_are_decoded_or_dropped_consistently(void)
{
	struct vrrp_rx_opts o = rx3();
	int i, accepted = 0, dropped[VRRP_DROP_COUNT] = { 0 };

	rng_state = 0xbadf00d;
	for (i = 0; i < 100000; i++) {
		int k, edits = rng() % 4 + 1;

		load(keepalived_v3, sizeof(keepalived_v3));
		for (k = 0; k < edits; k++)
			pkt[IP_HDR + rng() % 12] = rng() & 0xff;
		if (i & 1)
			refix(pkt, pkt_len, rng() & 1);
		if (!decode_exact(pkt, pkt_len, &o)) {
			check_accepted(pkt, pkt_len, &o);
			accepted++;
		} else {
			dropped[why]++;
		}
	}
	CHECK(accepted > 0);
	CHECK(dropped[VRRP_DROP_BAD_CHECKSUM] > 0);
	CHECK(dropped[VRRP_DROP_ADDRESS_MISMATCH] > 0);
	CHECK(dropped[VRRP_DROP_ZERO_INTERVAL] > 0);
}

/* Encoding limits */

static void encode_refuses_what_it_cannot_encode(void)
{
	struct vrrp_tx_opts o = tx(3, VRRP_CSUM_PSEUDO_HEADER);
	uint8_t buf[VRRP_MAX_PAYLOAD];

	CHECK_INT(vrrp_encode(&o, 100, 0, buf, sizeof(buf)), 0);
	CHECK_INT(vrrp_encode(&o, 100, 4096, buf, sizeof(buf)), 0);
	o.n_vips = 0;
	CHECK_INT(vrrp_encode(&o, 100, 20, buf, sizeof(buf)), 0);
	o.n_vips = 256;
	CHECK_INT(vrrp_encode(&o, 100, 20, buf, sizeof(buf)), 0);
	o = tx(3, VRRP_CSUM_PSEUDO_HEADER);
	o.vips = NULL;
	CHECK_INT(vrrp_encode(&o, 100, 20, buf, sizeof(buf)), 0);
	o = tx(3, VRRP_CSUM_V2);
	CHECK_INT(vrrp_encode(&o, 100, 20, buf, sizeof(buf)), 0);
	o = tx(4, VRRP_CSUM_PSEUDO_HEADER);
	CHECK_INT(vrrp_encode(&o, 100, 20, buf, sizeof(buf)), 0);
	o = tx(2, VRRP_CSUM_V2);
	CHECK_INT(vrrp_encode(&o, 100, 150, buf, sizeof(buf)), 0);
	CHECK_INT(vrrp_encode(&o, 100, 25600, buf, sizeof(buf)), 0);
	CHECK_INT(vrrp_encode(&o, 100, 0, buf, sizeof(buf)), 0);
	CHECK_INT(vrrp_encode(&o, 100, 25500, buf, sizeof(buf)), 20);
}

static void encode_needs_room_for_the_whole_message(void)
{
	struct vrrp_tx_opts o3 = tx(3, VRRP_CSUM_PSEUDO_HEADER);
	struct vrrp_tx_opts o2 = tx(2, VRRP_CSUM_V2);
	uint8_t *buf = malloc(20);

	if (!buf)
		abort();
	CHECK_INT(vrrp_encode(&o3, 100, 20, buf, 11), 0);
	CHECK_INT(vrrp_encode(&o3, 100, 20, buf, 12), 12);
	CHECK_INT(vrrp_encode(&o2, 100, 100, buf, 19), 0);
	CHECK_INT(vrrp_encode(&o2, 100, 100, buf, 20), 20);
	free(buf);
}

static void every_drop_reason_has_its_own_name(void)
{
	int i, j;

	for (i = VRRP_DROP_NONE; i < VRRP_DROP_COUNT; i++) {
		CHECK(vrrp_drop_name(i)[0]);
		CHECK(strcmp(vrrp_drop_name(i), "unknown"));
		for (j = 0; j < i; j++)
			CHECK(strcmp(vrrp_drop_name(i), vrrp_drop_name(j)));
	}
	CHECK_STR(vrrp_drop_name(VRRP_DROP_COUNT), "unknown");
	CHECK_STR(vrrp_drop_name(VRRP_DROP_NOT_A_PEER), "not_a_peer");
	CHECK_STR(vrrp_csum_name(VRRP_CSUM_RFC9568), "rfc9568");
}

static const struct unit_test tests[] = {
	UNIT_TEST(keepalived_v3_advert_decodes_with_the_pseudo_header_checksum),
	UNIT_TEST(keepalived_v3_priority_zero_release_decodes),
	UNIT_TEST(keepalived_v2_advert_decodes),
	UNIT_TEST(keepalived_v3_checksum_matches_the_reference_and_hand_sums),
	UNIT_TEST(keepalived_v2_checksum_matches_the_reference_and_hand_sum),
	UNIT_TEST(encode_v3_pseudo_header_reproduces_keepalived_bytes),
	UNIT_TEST(encode_v2_reproduces_keepalived_bytes),
	UNIT_TEST(encode_rfc9568_checksums_the_message_alone),
	UNIT_TEST(encode_checksums_match_the_reference_for_random_adverts),
	UNIT_TEST(v3_pseudo_header_round_trip),
	UNIT_TEST(v3_rfc9568_round_trip_reports_its_form),
	UNIT_TEST(v2_round_trip),
	UNIT_TEST(v3_longest_interval_round_trips),
	UNIT_TEST(all_255_addresses_round_trip),
	UNIT_TEST(addresses_in_another_order_are_accepted),
	UNIT_TEST(reserved_interval_bits_are_ignored),
	UNIT_TEST(shorter_than_an_ip_header_is_too_short),
	UNIT_TEST(ip_header_without_a_whole_vrrp_header_is_too_short),
	UNIT_TEST(ip_version_other_than_4_is_a_bad_ip_header),
	UNIT_TEST(ihl_below_five_is_a_bad_ip_header),
	UNIT_TEST(ihl_beyond_the_packet_is_a_bad_ip_header),
	UNIT_TEST(total_length_other_than_received_is_a_bad_ip_header),
	UNIT_TEST(a_fragment_is_a_bad_ip_header),
	UNIT_TEST(ip_options_are_skipped),
	UNIT_TEST(protocol_other_than_112_is_dropped),
	UNIT_TEST(ttl_other_than_255_is_dropped),
	UNIT_TEST(destination_other_than_224_0_0_18_is_dropped),
	UNIT_TEST(vrrp_version_other_than_configured_is_dropped),
	UNIT_TEST(type_other_than_advertisement_is_dropped),
	UNIT_TEST(another_vrid_is_dropped),
	UNIT_TEST(count_above_the_addresses_present_is_a_length_mismatch),
	UNIT_TEST(count_below_the_addresses_present_is_a_length_mismatch),
	UNIT_TEST(trailing_bytes_are_a_length_mismatch),
	UNIT_TEST(count_255_in_a_short_packet_is_a_length_mismatch),
	UNIT_TEST(v2_without_its_auth_data_is_a_length_mismatch),
	UNIT_TEST(a_wrong_checksum_is_dropped),
	UNIT_TEST(a_changed_priority_fails_the_checksum),
	UNIT_TEST(pseudo_header_checksum_from_another_source_is_dropped),
	UNIT_TEST(rfc9568_checksum_is_accepted_from_any_source),
	UNIT_TEST(a_v2_checksum_with_a_pseudo_header_is_dropped),
	UNIT_TEST(v2_auth_type_other_than_none_is_dropped),
	UNIT_TEST(v3_interval_of_zero_is_dropped),
	UNIT_TEST(v3_interval_other_than_ours_is_accepted),
	UNIT_TEST(v2_interval_other_than_ours_is_dropped),
	UNIT_TEST(another_vip_is_an_address_mismatch),
	UNIT_TEST(an_extra_vip_is_an_address_mismatch),
	UNIT_TEST(a_missing_vip_is_an_address_mismatch),
	UNIT_TEST(no_address_at_all_is_an_address_mismatch),
	UNIT_TEST(count_255_with_every_address_but_ours_is_an_address_mismatch),
	UNIT_TEST(a_source_outside_peers_is_not_a_peer),
	UNIT_TEST(a_source_among_peers_is_accepted),
	UNIT_TEST(a_failed_decode_leaves_the_output_untouched),
	UNIT_TEST(truncated_at_every_length_is_dropped),
	UNIT_TEST(truncation_with_matching_length_is_too_short_or_mismatched),
	UNIT_TEST(random_garbage_is_dropped_without_reading_past_the_end),
	UNIT_TEST(mutated_adverts_are_decoded_or_dropped_consistently),
	UNIT_TEST(encode_refuses_what_it_cannot_encode),
	UNIT_TEST(encode_needs_room_for_the_whole_message),
	UNIT_TEST(every_drop_reason_has_its_own_name),
};

int main(void)
{
	vips[0] = VIP;
	return unit_main("test_vrrp_packet", tests,
			 sizeof(tests) / sizeof(tests[0]));
}
