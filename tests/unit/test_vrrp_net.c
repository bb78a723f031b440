// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pure helpers of VRRP's network layer (vrrp_net.c): issue 4's
 * defaults (VIP = address & mask | 254, priority = last octet clamped to
 * 1..253, refused for prefixes longer than /24 and for the .254 host), the
 * VIP label pizwgd-stop-post looks for, the default-route interface from
 * /proc/net/route, and which address is the primary one.
 */
#include <arpa/inet.h>
#include <linux/if_addr.h>

#include "vrrp_net.h"
#include "unit.h"

#define ADDR(a, b, c, d) htonl((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static uint32_t vip;
static uint8_t prio;
static char err[128];

static int defaults(uint32_t addr, unsigned int prefix)
{
	vip = 0;
	prio = 0;
	err[0] = '\0';
	return vrrp_net_defaults(addr, prefix, &vip, &prio, err, sizeof(err));
}

static void vip_is_the_254_of_a_slash_24(void)
{
	CHECK_INT(defaults(ADDR(192, 168, 1, 10), 24), 0);
	CHECK_INT(ntohl(vip), ntohl(ADDR(192, 168, 1, 254)));
	CHECK_INT(prio, 10);
}

static void vip_of_a_shorter_prefix_keeps_only_the_network_bits(void)
{
	CHECK_INT(defaults(ADDR(10, 1, 2, 3), 16), 0);
	CHECK_INT(ntohl(vip), ntohl(ADDR(10, 1, 0, 254)));
	CHECK_INT(defaults(ADDR(172, 20, 77, 99), 8), 0);
	CHECK_INT(ntohl(vip), ntohl(ADDR(172, 0, 0, 254)));
	CHECK_INT(defaults(ADDR(192, 0, 2, 7), 1), 0);
	CHECK_INT(ntohl(vip), ntohl(ADDR(128, 0, 0, 254)));
}

static void priority_is_the_last_octet(void)
{
	CHECK_INT(defaults(ADDR(192, 0, 2, 1), 24), 0);
	CHECK_INT(prio, 1);
	CHECK_INT(defaults(ADDR(192, 0, 2, 200), 24), 0);
	CHECK_INT(prio, 200);
	CHECK_INT(defaults(ADDR(192, 0, 2, 253), 24), 0);
	CHECK_INT(prio, 253);
}

static void priority_is_clamped_to_1_and_253(void)
{
	/* .0 and .255 are host addresses in a /16 */
	CHECK_INT(defaults(ADDR(10, 1, 2, 0), 16), 0);
	CHECK_INT(prio, 1);
	CHECK_INT(defaults(ADDR(10, 1, 2, 255), 16), 0);
	CHECK_INT(prio, 253);
}

static void prefix_longer_than_24_is_refused(void)
{
	CHECK_INT(defaults(ADDR(192, 0, 2, 10), 25), -1);
	CHECK(strstr(err, "/25"));
	CHECK_INT(vip, 0);
	CHECK_INT(defaults(ADDR(192, 0, 2, 10), 32), -1);
}

static void prefix_zero_is_refused(void)
{
	CHECK_INT(defaults(ADDR(192, 0, 2, 10), 0), -1);
	CHECK(strstr(err, "/0"));
}

static void host_that_is_the_254_is_refused(void)
{
	CHECK_INT(defaults(ADDR(192, 0, 2, 254), 24), -1);
	CHECK(strstr(err, ".254"));
	CHECK_INT(vip, 0);
	/* in a /16 only x.y.0.254 is the VIP; x.y.1.254 is an ordinary host */
	CHECK_INT(defaults(ADDR(10, 1, 0, 254), 16), -1);
	CHECK_INT(defaults(ADDR(10, 1, 1, 254), 16), 0);
	CHECK_INT(ntohl(vip), ntohl(ADDR(10, 1, 0, 254)));
	CHECK_INT(prio, 253);
}

static void label_is_ifname_colon_pizwg(void)
{
	char label[IFNAMSIZ];

	CHECK_INT(vrrp_net_label("eth0", label, sizeof(label)), 0);
	CHECK_STR(label, "eth0:pizwg");
	/* 9 + 6 = 15 characters: the longest a label can be */
	CHECK_INT(vrrp_net_label("enp1s0f12", label, sizeof(label)), 0);
	CHECK_STR(label, "enp1s0f12:pizwg");
}

static void label_longer_than_ifnamsiz_is_refused(void)
{
	char label[IFNAMSIZ];

	CHECK_INT(vrrp_net_label("enp1s0f123", label, sizeof(label)), -1);
	CHECK_INT(vrrp_net_label("eth0", label, 8), -1);
}

static const char route_header[] =
	"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

static void default_route_interface_is_found(void)
{
	char text[1024], ifname[IFNAMSIZ] = "";

	snprintf(
		text, sizeof(text), "%s%s%s", route_header,
		"eth0\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n",
		"wlan0\t00000000\t0102000A\t0003\t0\t0\t600\t00000000\t0\t0\t0\n");
	CHECK_INT(vrrp_net_parse_default_route(text, ifname, sizeof(ifname)),
		  0);
	CHECK_STR(ifname, "wlan0");
}

static void lowest_metric_default_route_wins(void)
{
	char text[1024], ifname[IFNAMSIZ] = "";

	snprintf(
		text, sizeof(text), "%s%s%s%s", route_header,
		"wlan0\t00000000\t0102000A\t0003\t0\t0\t600\t00000000\t0\t0\t0\n",
		"eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n",
		"usb0\t00000000\t0101A8C0\t0003\t0\t0\t700\t00000000\t0\t0\t0\n");
	CHECK_INT(vrrp_net_parse_default_route(text, ifname, sizeof(ifname)),
		  0);
	CHECK_STR(ifname, "eth0");
}

static void default_route_that_is_down_is_ignored(void)
{
	char text[1024], ifname[IFNAMSIZ] = "";

	snprintf(
		text, sizeof(text), "%s%s", route_header,
		"eth0\t00000000\t0101A8C0\t0002\t0\t0\t0\t00000000\t0\t0\t0\n");
	CHECK_INT(vrrp_net_parse_default_route(text, ifname, sizeof(ifname)),
		  -1);
}

static void no_default_route_is_an_error(void)
{
	char text[1024], ifname[IFNAMSIZ] = "";

	CHECK_INT(vrrp_net_parse_default_route(route_header, ifname,
					       sizeof(ifname)),
		  -1);
	CHECK_INT(vrrp_net_parse_default_route("", ifname, sizeof(ifname)), -1);
	snprintf(text, sizeof(text), "%s%s", route_header,
		 "eth0\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0");
	CHECK_INT(vrrp_net_parse_default_route(text, ifname, sizeof(ifname)),
		  -1);
	CHECK_STR(ifname, "");
}

static void garbage_route_text_finds_nothing(void)
{
	char ifname[IFNAMSIZ] = "";

	CHECK_INT(
		vrrp_net_parse_default_route(
			"\n\n\t\t\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 0 0 3 0 0 0 0\n",
			ifname, sizeof(ifname)),
		-1);
	CHECK_STR(ifname, "");
}

static void primary_is_the_first_non_secondary(void)
{
	const struct vrrp_net_addr addrs[] = {
		{ ADDR(192, 0, 2, 254), 24, IFA_F_SECONDARY, "eth0" },
		{ ADDR(192, 0, 2, 10), 24, 0, "eth0" },
		{ ADDR(198, 51, 100, 1), 24, 0, "eth0" },
	};

	CHECK_INT(vrrp_net_pick_primary(addrs, 3), 1);
}

static void our_vip_is_never_the_primary(void)
{
	/* a VIP on an interface with no other address is primary to the kernel */
	const struct vrrp_net_addr addrs[] = {
		{ ADDR(192, 0, 2, 254), 24, 0, "eth0:pizwg" },
		{ ADDR(198, 51, 100, 1), 24, 0, NULL },
	};

	CHECK_INT(vrrp_net_pick_primary(addrs, 2), 1);
	CHECK_INT(vrrp_net_pick_primary(addrs, 1), -1);
}

static void no_address_no_primary(void)
{
	CHECK_INT(vrrp_net_pick_primary(NULL, 0), -1);
}

int main(void)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(vip_is_the_254_of_a_slash_24),
		UNIT_TEST(vip_of_a_shorter_prefix_keeps_only_the_network_bits),
		UNIT_TEST(priority_is_the_last_octet),
		UNIT_TEST(priority_is_clamped_to_1_and_253),
		UNIT_TEST(prefix_longer_than_24_is_refused),
		UNIT_TEST(prefix_zero_is_refused),
		UNIT_TEST(host_that_is_the_254_is_refused),
		UNIT_TEST(label_is_ifname_colon_pizwg),
		UNIT_TEST(label_longer_than_ifnamsiz_is_refused),
		UNIT_TEST(default_route_interface_is_found),
		UNIT_TEST(lowest_metric_default_route_wins),
		UNIT_TEST(default_route_that_is_down_is_ignored),
		UNIT_TEST(no_default_route_is_an_error),
		UNIT_TEST(garbage_route_text_finds_nothing),
		UNIT_TEST(primary_is_the_first_non_secondary),
		UNIT_TEST(our_vip_is_never_the_primary),
		UNIT_TEST(no_address_no_primary),
	};

	return unit_main("test_vrrp_net", tests,
			 sizeof(tests) / sizeof(tests[0]));
}
