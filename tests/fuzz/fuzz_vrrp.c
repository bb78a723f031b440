// SPDX-License-Identifier: GPL-2.0-only
/*
 * vrrp_decode() (userspace/pizwgd/vrrp_packet.h) on any IPv4 packet, as a
 * raw socket hands it over, checked against two receivers: a VRRPv3 one
 * taking adverts from anyone, and a VRRPv2 one with two VIPs and a peers
 * list. A refused packet names a reason and leaves the output untouched; an
 * accepted one, encoded again by vrrp_encode() with the checksum form and
 * values decoded, decodes to the same advert.
 */
#include <arpa/inet.h>
#include <string.h>

#include "fuzz.h"
#include "vrrp_packet.h"

#define ADDR(a, b, c, d) htonl((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static uint32_t v3_vips[1];
static uint32_t v2_vips[2];
static uint32_t v2_peers[2];
static struct vrrp_rx_opts receivers[2];

static void setup(void)
{
	v3_vips[0] = ADDR(10, 0, 0, 254);
	v2_vips[0] = ADDR(10, 0, 0, 254);
	v2_vips[1] = ADDR(10, 0, 0, 253);
	v2_peers[0] = ADDR(10, 0, 0, 1);
	v2_peers[1] = ADDR(10, 0, 0, 2);
	receivers[0] = (struct vrrp_rx_opts){
		.version = 3, .vrid = 51, .interval_cs = 20,
		.vips = v3_vips, .n_vips = 1,
	};
	receivers[1] = (struct vrrp_rx_opts){
		.version = 2, .vrid = 51, .interval_cs = 100,
		.vips = v2_vips, .n_vips = 2,
		.peers = v2_peers, .n_peers = 2,
	};
}

/* The IP header of @ip with @adv's encoding behind it decodes to @adv. */
static void check_round_trip(const uint8_t *ip, const struct vrrp_rx_opts *o,
			     const struct vrrp_advert *adv)
{
	struct vrrp_tx_opts tx = {
		.version = adv->version,
		.vrid = adv->vrid,
		.csum = adv->csum,
		.saddr = adv->saddr,
		.vips = o->vips,
		.n_vips = o->n_vips,
	};
	uint8_t pkt[60 + VRRP_MAX_PAYLOAD];
	struct vrrp_advert again;
	enum vrrp_drop why;
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4, n;

	n = vrrp_encode(&tx, adv->priority, adv->interval_cs, pkt + ihl,
			sizeof(pkt) - ihl);
	FUZZ_CHECK(n);
	memcpy(pkt, ip, ihl);
	/* the same fill as @adv's, so the padding compares equal */
	memset(&again, 0xa5, sizeof(again));
	pkt[2] = (uint8_t)((ihl + n) >> 8);
	pkt[3] = (uint8_t)(ihl + n);
	FUZZ_CHECK(vrrp_decode(pkt, ihl + n, o, &again, &why) == 0);
	FUZZ_CHECK(!memcmp(&again, adv, sizeof(again)));
}

static void decode_as(const uint8_t *ip, size_t size,
		      const struct vrrp_rx_opts *o)
{
	struct vrrp_advert adv, untouched;
	enum vrrp_drop why;

	memset(&adv, 0xa5, sizeof(adv));
	untouched = adv;
	if (vrrp_decode(ip, size, o, &adv, &why)) {
		FUZZ_CHECK(why > VRRP_DROP_NONE && why < VRRP_DROP_COUNT);
		FUZZ_CHECK(vrrp_drop_name(why));
		FUZZ_CHECK(!memcmp(&adv, &untouched, sizeof(adv)));
		return;
	}
	FUZZ_CHECK(why == VRRP_DROP_NONE);
	FUZZ_CHECK(adv.version == o->version && adv.vrid == o->vrid);
	FUZZ_CHECK(adv.naddr == o->n_vips);
	FUZZ_CHECK(adv.interval_cs);
	FUZZ_CHECK(adv.interval_cs <= (o->version == 3 ?
				       VRRP_V3_MAX_INTERVAL_CS :
				       VRRP_V2_MAX_INTERVAL_CS));
	FUZZ_CHECK((adv.csum == VRRP_CSUM_V2) == (o->version == 2));
	FUZZ_CHECK(vrrp_csum_name(adv.csum));
	check_round_trip(ip, o, &adv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *ip;
	size_t i;

	if (!receivers[0].version)
		setup();
	ip = malloc(size ? size : 1);
	FUZZ_CHECK(ip);
	memcpy(ip, data, size);
	for (i = 0; i < sizeof(receivers) / sizeof(receivers[0]); i++)
		decode_as(ip, size, &receivers[i]);
	free(ip);
	return 0;
}
