// SPDX-License-Identifier: GPL-2.0-only
/*
 * pizwgctl's output, text and JSON, for every kind of hub, tty, event and
 * error line, byte for byte as documented at the top of each subcommand.
 */
#include <errno.h>

#include "pizwgctl.h"
#include "unit.h"

static const struct pizwg_hub root_hub = {
	.name = "usb1",
	.busnum = 1,
	.devpath = "0",
	.vendor_id = 0x1d6b,
	.product_id = 0x0002,
	.num_ports = 1,
	.switching = PIZWG_SWITCHING_INDIVIDUAL,
	.nports = 1,
	.ports = {
		{ .number = 1, .power = true, .connected = true,
		  .power_known = true, .child = "1-1" },
	},
};

static const struct pizwg_hub external_hub = {
	.name = "1-1",
	.busnum = 1,
	.devpath = "1",
	.vendor_id = 0x05e3,
	.product_id = 0x0608,
	.num_ports = 2,
	.switching = PIZWG_SWITCHING_GANGED,
	.peer_hub = "2-1",
	.nports = 2,
	.ports = {
		{ .number = 1 },
		{ .number = 2, .power = true, .connected = true,
		  .leased = true, .guarded = true, .power_known = true },
	},
};

static const struct pizwg_tty stick = {
	.name = "ttyACM0",
	.major = 166,
	.minor = 0,
	.busnum = 1,
	.devpath = "1",
	.device = "1-1",
	.hub = "usb1",
	.port = 1,
	.vendor_id = 0x0658,
	.product_id = 0x0200,
	.has_serial = true,
	.has_manufacturer = true,
	.has_product = true,
	.serial = "PIZWG-STICK-0",
	.manufacturer = "PiZWG test",
	.product = "Z-Stick sim",
};

static const struct pizwg_tty bare_tty = {
	.name = "ttyACM1",
	.major = 166,
	.minor = 1,
	.busnum = 3,
	.devpath = "1.4",
	.device = "3-1.4",
	.port = 4,
	.vendor_id = 0x1a86,
	.product_id = 0x55d4,
};

/* Checks and frees a formatter's output. */
#define CHECK_OUT(expr, want)                                                 \
	do {                                                                  \
		const char *want_ = (want);                                   \
		char *out_ = (expr);                                          \
		if (!out_ || strcmp(out_, want_))                             \
			unit_fail(__FILE__, __LINE__,                         \
				  "got <<%s>>, want <<%s>>",                  \
				  out_ ? out_ : "(null)", want_);             \
		free(out_);                                                   \
	} while (0)

static void hubs_text_lists_each_hub_then_its_ports(void)
{
	struct pizwg_hub hubs[2] = { root_hub, external_hub };

	CHECK_OUT(hubs_format_text(hubs, 2),
		  "usb1 bus 1 1d6b:0002 ports 1 switching individual\n"
		  "  port 1 power on connected child 1-1 leased no\n"
		  "1-1 bus 1 05e3:0608 ports 2 switching ganged peer 2-1\n"
		  "  port 1 power off disconnected leased no recorded\n"
		  "  port 2 power on connected leased yes guarded\n");
}

static void hubs_text_of_no_hubs_is_empty(void)
{
	CHECK_OUT(hubs_format_text(NULL, 0), "");
}

static void hubs_text_names_switching_modes_old_and_new(void)
{
	struct pizwg_hub hub = root_hub;

	hub.nports = 0;
	hub.switching = PIZWG_SWITCHING_NONE;
	CHECK_OUT(hubs_format_text(&hub, 1),
		  "usb1 bus 1 1d6b:0002 ports 1 switching none\n");
	hub.switching = 7;
	CHECK_OUT(hubs_format_text(&hub, 1),
		  "usb1 bus 1 1d6b:0002 ports 1 switching unknown-7\n");
}

static void hubs_json_is_one_array_with_every_key(void)
{
	struct pizwg_hub hubs[2] = { root_hub, external_hub };

	CHECK_OUT(json_line(hubs_to_json(hubs, 2)),
		  "[{\"name\":\"usb1\",\"busnum\":1,\"devpath\":\"0\","
		  "\"vendor_id\":\"1d6b\",\"product_id\":\"0002\","
		  "\"num_ports\":1,\"switching\":\"individual\","
		  "\"peer_hub\":null,\"ports\":[{\"number\":1,\"power\":true,"
		  "\"connected\":true,\"child\":\"1-1\",\"leased\":false,"
		  "\"guarded\":false,\"power_known\":true}]},"
		  "{\"name\":\"1-1\",\"busnum\":1,\"devpath\":\"1\","
		  "\"vendor_id\":\"05e3\",\"product_id\":\"0608\","
		  "\"num_ports\":2,\"switching\":\"ganged\","
		  "\"peer_hub\":\"2-1\",\"ports\":[{\"number\":1,"
		  "\"power\":false,\"connected\":false,\"child\":null,"
		  "\"leased\":false,\"guarded\":false,\"power_known\":false},"
		  "{\"number\":2,"
		  "\"power\":true,\"connected\":true,\"child\":null,"
		  "\"leased\":true,\"guarded\":true,\"power_known\":true}]}]\n");
}

static void hubs_json_of_no_hubs_is_an_empty_array(void)
{
	CHECK_OUT(json_line(hubs_to_json(NULL, 0)), "[]\n");
}

static void ttys_text_shows_identity_and_usb_strings(void)
{
	struct pizwg_tty ttys[2] = { stick, bare_tty };

	CHECK_OUT(ttys_format_text(ttys, 2),
		  "ttyACM0 166:0 bus 1 devpath 1 hub usb1 port 1 0658:0200 "
		  "serial PIZWG-STICK-0 \"PiZWG test\" \"Z-Stick sim\"\n"
		  "ttyACM1 166:1 bus 3 devpath 1.4 hub - port 4 1a86:55d4 - -\n");
}

static void ttys_text_quotes_and_escapes_odd_strings(void)
{
	struct pizwg_tty tty = stick;

	strcpy(tty.serial, "A B");
	strcpy(tty.manufacturer, "say \"hi\"\\\n\t\x01\x7f");
	strcpy(tty.product, "caf\xc3\xa9 \xff\xc3");
	CHECK_OUT(ttys_format_text(&tty, 1),
		  "ttyACM0 166:0 bus 1 devpath 1 hub usb1 port 1 0658:0200 "
		  "serial \"A B\" \"say \\\"hi\\\"\\\\\\n\\t\\x01\\x7f\" "
		  "\"caf\xc3\xa9 \\xff\\xc3\"\n");
}

static void ttys_text_tells_absent_from_dash_and_empty(void)
{
	struct pizwg_tty tty = bare_tty;

	tty.has_serial = true;
	strcpy(tty.serial, "-");
	tty.has_manufacturer = true;
	tty.has_product = true;
	strcpy(tty.product, "-");
	CHECK_OUT(ttys_format_text(&tty, 1),
		  "ttyACM1 166:1 bus 3 devpath 1.4 hub - port 4 1a86:55d4 "
		  "serial \"-\" \"\" \"-\"\n");
	tty.serial[0] = '\0';
	CHECK_OUT(ttys_format_text(&tty, 1),
		  "ttyACM1 166:1 bus 3 devpath 1.4 hub - port 4 1a86:55d4 "
		  "serial \"\" \"\" \"-\"\n");
}

static void ttys_json_is_one_array_with_nulls_for_absent(void)
{
	struct pizwg_tty ttys[2] = { stick, bare_tty };

	CHECK_OUT(json_line(ttys_to_json(ttys, 2)),
		  "[{\"name\":\"ttyACM0\",\"major\":166,\"minor\":0,"
		  "\"busnum\":1,\"devpath\":\"1\",\"device\":\"1-1\","
		  "\"hub\":\"usb1\",\"port\":1,\"vendor_id\":\"0658\","
		  "\"product_id\":\"0200\",\"serial\":\"PIZWG-STICK-0\","
		  "\"manufacturer\":\"PiZWG test\","
		  "\"product\":\"Z-Stick sim\"},"
		  "{\"name\":\"ttyACM1\",\"major\":166,\"minor\":1,"
		  "\"busnum\":3,\"devpath\":\"1.4\",\"device\":\"3-1.4\","
		  "\"hub\":null,\"port\":4,\"vendor_id\":\"1a86\","
		  "\"product_id\":\"55d4\",\"serial\":null,"
		  "\"manufacturer\":null,\"product\":null}]\n");
}

static void ttys_json_escapes_and_replaces_bad_utf8(void)
{
	struct pizwg_tty tty = bare_tty;

	tty.has_product = true;
	strcpy(tty.product, "a/\"b\"\\\n\x01 caf\xc3\xa9 \xff");
	CHECK_OUT(json_line(ttys_to_json(&tty, 1)),
		  "[{\"name\":\"ttyACM1\",\"major\":166,\"minor\":1,"
		  "\"busnum\":3,\"devpath\":\"1.4\",\"device\":\"3-1.4\","
		  "\"hub\":null,\"port\":4,\"vendor_id\":\"1a86\","
		  "\"product_id\":\"55d4\",\"serial\":null,"
		  "\"manufacturer\":null,"
		  "\"product\":\"a/\\\"b\\\"\\\\\\n\\u0001 caf\xc3\xa9 "
		  "\xef\xbf\xbd\"}]\n");
}

static struct pizwg_event tty_event(enum pizwg_event_type type)
{
	struct pizwg_event ev = {
		.type = type,
		.timestamp_ns = 1234000000042ull,
		.cause = PIZWG_CAUSE_REQUEST,
	};

	ev.tty = stick;
	return ev;
}

static struct pizwg_event port_event(void)
{
	struct pizwg_event ev = {
		.type = PIZWG_EVENT_PORT_CHANGED,
		.timestamp_ns = 1240500000000ull,
		.cause = PIZWG_CAUSE_LEASE_EXPIRY,
		.port = { .hub = "usb1", .port = 1 },
	};

	return ev;
}

static void monitor_text_of_tty_events(void)
{
	struct pizwg_event ev = tty_event(PIZWG_EVENT_TTY_ADDED);

	CHECK_OUT(event_format_text(&ev),
		  "1234.000000042 tty-added ttyACM0 hub usb1 port 1 0658:0200 "
		  "serial PIZWG-STICK-0 cause request\n");
	ev.type = PIZWG_EVENT_TTY_REMOVED;
	ev.tty = bare_tty;
	ev.cause = PIZWG_CAUSE_UNPLUG;
	CHECK_OUT(event_format_text(&ev),
		  "1234.000000042 tty-removed ttyACM1 hub - port 4 1a86:55d4 "
		  "cause unplug\n");
}

static void monitor_text_of_port_events(void)
{
	struct pizwg_event ev = port_event();

	CHECK_OUT(event_format_text(&ev),
		  "1240.500000000 port usb1 1 power off leased no "
		  "cause lease-expiry\n");
	ev.port.power = true;
	ev.port.leased = true;
	ev.cause = PIZWG_CAUSE_REQUEST;
	CHECK_OUT(event_format_text(&ev),
		  "1240.500000000 port usb1 1 power on leased yes "
		  "cause request\n");
}

static void monitor_text_names_every_cause(void)
{
	static const char *const names[] = {
		"request", "lease-expiry", "unplug", "unload", "external",
		"reapplied", "hub-gone", "unknown-7",
	};
	struct pizwg_event ev = port_event();
	char want[128];
	uint32_t c;

	for (c = 0; c < 8; c++) {
		ev.cause = c;
		snprintf(want, sizeof(want),
			 "1240.500000000 port usb1 1 power off leased no "
			 "cause %s\n", names[c]);
		CHECK_OUT(event_format_text(&ev), want);
	}
}

static void monitor_text_of_module_events_has_no_cause(void)
{
	struct pizwg_event ev = { .type = PIZWG_EVENT_MODULE_REMOVED,
				  .timestamp_ns = 1 };

	CHECK_OUT(event_format_text(&ev), "0.000000001 module-removed\n");
	ev.type = PIZWG_EVENT_MODULE_ADDED;
	ev.timestamp_ns = 0;
	CHECK_OUT(event_format_text(&ev), "0.000000000 module-added\n");
}

static void monitor_timestamp_covers_the_whole_u64_range(void)
{
	struct pizwg_event ev = { .type = PIZWG_EVENT_MODULE_ADDED,
				  .timestamp_ns = UINT64_MAX };

	CHECK_OUT(event_format_text(&ev),
		  "18446744073.709551615 module-added\n");
	CHECK_OUT(json_line(event_to_json(&ev)),
		  "{\"timestamp\":\"18446744073.709551615\","
		  "\"timestamp_ns\":18446744073709551615,"
		  "\"event\":\"module-added\"}\n");
}

static void monitor_json_of_tty_event_nests_the_tty(void)
{
	struct pizwg_event ev = tty_event(PIZWG_EVENT_TTY_ADDED);

	CHECK_OUT(json_line(event_to_json(&ev)),
		  "{\"timestamp\":\"1234.000000042\","
		  "\"timestamp_ns\":1234000000042,\"event\":\"tty-added\","
		  "\"cause\":\"request\",\"tty\":{\"name\":\"ttyACM0\","
		  "\"major\":166,\"minor\":0,\"busnum\":1,\"devpath\":\"1\","
		  "\"device\":\"1-1\",\"hub\":\"usb1\",\"port\":1,"
		  "\"vendor_id\":\"0658\",\"product_id\":\"0200\","
		  "\"serial\":\"PIZWG-STICK-0\","
		  "\"manufacturer\":\"PiZWG test\","
		  "\"product\":\"Z-Stick sim\"}}\n");
}

static void monitor_json_of_port_event(void)
{
	struct pizwg_event ev = port_event();

	CHECK_OUT(json_line(event_to_json(&ev)),
		  "{\"timestamp\":\"1240.500000000\","
		  "\"timestamp_ns\":1240500000000,\"event\":\"port\","
		  "\"cause\":\"lease-expiry\",\"hub\":\"usb1\",\"port\":1,"
		  "\"power\":false,\"leased\":false}\n");
	ev.cause = 9;
	CHECK_OUT(json_line(event_to_json(&ev)),
		  "{\"timestamp\":\"1240.500000000\","
		  "\"timestamp_ns\":1240500000000,\"event\":\"port\","
		  "\"cause\":\"unknown-9\",\"hub\":\"usb1\",\"port\":1,"
		  "\"power\":false,\"leased\":false}\n");
}

static void monitor_json_of_module_event(void)
{
	struct pizwg_event ev = { .type = PIZWG_EVENT_MODULE_REMOVED,
				  .timestamp_ns = 5000000000ull };

	CHECK_OUT(json_line(event_to_json(&ev)),
		  "{\"timestamp\":\"5.000000000\",\"timestamp_ns\":5000000000,"
		  "\"event\":\"module-removed\"}\n");
}

static void power_output_is_the_port_state(void)
{
	struct pizwg_port_event state = { .hub = "usb1", .port = 1,
					  .power = true };

	CHECK_OUT(power_format_text(&state), "port usb1 1 power on leased no\n");
	CHECK_OUT(json_line(power_to_json(&state)),
		  "{\"hub\":\"usb1\",\"port\":1,\"power\":true,"
		  "\"leased\":false}\n");
	state.power = false;
	CHECK_OUT(power_format_text(&state), "port usb1 1 power off leased no\n");
	state.power = true;
	state.leased = true;
	CHECK_OUT(power_format_text(&state), "port usb1 1 power on leased yes\n");
}

static const struct power_args usb9_1 = { .hub = "usb9", .port = 1 };
static const struct power_args usb1_9 = { .hub = "usb1", .port = 9 };

static void power_errors_name_command_port_and_reason(void)
{
	CHECK_OUT(power_error_line(&usb9_1, NULL, -ENODEV, ""),
		  "pizwgctl: power usb9 1: no such hub");
	CHECK_OUT(power_error_line(&usb1_9, NULL, -EINVAL, NULL),
		  "pizwgctl: power usb1 9: port out of range");
	CHECK_OUT(power_error_line(&usb1_9, NULL, -ERANGE, NULL),
		  "pizwgctl: power usb1 9: port out of range");
	CHECK_OUT(power_error_line(&usb9_1, NULL, -EPERM, NULL),
		  "pizwgctl: power usb9 1: not permitted (needs CAP_NET_ADMIN)");
	CHECK_OUT(power_error_line(&usb9_1, NULL, -EPERM,
				   "port is not in the module's allow list"),
		  "pizwgctl: power usb9 1: not permitted (kernel: port is not "
		  "in the module's allow list)");
	CHECK_OUT(power_error_line(&usb9_1, NULL, -EOPNOTSUPP, NULL),
		  "pizwgctl: power usb9 1: hub has no per-port power "
		  "switching (use --force)");
	CHECK_OUT(power_error_line(&usb9_1, NULL, -EBUSY, NULL),
		  "pizwgctl: power usb9 1: port is leased to another process");
	CHECK_OUT(power_error_line(&usb9_1, NULL, -ETIMEDOUT, NULL),
		  "pizwgctl: power usb9 1: no answer from the pizwg module");
	CHECK_OUT(power_error_line(&usb9_1, NULL, -EIO, NULL),
		  "pizwgctl: power usb9 1: Input/output error");
}

static void power_error_module_not_loaded_is_the_whole_line(void)
{
	CHECK_OUT(power_error_line(&usb9_1, NULL, -EPROTONOSUPPORT, "x"),
		  "pizwgctl: pizwg kernel module not loaded");
	CHECK_OUT(error_line("hubs", -EPROTONOSUPPORT, "whatever", NULL),
		  "pizwgctl: pizwg kernel module not loaded");
}

static void power_error_appends_the_kernels_extack_when_it_says_more(void)
{
	CHECK_OUT(power_error_line(&usb1_9, NULL, -EINVAL,
				   "port out of range for this hub"),
		  "pizwgctl: power usb1 9: port out of range "
		  "(kernel: port out of range for this hub)");
	CHECK_OUT(power_error_line(&usb9_1, NULL, -ENODEV, "no such hub"),
		  "pizwgctl: power usb9 1: no such hub");
	CHECK_OUT(power_error_line(&usb9_1, NULL, -ENODEV, "No such hub"),
		  "pizwgctl: power usb9 1: no such hub");
	CHECK_OUT(power_error_line(&usb9_1, NULL, -EOPNOTSUPP,
				   "hub has no per-port power switching"),
		  "pizwgctl: power usb9 1: hub has no per-port power "
		  "switching (use --force)");
}

static void power_error_of_the_release_says_the_port_goes_off(void)
{
	CHECK_OUT(power_error_line(&usb9_1, "release failed, port goes off "
				   "as pizwgctl exits", -ENOENT,
				   "port is not leased to this socket"),
		  "pizwgctl: power usb9 1: release failed, port goes off as "
		  "pizwgctl exits: port is not leased to this process "
		  "(kernel: port is not leased to this socket)");
}

static void utf8_sequences_are_validated_strictly(void)
{
	CHECK_INT(utf8_seq_len((const unsigned char *)"a", 1), 1);
	CHECK_INT(utf8_seq_len((const unsigned char *)"\xc3\xa9", 2), 2);
	CHECK_INT(utf8_seq_len((const unsigned char *)"\xe2\x82\xac", 3), 3);
	CHECK_INT(utf8_seq_len((const unsigned char *)"\xf0\x9f\x98\x80", 4),
		  4);
	CHECK_INT(utf8_seq_len((const unsigned char *)"\xf4\x8f\xbf\xbf", 4),
		  4);
	/* truncated, stray continuation, overlong, surrogate, too large */
	CHECK_INT(utf8_seq_len((const unsigned char *)"\xc3", 1), 0);
	CHECK_INT(utf8_seq_len((const unsigned char *)"\xe2\x82", 2), 0);
	CHECK_INT(utf8_seq_len((const unsigned char *)"\x80", 1), 0);
	CHECK_INT(utf8_seq_len((const unsigned char *)"\xc0\x80", 2), 0);
	CHECK_INT(utf8_seq_len((const unsigned char *)"\xc1\xbf", 2), 0);
	CHECK_INT(utf8_seq_len((const unsigned char *)"\xe0\x80\x80", 3), 0);
	CHECK_INT(utf8_seq_len((const unsigned char *)"\xf0\x80\x80\x80", 4),
		  0);
	CHECK_INT(utf8_seq_len((const unsigned char *)"\xed\xa0\x80", 3), 0);
	CHECK_INT(utf8_seq_len((const unsigned char *)"\xf4\x90\x80\x80", 4),
		  0);
	CHECK_INT(utf8_seq_len((const unsigned char *)"\xf5\x80\x80\x80", 4),
		  0);
	CHECK_INT(utf8_seq_len((const unsigned char *)"\xc3\x41", 2), 0);
}

static void utf8_sanitize_replaces_each_bad_byte(void)
{
	CHECK_OUT(utf8_sanitize("ok"), "ok");
	CHECK_OUT(utf8_sanitize(""), "");
	CHECK_OUT(utf8_sanitize("\xff\xfe"), "\xef\xbf\xbd\xef\xbf\xbd");
	CHECK_OUT(utf8_sanitize("a\xc3"), "a\xef\xbf\xbd");
	CHECK_OUT(utf8_sanitize("\xe2\x82\xac\xe2\x82"),
		  "\xe2\x82\xac\xef\xbf\xbd\xef\xbf\xbd");
}

static const struct unit_test tests[] = {
	UNIT_TEST(hubs_text_lists_each_hub_then_its_ports),
	UNIT_TEST(hubs_text_of_no_hubs_is_empty),
	UNIT_TEST(hubs_text_names_switching_modes_old_and_new),
	UNIT_TEST(hubs_json_is_one_array_with_every_key),
	UNIT_TEST(hubs_json_of_no_hubs_is_an_empty_array),
	UNIT_TEST(ttys_text_shows_identity_and_usb_strings),
	UNIT_TEST(ttys_text_quotes_and_escapes_odd_strings),
	UNIT_TEST(ttys_text_tells_absent_from_dash_and_empty),
	UNIT_TEST(ttys_json_is_one_array_with_nulls_for_absent),
	UNIT_TEST(ttys_json_escapes_and_replaces_bad_utf8),
	UNIT_TEST(monitor_text_of_tty_events),
	UNIT_TEST(monitor_text_of_port_events),
	UNIT_TEST(monitor_text_names_every_cause),
	UNIT_TEST(monitor_text_of_module_events_has_no_cause),
	UNIT_TEST(monitor_timestamp_covers_the_whole_u64_range),
	UNIT_TEST(monitor_json_of_tty_event_nests_the_tty),
	UNIT_TEST(monitor_json_of_port_event),
	UNIT_TEST(monitor_json_of_module_event),
	UNIT_TEST(power_output_is_the_port_state),
	UNIT_TEST(power_errors_name_command_port_and_reason),
	UNIT_TEST(power_error_module_not_loaded_is_the_whole_line),
	UNIT_TEST(power_error_appends_the_kernels_extack_when_it_says_more),
	UNIT_TEST(power_error_of_the_release_says_the_port_goes_off),
	UNIT_TEST(utf8_sequences_are_validated_strictly),
	UNIT_TEST(utf8_sanitize_replaces_each_bad_byte),
};

int main(void)
{
	return unit_main("test_pizwgctl_format", tests, ARRAY_SIZE(tests));
}
