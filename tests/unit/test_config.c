// SPDX-License-Identifier: GPL-2.0-only
/*
 * pizwgd.conf (userspace/pizwgd/config.c): defaults, every key's values
 * good and bad, the section rules, the INI syntax as pizwgd reads it, and
 * the exact "FILE:LINE: SUBJECT: REASON" line of every rejection; then
 * config_load() and config_check_files() on files in a temporary directory
 * under the build tree (CONFIG_TEST_DIR): its owner and modes are part of
 * what config_check_files() checks, and /tmp is world-writable. Run as
 * root, as every test here is: the files must be root's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fake_conf_host.h"
#include "unit.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static struct pizwg_config conf;
static char err[CONF_ERR_MAX];
static char text[CONF_SIZE_MAX + 2];
/* short: its paths go into lines of at most CONF_LINE_MAX characters */
static char tmpdir[80];

#define G0 (&conf.gateways[0])
#define G1 (&conf.gateways[1])

/* The smallest valid section, on lines 1-4 */
#define MINIMAL "[gateway zstick]\nhub = usb1\nport = 1\nvrrp = off\n"

static int parse(const char *s)
{
	return config_parse_string(s, "t.conf", &conf, err, sizeof(err));
}

#define CHECK_OK(s)                     \
	do {                            \
		CHECK_INT(parse(s), 0); \
		CHECK_STR(err, "");     \
	} while (0)

#define CHECK_ERROR(s, want)                  \
	do {                                  \
		CHECK_INT(parse(s), -EINVAL); \
		CHECK_STR(err, want);         \
	} while (0)

/* A section with "KEY = VALUE" on line 2, then hub, port, vrrp unless KEY */
static int parse_key(const char *key, const char *value)
{
	static const char *const required[][2] = {
		{ "hub", "usb1" },
		{ "port", "1" },
		{ "vrrp", "off" },
	};
	int n;
	size_t i;

	n = snprintf(text, sizeof(text), "[gateway zstick]\n%s = %s\n", key,
		     value);
	for (i = 0; i < ARRAY_SIZE(required); i++) {
		if (strcmp(key, required[i][0]))
			n += snprintf(text + n, sizeof(text) - n, "%s = %s\n",
				      required[i][0], required[i][1]);
	}
	return parse(text);
}

#define CHECK_KEY_OK(key, value)                     \
	do {                                         \
		CHECK_INT(parse_key(key, value), 0); \
		CHECK_STR(err, "");                  \
	} while (0)

#define CHECK_KEY_ERROR(key, value, reason)                   \
	do {                                                  \
		CHECK_INT(parse_key(key, value), -EINVAL);    \
		CHECK_STR(err, "t.conf:2: " key ": " reason); \
	} while (0)

static const char *listen_text(const struct pizwg_gateway_config *g)
{
	static char buf[32];
	char addr[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &g->tls.listen.sin_addr, addr, sizeof(addr));
	snprintf(buf, sizeof(buf), "%s:%u", addr,
		 ntohs(g->tls.listen.sin_port));
	return buf;
}

/* --- defaults and good values --------------------------------------------- */

static void minimal_section_gets_every_default(void)
{
	const struct pizwg_gateway_config *g = G0;
	int k;

	CHECK_OK(MINIMAL);
	CHECK_STR(conf.file, "t.conf");
	CHECK_INT(conf.n_gateways, 1);
	CHECK_STR(g->name, "zstick");
	CHECK_INT(g->line, 1);
	CHECK_STR(g->stick.hub, "usb1");
	CHECK_INT(g->stick.port, 1);
	CHECK(!g->stick.force);
	CHECK(!g->stick.match_usb_id);
	CHECK_STR(g->stick.serial, "");
	CHECK_INT(g->stick.enumerate_timeout, 10);
	CHECK_INT(g->stick.baud, 115200);
	CHECK_INT(g->tls.listen.sin_family, AF_INET);
	CHECK_STR(listen_text(g), "0.0.0.0:3333");
	CHECK_STR(g->tls.cert, "/etc/pizwg/server.crt");
	CHECK_STR(g->tls.key, "/etc/pizwg/server.key");
	CHECK_STR(g->tls.ca, "/etc/pizwg/clients.pem");
	CHECK_INT(g->tls.ktls, CONF_KTLS_AUTO);
	CHECK_INT(g->tls.tcp_user_timeout, 30);
	CHECK_INT(g->session.inactivity_timeout, 0);
	CHECK_INT(g->session.on_end, CONF_END_REBOOT);
	CHECK_STR(g->session.program, "");
	CHECK_INT(g->session.exec_timeout, 60);
	CHECK_INT(g->session.close_grace, 1000);
	CHECK(!g->vrrp.enabled);
	CHECK_STR(g->metrics_dir, "/run/pizwg/metrics");
	for (k = 0; k < CONF_KEY_COUNT; k++) {
		if (k == CONF_KEY_HUB || k == CONF_KEY_PORT ||
		    k == CONF_KEY_VRRP)
			continue;
		CHECK_INT(g->key_line[k], 0);
	}
}

static void every_key_can_be_set(void)
{
	const struct pizwg_gateway_config *g = G0;

	CHECK_OK("[gateway main-2_B]\n"
		 "hub = 3-1.4\n"
		 "port = 31\n"
		 "force = yes\n"
		 "usb_id = 0658:02aF\n"
		 "serial = ABC 123/x\n"
		 "enumerate_timeout = 300\n"
		 "baud = 4000000\n"
		 "listen = 192.0.2.17:65535\n"
		 "cert = /srv/tls/s.crt\n"
		 "key = /srv/tls/s.key\n"
		 "ca = /srv/tls/ca.pem\n"
		 "ktls = off\n"
		 "tcp_user_timeout = 600\n"
		 "inactivity_timeout = 86400\n"
		 "on_session_end = restart\n"
		 "vrrp = off\n"
		 "metrics_dir = /var/lib/node_exporter\n");
	CHECK_STR(g->name, "main-2_B");
	CHECK_STR(g->stick.hub, "3-1.4");
	CHECK_INT(g->stick.port, 31);
	CHECK(g->stick.force);
	CHECK(g->stick.match_usb_id);
	CHECK_INT(g->stick.vendor_id, 0x0658);
	CHECK_INT(g->stick.product_id, 0x02af);
	CHECK_STR(g->stick.serial, "ABC 123/x");
	CHECK_INT(g->stick.enumerate_timeout, 300);
	CHECK_INT(g->stick.baud, 4000000);
	CHECK_STR(listen_text(g), "192.0.2.17:65535");
	CHECK_STR(g->tls.cert, "/srv/tls/s.crt");
	CHECK_STR(g->tls.key, "/srv/tls/s.key");
	CHECK_STR(g->tls.ca, "/srv/tls/ca.pem");
	CHECK_INT(g->tls.ktls, CONF_KTLS_OFF);
	CHECK_INT(g->tls.tcp_user_timeout, 600);
	CHECK_INT(g->session.inactivity_timeout, 86400);
	CHECK_INT(g->session.on_end, CONF_END_RESTART);
	CHECK_INT(g->key_line[CONF_KEY_HUB], 2);
	CHECK_INT(g->key_line[CONF_KEY_VRRP], 17);
	CHECK_STR(g->metrics_dir, "/var/lib/node_exporter");
	CHECK_INT(g->key_line[CONF_KEY_METRICS_DIR], 18);
}

static void sections_are_kept_in_file_order(void)
{
	CHECK_OK(MINIMAL "\n[gateway b]\nhub = 1-2\nport = 2\nvrrp = off\n"
			 "listen = 0.0.0.0:3334\n");
	CHECK_INT(conf.n_gateways, 2);
	CHECK_STR(G0->name, "zstick");
	CHECK_STR(G1->name, "b");
	CHECK_INT(G1->line, 6);
	CHECK_STR(G1->stick.hub, "1-2");
	CHECK_INT(G1->stick.port, 2);
	CHECK_STR(listen_text(G1), "0.0.0.0:3334");
}

static void key_names_and_lines_are_reported(void)
{
	CHECK_STR(config_key_name(CONF_KEY_ENUMERATE_TIMEOUT),
		  "enumerate_timeout");
	CHECK_STR(config_key_name(CONF_KEY_VRRP), "vrrp");
	CHECK(!config_key_name(CONF_KEY_COUNT));
	CHECK_OK("\n" MINIMAL "cert = /c\n");
	CHECK_INT(config_key_line(G0, CONF_KEY_CERT), 6);
	CHECK_INT(config_key_line(G0, CONF_KEY_KEY), 2);
}

/* --- values ------------------------------------------------------------------ */

static void empty_value_is_rejected_for_every_key(void)
{
	char want[128];
	int k;

	for (k = 0; k < CONF_KEY_COUNT; k++) {
		CHECK_INT(parse_key(config_key_name(k), ""), -EINVAL);
		snprintf(want, sizeof(want), "t.conf:2: %s: empty value",
			 config_key_name(k));
		CHECK_STR(err, want);
	}
}

static void hub_takes_root_hubs_and_hub_paths(void)
{
	static const char *const good[] = {
		"usb1", "usb63", "1-1", "2-31", "1-1.4", "63-1.2.3.4.31",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		CHECK_KEY_OK("hub", good[i]);
		CHECK_STR(G0->stick.hub, good[i]);
	}
}

static void hub_rejects_what_is_not_a_hub_name(void)
{
	static const char *const bad[] = {
		"usb",
		"usb0",
		"usb01",
		"usb64",
		"usb1x",
		"USB1",
		"1",
		"1-",
		"1-0",
		"0-1",
		"64-1",
		"1-32",
		"1-1.",
		"1-1..2",
		"1-01",
		"1-1.2.3.4.5.6",
		"1-1:1.0",
		"ttyACM0",
		"/dev/bus/usb/001",
	};
	char want[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK_INT(parse_key("hub", bad[i]), -EINVAL);
		snprintf(
			want, sizeof(want),
			"t.conf:2: hub: '%s' is not a USB hub name (usbN or BUS-PORT[.PORT]...)",
			bad[i]);
		CHECK_STR(err, want);
	}
}

static void port_takes_1_to_31(void)
{
	CHECK_KEY_OK("port", "1");
	CHECK_INT(G0->stick.port, 1);
	CHECK_KEY_OK("port", "31");
	CHECK_INT(G0->stick.port, 31);
}

static void port_rejects_garbage_junk_overflow_and_out_of_range(void)
{
	CHECK_KEY_ERROR("port", "one", "'one' is not a decimal number");
	CHECK_KEY_ERROR("port", "1x", "'1x' is not a decimal number");
	CHECK_KEY_ERROR("port", "1 2", "'1 2' is not a decimal number");
	CHECK_KEY_ERROR("port", "0", "'0' is out of range 1..31");
	CHECK_KEY_ERROR("port", "32", "'32' is out of range 1..31");
	CHECK_KEY_ERROR("port", "18446744073709551617",
			"'18446744073709551617' is out of range 1..31");
}

static void numbers_refuse_signs_hex_and_leading_zeros(void)
{
	CHECK_KEY_ERROR("port", "+1", "'+1' is not a decimal number");
	CHECK_KEY_ERROR("port", "-1", "'-1' is not a decimal number");
	CHECK_KEY_ERROR("port", "0x1", "'0x1' is not a decimal number");
	CHECK_KEY_ERROR("port", "01", "'01' has a leading zero");
	CHECK_KEY_ERROR("port", "00", "'00' has a leading zero");
}

static void force_is_yes_or_no(void)
{
	CHECK_KEY_OK("force", "yes");
	CHECK(G0->stick.force);
	CHECK_KEY_OK("force", "no");
	CHECK(!G0->stick.force);
	CHECK_KEY_ERROR("force", "true", "'true' is not no or yes");
	CHECK_KEY_ERROR("force", "YES", "'YES' is not no or yes");
	CHECK_KEY_ERROR("force", "yess", "'yess' is not no or yes");
}

static void usb_id_is_four_hex_digits_each(void)
{
	CHECK_KEY_OK("usb_id", "abcd:EF09");
	CHECK_INT(G0->stick.vendor_id, 0xabcd);
	CHECK_INT(G0->stick.product_id, 0xef09);
	CHECK_KEY_ERROR("usb_id", "658:0200",
			"'658:0200' is not VID:PID (4 hex digits each)");
	CHECK_KEY_ERROR("usb_id", "0658:02000",
			"'0658:02000' is not VID:PID (4 hex digits each)");
	CHECK_KEY_ERROR("usb_id", "0658-0200",
			"'0658-0200' is not VID:PID (4 hex digits each)");
	CHECK_KEY_ERROR("usb_id", "0g58:0200",
			"'0g58:0200' is not VID:PID (4 hex digits each)");
	CHECK_KEY_ERROR("usb_id", "0658",
			"'0658' is not VID:PID (4 hex digits each)");
}

static void serial_is_printable_ascii_up_to_126_characters(void)
{
	char value[128], want[256];

	memset(value, 'S', 126);
	value[126] = '\0';
	CHECK_KEY_OK("serial", value);
	CHECK_STR(G0->stick.serial, value);
	strcat(value, "S");
	CHECK_INT(parse_key("serial", value), -EINVAL);
	snprintf(want, sizeof(want),
		 "t.conf:2: serial: '%s' is longer than 126 characters", value);
	CHECK_STR(err, want);
	CHECK_KEY_ERROR(
		"serial", "caf\xc3\xa9",
		"'caf\xc3\xa9' has a character that is not printable ASCII");
}

static void enumerate_timeout_is_1_to_300_seconds(void)
{
	CHECK_KEY_OK("enumerate_timeout", "1");
	CHECK_INT(G0->stick.enumerate_timeout, 1);
	CHECK_KEY_ERROR("enumerate_timeout", "0", "'0' is out of range 1..300");
	CHECK_KEY_ERROR("enumerate_timeout", "301",
			"'301' is out of range 1..300");
	CHECK_KEY_ERROR("enumerate_timeout", "10s",
			"'10s' is not a decimal number");
}

static void baud_is_a_termios_rate(void)
{
	CHECK_KEY_OK("baud", "1200");
	CHECK_INT(G0->stick.baud, 1200);
	CHECK_KEY_OK("baud", "921600");
	CHECK_INT(G0->stick.baud, 921600);
	CHECK_KEY_ERROR("baud", "300", "'300' is out of range 1200..4000000");
	CHECK_KEY_ERROR("baud", "4000001",
			"'4000001' is out of range 1200..4000000");
	CHECK_KEY_ERROR(
		"baud", "115201",
		"'115201' is not a termios rate (1200, 1800, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 500000, 576000, 921600, 1000000, 1152000, 1500000, 2000000, 2500000, 3000000, 3500000 or 4000000)");
	CHECK_KEY_ERROR("baud", "115200n8",
			"'115200n8' is not a decimal number");
}

static void listen_takes_ipv4_and_port(void)
{
	CHECK_KEY_OK("listen", "127.0.0.1:1");
	CHECK_STR(listen_text(G0), "127.0.0.1:1");
	CHECK_INT(G0->tls.listen.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	CHECK_INT(G0->tls.listen.sin_port, htons(1));
}

static void listen_rejects_bad_addresses_and_ports(void)
{
	CHECK_KEY_ERROR("listen", "0.0.0.0", "'0.0.0.0' is not IPV4:PORT");
	CHECK_KEY_ERROR("listen", ":3333", "'' is not an IPv4 address");
	CHECK_KEY_ERROR("listen", "localhost:3333",
			"'localhost' is not an IPv4 address");
	CHECK_KEY_ERROR("listen", "1.2.3:3333",
			"'1.2.3' is not an IPv4 address");
	CHECK_KEY_ERROR("listen", "256.0.0.1:3333",
			"'256.0.0.1' is not an IPv4 address");
	CHECK_KEY_ERROR("listen", "01.2.3.4:3333",
			"'01.2.3.4' is not an IPv4 address");
	CHECK_KEY_ERROR("listen", "111.222.111.222.1:3333",
			"'111.222.111.222.1' is not an IPv4 address");
	CHECK_KEY_ERROR("listen",
			"0.0.0.0:", "port '' is not a decimal number");
	CHECK_KEY_ERROR("listen", "0.0.0.0:0",
			"port '0' is out of range 1..65535");
	CHECK_KEY_ERROR("listen", "0.0.0.0:65536",
			"port '65536' is out of range 1..65535");
	CHECK_KEY_ERROR("listen", "0.0.0.0:3333x",
			"port '3333x' is not a decimal number");
}

static void listen_refuses_ipv6(void)
{
	CHECK_KEY_ERROR("listen", "[::]:3333",
			"'[::]:3333': IPv6 is not supported; use IPV4:PORT");
	CHECK_KEY_ERROR("listen", "::1:3333", "'::1' is not an IPv4 address");
}

static void paths_must_be_absolute(void)
{
	CHECK_KEY_ERROR("cert", "server.crt",
			"'server.crt' is not an absolute path");
	CHECK_KEY_ERROR("key", "./server.key",
			"'./server.key' is not an absolute path");
	CHECK_KEY_ERROR("ca", "~/ca.pem", "'~/ca.pem' is not an absolute path");
	CHECK_KEY_OK("ca", "/etc/pizwg/my clients.pem");
	CHECK_STR(G0->tls.ca, "/etc/pizwg/my clients.pem");
}

static void ktls_is_auto_or_off(void)
{
	CHECK_KEY_OK("ktls", "off");
	CHECK_INT(G0->tls.ktls, CONF_KTLS_OFF);
	CHECK_KEY_OK("ktls", "auto");
	CHECK_INT(G0->tls.ktls, CONF_KTLS_AUTO);
	CHECK_KEY_ERROR("ktls", "on", "'on' is not auto or off");
}

static void tcp_user_timeout_is_1_to_600_seconds(void)
{
	CHECK_KEY_OK("tcp_user_timeout", "1");
	CHECK_INT(G0->tls.tcp_user_timeout, 1);
	CHECK_KEY_ERROR("tcp_user_timeout", "0", "'0' is out of range 1..600");
	CHECK_KEY_ERROR("tcp_user_timeout", "601",
			"'601' is out of range 1..600");
}

static void inactivity_timeout_is_0_or_10_to_86400_seconds(void)
{
	CHECK_KEY_OK("inactivity_timeout", "10");
	CHECK_INT(G0->session.inactivity_timeout, 10);
	CHECK_KEY_OK("inactivity_timeout", "0");
	CHECK_INT(G0->session.inactivity_timeout, 0);
	CHECK_KEY_ERROR("inactivity_timeout", "9",
			"'9' is neither 0 (off) nor in 10..86400");
	CHECK_KEY_ERROR("inactivity_timeout", "86401",
			"'86401' is neither 0 (off) nor in 10..86400");
	CHECK_KEY_ERROR("inactivity_timeout", "00",
			"'00' is neither 0 (off) nor in 10..86400");
	CHECK_KEY_ERROR("inactivity_timeout", "-1",
			"'-1' is neither 0 (off) nor in 10..86400");
}

static void close_grace_is_0_to_10000_milliseconds(void)
{
	CHECK_KEY_OK("close_grace", "0");
	CHECK_INT(G0->session.close_grace, 0);
	CHECK_KEY_OK("close_grace", "10000");
	CHECK_INT(G0->session.close_grace, 10000);
	CHECK_KEY_ERROR("close_grace", "10001",
			"'10001' is out of range 0..10000");
	CHECK_KEY_ERROR("close_grace", "-1", "'-1' is not a decimal number");
}

static void exec_timeout_is_1_to_3600_seconds_with_exec_only(void)
{
	CHECK_OK(MINIMAL
		 "on_session_end = exec:/sbin/done\nexec_timeout = 1\n");
	CHECK_INT(G0->session.exec_timeout, 1);
	CHECK_OK(MINIMAL
		 "exec_timeout = 3600\non_session_end = exec:/sbin/x\n");
	CHECK_INT(G0->session.exec_timeout, 3600);
	CHECK_INT(G0->key_line[CONF_KEY_EXEC_TIMEOUT], 5);
	CHECK_ERROR(MINIMAL "on_session_end = exec:/sbin/x\nexec_timeout = 0\n",
		    "t.conf:6: exec_timeout: '0' is out of range 1..3600");
	CHECK_ERROR(MINIMAL
		    "on_session_end = exec:/sbin/x\nexec_timeout = 3601\n",
		    "t.conf:6: exec_timeout: '3601' is out of range 1..3600");
	CHECK_ERROR(
		MINIMAL "exec_timeout = 5\n",
		"t.conf:5: exec_timeout: only with on_session_end = exec:PROGRAM");
	CHECK_ERROR(
		MINIMAL "exec_timeout = 5\non_session_end = restart\n",
		"t.conf:5: exec_timeout: only with on_session_end = exec:PROGRAM");
}

static void on_session_end_takes_reboot_restart_or_exec(void)
{
	CHECK_KEY_OK("on_session_end", "reboot");
	CHECK_INT(G0->session.on_end, CONF_END_REBOOT);
	CHECK_KEY_OK("on_session_end", "restart");
	CHECK_INT(G0->session.on_end, CONF_END_RESTART);
	CHECK_KEY_OK("on_session_end", "exec:/usr/local/bin/fence-done");
	CHECK_INT(G0->session.on_end, CONF_END_EXEC);
	CHECK_STR(G0->session.program, "/usr/local/bin/fence-done");
	CHECK_KEY_ERROR("on_session_end", "shutdown",
			"'shutdown' is not reboot, restart or exec:PROGRAM");
	CHECK_KEY_ERROR(
		"on_session_end", "exec /bin/true",
		"'exec /bin/true' is not reboot, restart or exec:PROGRAM");
}

static void exec_needs_an_absolute_program_without_blanks(void)
{
	CHECK_KEY_ERROR("on_session_end",
			"exec:", "'exec:': PROGRAM is not an absolute path");
	CHECK_KEY_ERROR("on_session_end", "exec:true",
			"'exec:true': PROGRAM is not an absolute path");
	CHECK_KEY_ERROR("on_session_end", "exec: /bin/true",
			"'exec: /bin/true': PROGRAM is not an absolute path");
	CHECK_KEY_ERROR(
		"on_session_end", "exec:/sbin/shutdown -h now",
		"'exec:/sbin/shutdown -h now': PROGRAM has a blank (it runs without arguments)");
	CHECK_KEY_ERROR(
		"on_session_end", "exec:/bin/a\tb",
		"'exec:/bin/a\tb': PROGRAM has a blank (it runs without arguments)");
}

/* vrrp = on sections: "[gateway zstick]\nhub = usb1\nport = 1\n" + KEYS */
#define VRRP_ON "[gateway zstick]\nhub = usb1\nport = 1\n"

static void vrrp_is_on_by_default_with_its_defaults(void)
{
	const struct pizwg_vrrp_config *r = &G0->vrrp;

	CHECK_OK(VRRP_ON);
	CHECK(r->enabled);
	CHECK_STR(r->interface, "");
	CHECK_INT(r->vrid, 254);
	CHECK(!r->has_vip);
	CHECK_INT(r->priority, 0);
	CHECK_INT(r->advert_interval, 20);
	CHECK(!r->preempt);
	CHECK_INT(r->version, 3);
	CHECK_INT(r->csum, CONF_VRRP_CSUM_PSEUDO_HEADER);
	CHECK_INT(r->garp_count, 5);
	CHECK_INT(r->garp_interval, 100);
	CHECK_INT(r->n_peers, 0);
}

static void vrrp_keys_are_parsed(void)
{
	const struct pizwg_vrrp_config *r = &G0->vrrp;
	char a[INET_ADDRSTRLEN];

	CHECK_OK(VRRP_ON "interface = eth0\nvrid = 7\nvip = 192.0.2.254/24\n"
			 "priority = 200\nadvert_interval = 10\npreempt = yes\n"
			 "vrrp_checksum = rfc9568\ngarp_count = 0\n"
			 "garp_interval = 250\npeers = 192.0.2.1, 192.0.2.2\n");
	CHECK_STR(r->interface, "eth0");
	CHECK_INT(r->vrid, 7);
	CHECK(r->has_vip);
	inet_ntop(AF_INET, &r->vip, a, sizeof(a));
	CHECK_STR(a, "192.0.2.254");
	CHECK_INT(r->vip_prefix, 24);
	CHECK_INT(r->priority, 200);
	CHECK_INT(r->advert_interval, 10);
	CHECK(r->preempt);
	CHECK_INT(r->csum, CONF_VRRP_CSUM_RFC9568);
	CHECK_INT(r->garp_count, 0);
	CHECK_INT(r->garp_interval, 250);
	CHECK_INT(r->n_peers, 2);
	inet_ntop(AF_INET, &r->peers[1], a, sizeof(a));
	CHECK_STR(a, "192.0.2.2");
	/* listen follows the VIP */
	CHECK_STR(listen_text(G0), "192.0.2.254:3333");
	CHECK_OK(VRRP_ON "vip = 192.0.2.254/24\nlisten = 0.0.0.0:4000\n");
	CHECK_STR(listen_text(G0), "0.0.0.0:4000");
	CHECK_OK(VRRP_ON "vrrp_version = 2\nadvert_interval = 300\n");
	CHECK_INT(G0->vrrp.version, 2);
	CHECK_OK(VRRP_ON "vrrp_version = 2\n");
	CHECK_INT(G0->vrrp.advert_interval, 100);
}

static void vrrp_values_are_checked(void)
{
	CHECK_ERROR(VRRP_ON "vrid = 0\n",
		    "t.conf:4: vrid: '0' is out of range 1..255");
	CHECK_ERROR(VRRP_ON "vip = 192.0.2.254\n",
		    "t.conf:4: vip: '192.0.2.254' is not IPV4/PREFIX");
	CHECK_ERROR(VRRP_ON "vip = 192.0.2.254/33\n",
		    "t.conf:4: vip: prefix '33' is out of range 1..32");
	CHECK_ERROR(VRRP_ON "vip = 127.0.0.1/8\n",
		    "t.conf:4: vip: '127.0.0.1' is not a unicast host address");
	CHECK_ERROR(VRRP_ON "vip = 224.0.0.18/24\n",
		    "t.conf:4: vip: '224.0.0.18' is not a unicast host address");
	CHECK_ERROR(VRRP_ON "priority = 255\n",
		    "t.conf:4: priority: '255' is out of range 1..254");
	CHECK_ERROR(VRRP_ON "advert_interval = 4096\n",
		    "t.conf:4: advert_interval: '4096' is out of range 1..4095");
	CHECK_ERROR(
		VRRP_ON "vrrp_version = 2\nadvert_interval = 20\n",
		"t.conf:5: advert_interval: 20 cs: vrrp_version 2 counts whole seconds; use a multiple of 100");
	CHECK_ERROR(VRRP_ON "vrrp_version = 2\nvrrp_checksum = rfc9568\n",
		    "t.conf:5: vrrp_checksum: only with vrrp_version 3");
	CHECK_ERROR(VRRP_ON "vrrp_version = 4\n",
		    "t.conf:4: vrrp_version: '4' is not 3 or 2");
	CHECK_ERROR(VRRP_ON "vrrp_checksum = rfc5798\n",
		    "t.conf:4: vrrp_checksum: 'rfc5798' is not pseudo-header or rfc9568");
	CHECK_ERROR(VRRP_ON "interface = eth0:1\n",
		    "t.conf:4: interface: 'eth0:1' is not an interface name");
	CHECK_ERROR(VRRP_ON "interface = abcdefghijklmnop\n",
		    "t.conf:4: interface: 'abcdefghijklmnop' is longer than 15 characters");
	CHECK_ERROR(VRRP_ON "garp_interval = 0\n",
		    "t.conf:4: garp_interval: '0' is out of range 1..10000");
	CHECK_ERROR(VRRP_ON "peers = 192.0.2.1,,192.0.2.2\n",
		    "t.conf:4: peers: '192.0.2.1,,192.0.2.2': an address is missing");
	CHECK_ERROR(VRRP_ON "peers = 192.0.2.1, 192.0.2.1\n",
		    "t.conf:4: peers: '192.0.2.1' is listed twice");
	CHECK_ERROR(VRRP_ON "peers = 192.0.2.1 192.0.2.2\n",
		    "t.conf:4: peers: '192.0.2.1 192.0.2.2': peers are separated by commas");
	CHECK_ERROR(VRRP_ON "peers = 10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4,"
			    "10.0.0.5,10.0.0.6,10.0.0.7,10.0.0.8,10.0.0.9\n",
		    "t.conf:4: peers: more than 8 peers");
}

static void vrrp_keys_need_vrrp_on(void)
{
	CHECK_ERROR(MINIMAL "preempt = yes\n",
		    "t.conf:5: preempt: only with vrrp = on");
	CHECK_ERROR(MINIMAL "vip = 192.0.2.254/24\n",
		    "t.conf:5: vip: only with vrrp = on");
}

static void vrids_are_unique_per_interface(void)
{
	CHECK_ERROR(VRRP_ON "interface = eth0\nvip = 192.0.2.254/24\n"
			    "[gateway b]\nhub = usb2\nport = 1\n"
			    "interface = eth0\nvip = 192.0.2.253/24\n",
		    "t.conf:6: vrid: 254 on eth0 is taken by [gateway zstick] at line 1");
	CHECK_OK(VRRP_ON "interface = eth0\nvip = 192.0.2.254/24\n"
			 "[gateway b]\nhub = usb2\nport = 1\nvrid = 2\n"
			 "interface = eth0\nvip = 192.0.2.253/24\n");
	CHECK_ERROR(VRRP_ON "vip = 192.0.2.254/24\n"
			    "[gateway b]\nhub = usb2\nport = 1\nvrid = 2\n"
			    "vip = 192.0.2.254/24\n",
		    "t.conf:5: listen: 192.0.2.254:3333 clashes with 192.0.2.254:3333 of [gateway zstick] at line 1");
}

static int resolve(const char *s, const char *addr, uint8_t prefix)
{
	inet_pton(AF_INET, addr, &fake_host_addr);
	fake_host_prefix = prefix;
	if (parse(s))
		return -1;
	return config_resolve_vrrp(&conf, &fake_host, err, sizeof(err));
}

static void vrrp_defaults_come_from_the_host(void)
{
	char a[INET_ADDRSTRLEN];

	CHECK_INT(resolve(VRRP_ON, "192.0.2.7", 24), 0);
	CHECK_STR(G0->vrrp.interface, "eth0");
	inet_ntop(AF_INET, &G0->vrrp.vip, a, sizeof(a));
	CHECK_STR(a, "192.0.2.254");
	CHECK_INT(G0->vrrp.vip_prefix, 24);
	CHECK_INT(G0->vrrp.priority, 7);
	CHECK_STR(listen_text(G0), "192.0.2.254:3333");
	CHECK_INT(resolve(VRRP_ON, "10.1.0.0", 16), 0);
	inet_ntop(AF_INET, &G0->vrrp.vip, a, sizeof(a));
	CHECK_STR(a, "10.1.0.254");
	CHECK_INT(G0->vrrp.priority, 1);
	CHECK_INT(resolve(VRRP_ON "vip = 198.51.100.9/24\n", "192.0.2.255",
			  16),
		  0);
	CHECK_INT(G0->vrrp.priority, 253);
	CHECK_INT(resolve(VRRP_ON "interface = wlan0\nvip = 192.0.2.9/24\n"
				  "priority = 9\n",
			  "192.0.2.7", 24),
		  0);
}

static void vrrp_defaults_that_cannot_be_made_are_errors(void)
{
	CHECK_INT(resolve(VRRP_ON, "192.0.2.7", 25), -EINVAL);
	CHECK_STR(err,
		  "t.conf:1: vip: no default: 192.0.2.7/25 has a prefix longer than /24; set vip");
	CHECK_INT(resolve(VRRP_ON, "192.0.2.254", 24), -EINVAL);
	CHECK_STR(err,
		  "t.conf:1: vip: no default: the host itself is 192.0.2.254, the .254; set vip");
	CHECK_INT(resolve(VRRP_ON "interface = wlan0\n", "192.0.2.7", 24),
		  -EINVAL);
	CHECK_STR(err, "t.conf:1: vip: no default: wlan0: no such interface");
	CHECK_INT(resolve(VRRP_ON "interface = eth0\nvip = 192.0.2.254/24\n"
				  "[gateway b]\nhub = usb2\nport = 1\n"
				  "vip = 192.0.2.253/24\n",
			  "192.0.2.7", 24),
		  -EINVAL);
	CHECK_STR(err,
		  "t.conf:6: vrid: 254 on eth0 is taken by [gateway zstick] at line 1");
}

static void vrrp_is_on_or_off(void)
{
	CHECK_KEY_ERROR("vrrp", "no", "'no' is not off or on");
	CHECK_KEY_ERROR("vrrp", "Off", "'Off' is not off or on");
}

static void metrics_dir_is_an_absolute_path_or_off(void)
{
	CHECK_KEY_OK("metrics_dir", "/srv/metrics dir");
	CHECK_STR(G0->metrics_dir, "/srv/metrics dir");
	CHECK_KEY_OK("metrics_dir", "off");
	CHECK_STR(G0->metrics_dir, "");
	CHECK_KEY_ERROR("metrics_dir", "metrics",
			"'metrics' is neither an absolute path nor off");
	CHECK_KEY_ERROR("metrics_dir", "Off",
			"'Off' is neither an absolute path nor off");
	CHECK_KEY_ERROR("metrics_dir", "./m",
			"'./m' is neither an absolute path nor off");
}

static void every_section_needs_the_same_metrics_dir(void)
{
	CHECK_OK(MINIMAL "metrics_dir = /m\n\n[gateway b]\nhub = usb2\n"
			 "port = 1\nvrrp = off\nlisten = 0.0.0.0:1\n"
			 "metrics_dir = /m\n");
	CHECK_STR(G1->metrics_dir, "/m");
	CHECK_ERROR(
		MINIMAL "metrics_dir = /m\n[gateway b]\nhub = usb2\n"
			"port = 1\nvrrp = off\nlisten = 0.0.0.0:1\n",
		"t.conf:6: metrics_dir: '/run/pizwg/metrics' differs from '/m' of [gateway zstick] at line 5; every section needs the same");
	CHECK_ERROR(
		MINIMAL "[gateway b]\nhub = usb2\nport = 1\nvrrp = off\n"
			"metrics_dir = off\nlisten = 0.0.0.0:1\n",
		"t.conf:9: metrics_dir: 'off' differs from '/run/pizwg/metrics' of [gateway zstick] at line 1; every section needs the same");
}

/* --- keys and sections ------------------------------------------------------ */

static void unknown_key_is_rejected(void)
{
	CHECK_ERROR(MINIMAL "colour = blue\n", "t.conf:5: colour: unknown key");
}

static void keys_are_lower_case(void)
{
	CHECK_ERROR(MINIMAL "Baud = 9600\n", "t.conf:5: Baud: unknown key");
}

static void duplicate_key_is_rejected(void)
{
	CHECK_ERROR(MINIMAL "baud = 9600\n\nport = 2\n",
		    "t.conf:7: port: duplicate key (first at line 3)");
}

static void key_outside_a_section_is_rejected(void)
{
	CHECK_ERROR("; top\nhub = usb1\n" MINIMAL,
		    "t.conf:2: hub: key outside a [gateway NAME] section");
}

static void unknown_section_is_rejected(void)
{
	CHECK_ERROR(
		MINIMAL "[global]\n",
		"t.conf:5: [global]: unknown section (expected [gateway NAME])");
	CHECK_ERROR(
		"[gateways a]\n",
		"t.conf:1: [gateways a]: unknown section (expected [gateway NAME])");
	CHECK_ERROR("[]\n",
		    "t.conf:1: []: unknown section (expected [gateway NAME])");
}

static void malformed_section_headers_are_rejected(void)
{
	CHECK_ERROR(
		"[gateway]\n",
		"t.conf:1: [gateway]: missing NAME (expected [gateway NAME])");
	CHECK_ERROR(
		"[gateway  ]\n",
		"t.conf:1: [gateway  ]: missing NAME (expected [gateway NAME])");
	CHECK_ERROR(
		"[gateway a b]\n",
		"t.conf:1: [gateway a b]: 'a b' is not a NAME (1..32 of A-Z a-z 0-9 _ -)");
	CHECK_ERROR(
		"[gateway a.b]\n",
		"t.conf:1: [gateway a.b]: 'a.b' is not a NAME (1..32 of A-Z a-z 0-9 _ -)");
	CHECK_ERROR("[gateway zstick\nhub = usb1\n",
		    "t.conf:1: syntax: section header without ']'");
	CHECK_ERROR("[gateway zstick] x\n",
		    "t.conf:1: [gateway zstick]: unexpected text after ']'");
}

static void gateway_names_take_up_to_32_characters(void)
{
	char name[40], want[160];

	memset(name, 'n', 32);
	name[32] = '\0';
	snprintf(text, sizeof(text),
		 "[gateway %s]\nhub = usb1\nport = 1\nvrrp = off\n", name);
	CHECK_OK(text);
	CHECK_STR(G0->name, name);
	strcat(name, "n");
	snprintf(text, sizeof(text), "[gateway %s]\n", name);
	snprintf(
		want, sizeof(want),
		"t.conf:1: [gateway %s]: '%s' is not a NAME (1..32 of A-Z a-z 0-9 _ -)",
		name, name);
	CHECK_ERROR(text, want);
}

static void section_header_may_have_blanks_and_a_comment(void)
{
	CHECK_OK("  [ gateway \t zstick ]  ; the only one\n"
		 "hub = usb1\nport = 1\nvrrp = off\n");
	CHECK_STR(G0->name, "zstick");
	CHECK_OK("[gateway zstick] # the only one\n"
		 "hub = usb1\nport = 1\nvrrp = off\n");
	CHECK_STR(G0->name, "zstick");
}

static void duplicate_section_is_rejected(void)
{
	CHECK_ERROR(
		MINIMAL "listen = 0.0.0.0:1\n[gateway zstick]\n",
		"t.conf:6: [gateway zstick]: duplicate section (first at line 1)");
}

static void missing_hub_is_rejected_at_the_section_line(void)
{
	CHECK_ERROR("\n[gateway zstick]\nport = 1\nvrrp = off\n",
		    "t.conf:2: [gateway zstick]: missing key 'hub'");
}

static void missing_port_is_rejected_at_the_section_line(void)
{
	CHECK_ERROR("[gateway zstick]\nhub = usb1\nvrrp = off\n"
		    "[gateway b]\nhub = usb2\nport = 1\nvrrp = off\n",
		    "t.conf:1: [gateway zstick]: missing key 'port'");
}

static void empty_section_misses_its_hub(void)
{
	CHECK_ERROR("[gateway zstick]\n; nothing yet\n",
		    "t.conf:1: [gateway zstick]: missing key 'hub'");
}

static void eight_sections_are_the_limit(void)
{
	int n = 0, i;

	for (i = 1; i <= CONF_GATEWAYS_MAX; i++)
		n += snprintf(
			text + n, sizeof(text) - n,
			"[gateway g%d]\nhub = usb%d\nport = 1\nvrrp = off\nlisten = 0.0.0.0:%d\n",
			i, i, 3332 + i);
	CHECK_OK(text);
	CHECK_INT(conf.n_gateways, CONF_GATEWAYS_MAX);
	CHECK_STR(conf.gateways[CONF_GATEWAYS_MAX - 1].name, "g8");
	snprintf(text + n, sizeof(text) - n, "[gateway g9]\n");
	CHECK_ERROR(text, "t.conf:41: [gateway g9]: more than 8 gateways");
}

static void file_without_a_section_is_rejected(void)
{
	CHECK_ERROR(
		"",
		"t.conf:1: [gateway NAME]: no section; at least one is required");
	CHECK_ERROR(
		"# only\n; comments\n\n",
		"t.conf:3: [gateway NAME]: no section; at least one is required");
}

/* --- listen clashes ------------------------------------------------------------ */

static void same_listen_in_two_sections_names_both_lines(void)
{
	CHECK_ERROR(
		MINIMAL "listen = 192.0.2.1:4000\n"
			"[gateway b]\nhub = usb2\nport = 1\nvrrp = off\n"
			"listen = 192.0.2.1:4000\n",
		"t.conf:10: listen: 192.0.2.1:4000 clashes with 192.0.2.1:4000 of [gateway zstick] at line 5");
}

static void default_listens_clash_at_the_section_lines(void)
{
	CHECK_ERROR(
		MINIMAL "[gateway b]\nhub = usb2\nport = 1\nvrrp = off\n",
		"t.conf:5: listen: 0.0.0.0:3333 clashes with 0.0.0.0:3333 of [gateway zstick] at line 1");
}

static void wildcard_listen_clashes_with_any_address_on_its_port(void)
{
	CHECK_ERROR(
		MINIMAL "listen = 192.0.2.1:3333\n"
			"[gateway b]\nhub = usb2\nport = 1\nvrrp = off\n",
		"t.conf:6: listen: 0.0.0.0:3333 clashes with 192.0.2.1:3333 of [gateway zstick] at line 5");
}

static void listens_differing_in_port_or_address_do_not_clash(void)
{
	CHECK_OK(MINIMAL "[gateway b]\nhub = usb2\nport = 1\nvrrp = off\n"
			 "listen = 0.0.0.0:3334\n");
	CHECK_OK(MINIMAL "listen = 192.0.2.1:3333\n"
			 "[gateway b]\nhub = usb2\nport = 1\nvrrp = off\n"
			 "listen = 192.0.2.2:3333\n");
}

/* --- syntax ------------------------------------------------------------------ */

static void comments_and_blank_lines_are_ignored(void)
{
	CHECK_OK("; pizwgd.conf\n"
		 "# with both comment characters\n"
		 "\n"
		 "   \t\n"
		 "[gateway zstick]\n"
		 "  # indented\n"
		 "hub = usb1 ; inline\n"
		 "port = 1\t; inline after a tab\n"
		 "vrrp = off\n");
	CHECK_STR(G0->stick.hub, "usb1");
	CHECK_INT(G0->stick.port, 1);
	CHECK_INT(G0->key_line[CONF_KEY_HUB], 7);
}

static void semicolon_without_a_blank_and_hash_are_part_of_a_value(void)
{
	CHECK_KEY_OK("serial", "a;b#c");
	CHECK_STR(G0->stick.serial, "a;b#c");
	CHECK_KEY_ERROR("port", "1 # left",
			"'1 # left' is not a decimal number");
}

static void blanks_around_keys_and_values_are_ignored(void)
{
	CHECK_OK("[gateway zstick]\n"
		 "hub=usb1\n"
		 "\tport   =\t 1 \t\n"
		 "    vrrp = off\n"
		 "serial = two  words  \n");
	CHECK_INT(G0->stick.port, 1);
	CHECK_STR(G0->stick.serial, "two  words");
	CHECK(!G0->vrrp.enabled);
}

static void indented_line_is_a_key_not_a_continuation(void)
{
	CHECK_ERROR(
		"[gateway zstick]\nhub = usb1\n  usb2\n",
		"t.conf:3: syntax: expected [gateway NAME], KEY = VALUE or a comment");
}

static void crlf_line_endings_are_accepted(void)
{
	CHECK_OK("; dos\r\n[gateway zstick]\r\nhub = usb1\r\nport = 1\r\n"
		 "vrrp = off\r\n");
	CHECK_STR(G0->stick.hub, "usb1");
	CHECK_INT(G0->stick.port, 1);
	CHECK_ERROR("; dos\r\n[gateway zstick]\r\nhub = usb1\r\nport = 32\r\n",
		    "t.conf:4: port: '32' is out of range 1..31");
}

static void last_line_without_newline_is_read(void)
{
	CHECK_OK("[gateway zstick]\nhub = usb1\nvrrp = off\nport = 7");
	CHECK_INT(G0->stick.port, 7);
	CHECK_ERROR("[gateway zstick]\nhub = usb1\nvrrp = off\nport = 77",
		    "t.conf:4: port: '77' is out of range 1..31");
	CHECK_OK("[gateway zstick]\r\nhub = usb1\r\nvrrp = off\r\nport = 7\r");
	CHECK_INT(G0->stick.port, 7);
}

static void utf8_byte_order_mark_is_skipped(void)
{
	CHECK_OK("\xef\xbb\xbf" MINIMAL);
	CHECK_STR(G0->name, "zstick");
}

static void lines_longer_than_197_characters_are_rejected(void)
{
	char value[200], want[300];

	/* "serial = " and 188 characters: 197, the longest line */
	memset(value, 's', 188);
	value[188] = '\0';
	snprintf(text, sizeof(text), MINIMAL "serial = %s\r\n", value);
	snprintf(want, sizeof(want),
		 "t.conf:5: serial: '%s' is longer than 126 characters", value);
	CHECK_ERROR(text, want);
	snprintf(text, sizeof(text), MINIMAL "serial = %ss\n", value);
	CHECK_ERROR(text, "t.conf:5: syntax: line longer than 197 characters");
	snprintf(text, sizeof(text), MINIMAL ";%s         \r\n", value);
	CHECK_ERROR(text, "t.conf:5: syntax: line longer than 197 characters");
}

static void control_characters_are_rejected(void)
{
	CHECK_ERROR(MINIMAL "serial = a\x1b[31mb\n",
		    "t.conf:5: syntax: control character 0x1b");
	CHECK_ERROR(MINIMAL "# a\rb\n",
		    "t.conf:5: syntax: control character 0x0d");
	CHECK_ERROR(MINIMAL "serial = a\x7f\n",
		    "t.conf:5: syntax: control character 0x7f");
}

static void lines_that_are_not_key_value_are_rejected(void)
{
	static const char *const bad[] = {
		"hub usb1",
		"hub: usb1",
		"serial ; = x",
		"hub:=usb1",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text), MINIMAL "%s\n", bad[i]);
		CHECK_ERROR(
			text,
			"t.conf:5: syntax: expected [gateway NAME], KEY = VALUE or a comment");
	}
	CHECK_ERROR(MINIMAL " = usb1\n",
		    "t.conf:5: syntax: missing key before '='");
}

static void first_error_is_the_one_reported(void)
{
	CHECK_ERROR(MINIMAL "baud = 1\nport = 99\nwhat\n[other]\n",
		    "t.conf:5: baud: '1' is out of range 1200..4000000");
	CHECK_ERROR("hub = usb1\n[gateway]\n",
		    "t.conf:1: hub: key outside a [gateway NAME] section");
	CHECK_ERROR(
		"junk\nhub = usb1\n",
		"t.conf:1: syntax: expected [gateway NAME], KEY = VALUE or a comment");
}

static void errors_fit_the_buffer_given(void)
{
	char small[16];

	CHECK_INT(config_parse_string("[x]\n", "t.conf", &conf, small,
				      sizeof(small)),
		  -EINVAL);
	CHECK_STR(small, "t.conf:1: [x]: ");
	CHECK_INT(config_parse_string("[x]\n", "t.conf", &conf, small, 0),
		  -EINVAL);
}

/* --- files ------------------------------------------------------------------- */

static const char *tmp_path(const char *name)
{
	static char path[2][sizeof(tmpdir) + 64];
	static int i;

	i = !i;
	snprintf(path[i], sizeof(path[i]), "%s/%s", tmpdir, name);
	return path[i];
}

static const char *write_file(const char *name, const char *data, size_t len,
			      mode_t mode)
{
	const char *path = tmp_path(name);
	int fd;

	unlink(path); /* a new file: root's, whatever a test did to the old */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len || fchmod(fd, mode))
		abort();
	close(fd);
	return path;
}

/* Readable cert, ca and program, key mode 0600; a section that uses them */
static const char *files_config(const char *extra)
{
	write_file("s.crt", "cert\n", 5, 0644);
	write_file("s.key", "key\n", 4, 0600);
	write_file("ca.pem", "ca\n", 3, 0644);
	write_file("done", "#!/bin/sh\n", 10, 0755);
	snprintf(text, sizeof(text),
		 MINIMAL "cert = %s/s.crt\nkey = %s/s.key\nca = %s/ca.pem\n%s",
		 tmpdir, tmpdir, tmpdir, extra);
	return text;
}

static void load_reads_and_names_the_file(void)
{
	const char *path = write_file("a.conf", MINIMAL "port = 0\n",
				      strlen(MINIMAL "port = 0\n"), 0644);
	char want[512];

	CHECK_INT(config_load(path, &conf, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s:5: port: duplicate key (first at line 3)", path);
	CHECK_STR(err, want);
	path = write_file("a.conf", MINIMAL, strlen(MINIMAL), 0644);
	CHECK_INT(config_load(path, &conf, err, sizeof(err)), 0);
	CHECK_STR(conf.file, path);
	CHECK_STR(G0->stick.hub, "usb1");
}

static void load_reports_a_missing_file(void)
{
	const char *path = tmp_path("missing.conf");
	char want[512];

	CHECK_INT(config_load(path, &conf, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want),
		 "%s: cannot read: No such file or directory", path);
	CHECK_STR(err, want);
	CHECK_INT(config_load(tmpdir, &conf, err, sizeof(err)), -EISDIR);
}

static void load_takes_64_KiB_and_no_more(void)
{
	const char *path;
	size_t n = strlen(MINIMAL);
	char want[512];

	memcpy(text, MINIMAL, n);
	memset(text + n, '\n', CONF_SIZE_MAX - n);
	path = write_file("big.conf", text, CONF_SIZE_MAX, 0644);
	CHECK_INT(config_load(path, &conf, err, sizeof(err)), 0);
	text[CONF_SIZE_MAX] = '\n';
	path = write_file("big.conf", text, CONF_SIZE_MAX + 1, 0644);
	CHECK_INT(config_load(path, &conf, err, sizeof(err)), -EFBIG);
	snprintf(want, sizeof(want), "%s: larger than 65536 bytes", path);
	CHECK_STR(err, want);
}

static void load_refuses_nul_bytes_naming_the_line(void)
{
	static const char data[] = MINIMAL "serial = a\0b\n";
	const char *path = write_file("nul.conf", data, sizeof(data) - 1, 0644);
	char want[512];

	CHECK_INT(config_load(path, &conf, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:5: syntax: NUL byte", path);
	CHECK_STR(err, want);
}

static void example_config_is_valid_and_all_defaults(void)
{
	struct pizwg_config def;

	CHECK_INT(parse(VRRP_ON), 0);
	def = conf;
	CHECK_INT(config_load(CONFIG_EXAMPLE, &conf, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_INT(conf.n_gateways, 1);
	memset(conf.gateways[0].key_line, 0, sizeof(conf.gateways[0].key_line));
	memset(def.gateways[0].key_line, 0, sizeof(def.gateways[0].key_line));
	conf.gateways[0].line = def.gateways[0].line;
	CHECK(!memcmp(&conf.gateways, &def.gateways, sizeof(def.gateways)));
}

/* Lines of the example that start with ';' are optional settings. */
static void example_optional_settings_are_valid(void)
{
	char *s;
	ssize_t n;
	int fd;

	fd = open(CONFIG_EXAMPLE, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	CHECK(n > 0);
	text[n] = '\0';
	for (s = text; (s = strstr(s, "\n;")); s++)
		s[1] = ' ';
	CHECK_OK(text);
	CHECK(G0->stick.match_usb_id);
	CHECK_STR(G0->stick.serial, "0001");
}

static void check_files_accepts_readable_files_and_a_private_key(void)
{
	CHECK_OK(files_config(""));
	CHECK_INT(config_check_files(&conf, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	write_file("s.key", "key\n", 4, 0400);
	CHECK_INT(config_check_files(&conf, err, sizeof(err)), 0);
}

static void check_files_names_the_key_line_and_path(void)
{
	char want[512];

	CHECK_OK(files_config(""));
	unlink(tmp_path("s.crt"));
	CHECK_INT(config_check_files(&conf, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want),
		 "t.conf:5: cert: %s/s.crt: No such file or directory", tmpdir);
	CHECK_STR(err, want);
}

static void check_files_names_the_section_line_for_a_default_path(void)
{
	char want[512];

	CHECK_OK("\n" MINIMAL);
	files_config("");
	snprintf(G0->tls.cert, sizeof(G0->tls.cert), "%s/s.crt", tmpdir);
	snprintf(G0->tls.key, sizeof(G0->tls.key), "%s/s.key", tmpdir);
	snprintf(G0->tls.ca, sizeof(G0->tls.ca), "%s/none.pem", tmpdir);
	CHECK_INT(config_check_files(&conf, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want),
		 "t.conf:2: ca: %s/none.pem: No such file or directory",
		 tmpdir);
	CHECK_STR(err, want);
}

static void check_files_refuses_a_key_open_to_group_or_others(void)
{
	char want[512];

	CHECK_OK(files_config(""));
	write_file("s.key", "key\n", 4, 0640);
	CHECK_INT(config_check_files(&conf, err, sizeof(err)), -EINVAL);
	snprintf(
		want, sizeof(want),
		"t.conf:6: key: %s/s.key: mode 0640 lets group or others in; chmod 600 it",
		tmpdir);
	CHECK_STR(err, want);
	write_file("s.key", "key\n", 4, 0601);
	CHECK_INT(config_check_files(&conf, err, sizeof(err)), -EINVAL);
}

static void check_files_refuses_what_is_not_a_regular_file(void)
{
	char extra[512], want[512];

	snprintf(extra, sizeof(extra),
		 "[gateway b]\nhub = usb2\nport = 1\nvrrp = off\n"
		 "listen = 0.0.0.0:1\ncert = %s/s.crt\nkey = %s/s.key\n"
		 "ca = %s\n",
		 tmpdir, tmpdir, tmpdir);
	CHECK_OK(files_config(extra));
	CHECK_INT(config_check_files(&conf, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "t.conf:15: ca: %s: not a regular file",
		 tmpdir);
	CHECK_STR(err, want);
}

static void check_files_needs_an_executable_exec_program(void)
{
	char extra[512], want[512];

	snprintf(extra, sizeof(extra), "on_session_end = exec:%s/done\n",
		 tmpdir);
	CHECK_OK(files_config(extra));
	CHECK_INT(config_check_files(&conf, err, sizeof(err)), 0);
	write_file("done", "#!/bin/sh\n", 10, 0644);
	CHECK_INT(config_check_files(&conf, err, sizeof(err)), -EACCES);
	snprintf(
		want, sizeof(want),
		"t.conf:8: on_session_end: %s/done: not executable: Permission denied",
		tmpdir);
	CHECK_STR(err, want);
}

static void check_files_refuses_a_key_not_owned_by_root(void)
{
	char want[512];

	CHECK_OK(files_config(""));
	CHECK(!chown(tmp_path("s.key"), 1000, 0));
	CHECK_INT(config_check_files(&conf, err, sizeof(err)), -EPERM);
	snprintf(
		want, sizeof(want),
		"t.conf:6: key: %s/s.key: owned by uid 1000, not root; chown root it",
		tmpdir);
	CHECK_STR(err, want);
}

/* Whoever changes the CA bundle, key or certificate owns the gateway. */
static void check_files_refuses_key_ca_and_cert_root_does_not_own_alone(void)
{
	char want[3 * PATH_MAX];

	CHECK_OK(files_config(""));
	CHECK(!chown(tmp_path("ca.pem"), 1000, 0));
	CHECK_INT(config_check_files(&conf, err, sizeof(err)), -EPERM);
	snprintf(want, sizeof(want), "t.conf:7: ca: %s: owned by uid 1000, not root",
		 tmp_path("ca.pem"));
	CHECK_STR(err, want);
	CHECK(!chown(tmp_path("ca.pem"), 0, 0));
	CHECK(!chmod(tmp_path("s.crt"), 0664));
	CHECK_INT(config_check_files(&conf, err, sizeof(err)), -EPERM);
	snprintf(want, sizeof(want),
		 "t.conf:5: cert: %s: mode 0664: group or others can write it",
		 tmp_path("s.crt"));
	CHECK_STR(err, want);
	CHECK(!chmod(tmp_path("s.crt"), 0644));
	CHECK(!chmod(tmpdir, 0770));
	CHECK_INT(config_check_files(&conf, err, sizeof(err)), -EPERM);
	snprintf(want, sizeof(want),
		 "t.conf:5: cert: %s: directory %s has mode 0770: group or others can write it",
		 tmp_path("s.crt"), tmpdir);
	CHECK_STR(err, want);
	CHECK(!chmod(tmpdir, 0700));
	CHECK_INT(config_check_files(&conf, err, sizeof(err)), 0);
}

/* The section with on_session_end = exec:@prog on line 8 */
static void exec_config(const char *prog)
{
	char extra[PATH_MAX + 32];

	snprintf(extra, sizeof(extra), "on_session_end = exec:%s\n", prog);
	CHECK_OK(files_config(extra));
}

static void check_program_error(const char *prog, const char *reason)
{
	char want[2 * PATH_MAX];

	CHECK_INT(config_check_files(&conf, err, sizeof(err)), -EPERM);
	snprintf(want, sizeof(want), "t.conf:8: on_session_end: %s: %s", prog,
		 reason);
	CHECK_STR(err, want);
}

static void check_files_refuses_a_program_root_does_not_own_alone(void)
{
	const char *prog = tmp_path("done");

	exec_config(prog);
	CHECK(!chown(prog, 1000, 0));
	check_program_error(prog, "owned by uid 1000, not root");
	CHECK(!chown(prog, 0, 1000));
	CHECK_INT(config_check_files(&conf, err, sizeof(err)), 0);
	CHECK(!chmod(prog, 0775));
	check_program_error(prog, "mode 0775: group or others can write it");
	CHECK(!chmod(prog, 0757));
	check_program_error(prog, "mode 0757: group or others can write it");
}

/* (the programs live in a directory of their own: tmpdir has the keys) */
static void check_files_refuses_a_program_in_a_directory_others_write(void)
{
	char reason[2 * PATH_MAX], dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", tmp_path("pd"));
	CHECK(!mkdir(dir, 0700));
	write_file("pd/done", "#!/bin/sh\n", 10, 0700);
	exec_config(tmp_path("pd/done"));
	CHECK(!chmod(dir, 0770));
	snprintf(reason, sizeof(reason),
		 "directory %s has mode 0770: group or others can write it",
		 dir);
	check_program_error(tmp_path("pd/done"), reason);
	CHECK(!chmod(dir, 0755));
	CHECK(!chown(dir, 1000, 0));
	snprintf(reason, sizeof(reason),
		 "directory %s is owned by uid 1000, not root", dir);
	check_program_error(tmp_path("pd/done"), reason);
	CHECK(!chown(dir, 0, 0));
	CHECK(!chmod(dir, 0700));
	CHECK_INT(config_check_files(&conf, err, sizeof(err)), 0);
}

static void check_files_refuses_a_program_under_a_parent_others_write(void)
{
	char reason[PATH_MAX];

	CHECK(!mkdir(tmp_path("up"), 0755));
	CHECK(!mkdir(tmp_path("up/bin"), 0755));
	write_file("up/bin/done", "#!/bin/sh\n", 10, 0700);
	exec_config(tmp_path("up/bin/done"));
	CHECK_INT(config_check_files(&conf, err, sizeof(err)), 0);
	CHECK(!chmod(tmp_path("up"), 01777));
	snprintf(reason, sizeof(reason),
		 "directory %s has mode 1777: group or others can write it",
		 tmp_path("up"));
	check_program_error(tmp_path("up/bin/done"), reason);
	CHECK(!chmod(tmp_path("up"), 0755));
}

/* The case the rule was written for: root-owned, but in sticky /tmp. */
static void check_files_refuses_a_program_in_sticky_tmp(void)
{
	char dir[] = "/tmp/test_config.XXXXXX", prog[64];
	struct stat st;

	CHECK(!stat("/tmp", &st));
	CHECK_INT(st.st_mode & 07777, 01777);
	CHECK(mkdtemp(dir));
	snprintf(prog, sizeof(prog), "%s/done", dir);
	CHECK(!symlink("/bin/true", prog));
	exec_config(prog);
	check_program_error(
		prog,
		"directory /tmp has mode 1777: group or others can write it");
	unlink(prog);
	rmdir(dir);
}

/* Both the link's directories and the target's must be root's alone. */
static void check_files_follows_symlinks_to_the_program(void)
{
	char reason[PATH_MAX];

	CHECK(!mkdir(tmp_path("open"), 0755));
	write_file("open/done", "#!/bin/sh\n", 10, 0755);
	CHECK(!symlink(tmp_path("open/done"), tmp_path("link")));
	exec_config(tmp_path("link"));
	CHECK_INT(config_check_files(&conf, err, sizeof(err)), 0);
	CHECK(!chmod(tmp_path("open"), 0777));
	snprintf(
		reason, sizeof(reason),
		"directory %s/open has mode 0777: group or others can write it",
		tmpdir);
	check_program_error(tmp_path("link"), reason);
	CHECK(!chmod(tmp_path("open"), 0755));
}

static const struct unit_test tests[] = {
	UNIT_TEST(minimal_section_gets_every_default),
	UNIT_TEST(every_key_can_be_set),
	UNIT_TEST(sections_are_kept_in_file_order),
	UNIT_TEST(key_names_and_lines_are_reported),
	UNIT_TEST(empty_value_is_rejected_for_every_key),
	UNIT_TEST(hub_takes_root_hubs_and_hub_paths),
	UNIT_TEST(hub_rejects_what_is_not_a_hub_name),
	UNIT_TEST(port_takes_1_to_31),
	UNIT_TEST(port_rejects_garbage_junk_overflow_and_out_of_range),
	UNIT_TEST(numbers_refuse_signs_hex_and_leading_zeros),
	UNIT_TEST(force_is_yes_or_no),
	UNIT_TEST(usb_id_is_four_hex_digits_each),
	UNIT_TEST(serial_is_printable_ascii_up_to_126_characters),
	UNIT_TEST(enumerate_timeout_is_1_to_300_seconds),
	UNIT_TEST(baud_is_a_termios_rate),
	UNIT_TEST(listen_takes_ipv4_and_port),
	UNIT_TEST(listen_rejects_bad_addresses_and_ports),
	UNIT_TEST(listen_refuses_ipv6),
	UNIT_TEST(paths_must_be_absolute),
	UNIT_TEST(ktls_is_auto_or_off),
	UNIT_TEST(tcp_user_timeout_is_1_to_600_seconds),
	UNIT_TEST(inactivity_timeout_is_0_or_10_to_86400_seconds),
	UNIT_TEST(on_session_end_takes_reboot_restart_or_exec),
	UNIT_TEST(exec_needs_an_absolute_program_without_blanks),
	UNIT_TEST(close_grace_is_0_to_10000_milliseconds),
	UNIT_TEST(exec_timeout_is_1_to_3600_seconds_with_exec_only),
	UNIT_TEST(vrrp_is_on_by_default_with_its_defaults),
	UNIT_TEST(vrrp_keys_are_parsed),
	UNIT_TEST(vrrp_values_are_checked),
	UNIT_TEST(vrrp_keys_need_vrrp_on),
	UNIT_TEST(vrids_are_unique_per_interface),
	UNIT_TEST(vrrp_defaults_come_from_the_host),
	UNIT_TEST(vrrp_defaults_that_cannot_be_made_are_errors),
	UNIT_TEST(vrrp_is_on_or_off),
	UNIT_TEST(metrics_dir_is_an_absolute_path_or_off),
	UNIT_TEST(every_section_needs_the_same_metrics_dir),
	UNIT_TEST(unknown_key_is_rejected),
	UNIT_TEST(keys_are_lower_case),
	UNIT_TEST(duplicate_key_is_rejected),
	UNIT_TEST(key_outside_a_section_is_rejected),
	UNIT_TEST(unknown_section_is_rejected),
	UNIT_TEST(malformed_section_headers_are_rejected),
	UNIT_TEST(gateway_names_take_up_to_32_characters),
	UNIT_TEST(section_header_may_have_blanks_and_a_comment),
	UNIT_TEST(duplicate_section_is_rejected),
	UNIT_TEST(missing_hub_is_rejected_at_the_section_line),
	UNIT_TEST(missing_port_is_rejected_at_the_section_line),
	UNIT_TEST(empty_section_misses_its_hub),
	UNIT_TEST(eight_sections_are_the_limit),
	UNIT_TEST(file_without_a_section_is_rejected),
	UNIT_TEST(same_listen_in_two_sections_names_both_lines),
	UNIT_TEST(default_listens_clash_at_the_section_lines),
	UNIT_TEST(wildcard_listen_clashes_with_any_address_on_its_port),
	UNIT_TEST(listens_differing_in_port_or_address_do_not_clash),
	UNIT_TEST(comments_and_blank_lines_are_ignored),
	UNIT_TEST(semicolon_without_a_blank_and_hash_are_part_of_a_value),
	UNIT_TEST(blanks_around_keys_and_values_are_ignored),
	UNIT_TEST(indented_line_is_a_key_not_a_continuation),
	UNIT_TEST(crlf_line_endings_are_accepted),
	UNIT_TEST(last_line_without_newline_is_read),
	UNIT_TEST(utf8_byte_order_mark_is_skipped),
	UNIT_TEST(lines_longer_than_197_characters_are_rejected),
	UNIT_TEST(control_characters_are_rejected),
	UNIT_TEST(lines_that_are_not_key_value_are_rejected),
	UNIT_TEST(first_error_is_the_one_reported),
	UNIT_TEST(errors_fit_the_buffer_given),
	UNIT_TEST(load_reads_and_names_the_file),
	UNIT_TEST(load_reports_a_missing_file),
	UNIT_TEST(load_takes_64_KiB_and_no_more),
	UNIT_TEST(load_refuses_nul_bytes_naming_the_line),
	UNIT_TEST(example_config_is_valid_and_all_defaults),
	UNIT_TEST(example_optional_settings_are_valid),
	UNIT_TEST(check_files_accepts_readable_files_and_a_private_key),
	UNIT_TEST(check_files_names_the_key_line_and_path),
	UNIT_TEST(check_files_names_the_section_line_for_a_default_path),
	UNIT_TEST(check_files_refuses_a_key_open_to_group_or_others),
	UNIT_TEST(check_files_refuses_what_is_not_a_regular_file),
	UNIT_TEST(check_files_needs_an_executable_exec_program),
	UNIT_TEST(check_files_refuses_a_key_not_owned_by_root),
	UNIT_TEST(check_files_refuses_key_ca_and_cert_root_does_not_own_alone),
	UNIT_TEST(check_files_refuses_a_program_root_does_not_own_alone),
	UNIT_TEST(check_files_refuses_a_program_in_a_directory_others_write),
	UNIT_TEST(check_files_refuses_a_program_under_a_parent_others_write),
	UNIT_TEST(check_files_refuses_a_program_in_sticky_tmp),
	UNIT_TEST(check_files_follows_symlinks_to_the_program),
};

static void remove_tmpdir(void)
{
	static const char *const names[] = {
		"s.crt",    "s.key",	"ca.pem",   "done",	 "a.conf",
		"big.conf", "nul.conf", "bin/done", "open/done", "link",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		unlink(tmp_path(names[i]));
	rmdir(tmp_path("bin"));
	rmdir(tmp_path("open"));
	rmdir(tmpdir);
}

int main(void)
{
	int ret;

	if (snprintf(tmpdir, sizeof(tmpdir), "%s/test_config.XXXXXX",
		     CONFIG_TEST_DIR) >= (int)sizeof(tmpdir)) {
		fprintf(stderr, "%s: too long a path\n", CONFIG_TEST_DIR);
		return EXIT_FAILURE;
	}
	if (mkdir(CONFIG_TEST_DIR, 0755) && errno != EEXIST) {
		perror(CONFIG_TEST_DIR);
		return EXIT_FAILURE;
	}
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	ret = unit_main("test_config", tests, ARRAY_SIZE(tests));
	remove_tmpdir();
	return ret;
}
