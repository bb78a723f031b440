// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pizwg netlink client library (userspace/lib/pizwg_genl.c): strict
 * parsing of every reply and notification built byte for byte as the
 * contract in kmod/uapi/pizwg.h describes it, extack extraction, event
 * dispatch, and the request path against the host kernel's own generic
 * netlink controller (the pizwg family itself needs the module: VM tests).
 *
 * The library is included whole to reach its internals.
 */
#include "../../userspace/lib/pizwg_genl.c"

#include "unit.h"

#define FAKE_FAMILY 0x7000

static struct nl_msg *genl_msg(int family, uint8_t cmd)
{
	struct nl_msg *msg;

	msg = nlmsg_alloc();
	if (!msg || !genlmsg_put(msg, 0, 1, family, 0, 0, cmd, 1))
		abort();
	return msg;
}

static struct nl_msg *pizwg_msg(uint8_t cmd)
{
	return genl_msg(FAKE_FAMILY, cmd);
}

static void put_port_nest(struct nl_msg *msg, uint32_t number, uint8_t power,
			  const char *child)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, PIZWG_A_PORT_INFO);
	nla_put_u32(msg, PIZWG_PORT_A_NUMBER, number);
	nla_put_u8(msg, PIZWG_PORT_A_POWER, power);
	nla_put_u8(msg, PIZWG_PORT_A_CONNECTED, !!child);
	if (child)
		nla_put_string(msg, PIZWG_PORT_A_CHILD, child);
	nla_put_u8(msg, PIZWG_PORT_A_LEASED, number == 1);
	/*
	 * Port 1 says it is guarded, port 2 that its power was not read; the
	 * others, as an older module, nothing.
	 */
	if (number == 1)
		nla_put_u8(msg, PIZWG_PORT_A_GUARDED, 1);
	if (number == 2)
		nla_put_u8(msg, PIZWG_PORT_A_POWER_KNOWN, 0);
	nla_nest_end(msg, nest);
}

/* A GET_HUB reply for usb1 with @nports ports, without attribute @omit. */
static struct nl_msg *hub_msg(int omit, uint32_t nports)
{
	struct nl_msg *msg = pizwg_msg(PIZWG_CMD_GET_HUB);
	uint32_t i;

	if (omit != PIZWG_A_HUB)
		nla_put_string(msg, PIZWG_A_HUB, "usb1");
	if (omit != PIZWG_A_BUSNUM)
		nla_put_u32(msg, PIZWG_A_BUSNUM, 1);
	if (omit != PIZWG_A_DEVPATH)
		nla_put_string(msg, PIZWG_A_DEVPATH, "0");
	if (omit != PIZWG_A_VENDOR_ID)
		nla_put_u16(msg, PIZWG_A_VENDOR_ID, 0x1d6b);
	if (omit != PIZWG_A_PRODUCT_ID)
		nla_put_u16(msg, PIZWG_A_PRODUCT_ID, 0x0002);
	if (omit != PIZWG_A_NUM_PORTS)
		nla_put_u32(msg, PIZWG_A_NUM_PORTS, nports);
	if (omit != PIZWG_A_SWITCHING)
		nla_put_u32(msg, PIZWG_A_SWITCHING, PIZWG_SWITCHING_INDIVIDUAL);
	for (i = 1; i <= nports; i++)
		put_port_nest(msg, i, i == 1, i == 1 ? "1-1" : NULL);
	return msg;
}

static void put_tty_attrs(struct nl_msg *msg, int omit, bool strings)
{
	if (omit != PIZWG_A_TTY)
		nla_put_string(msg, PIZWG_A_TTY, "ttyACM0");
	if (omit != PIZWG_A_TTY_MAJOR)
		nla_put_u32(msg, PIZWG_A_TTY_MAJOR, 166);
	if (omit != PIZWG_A_TTY_MINOR)
		nla_put_u32(msg, PIZWG_A_TTY_MINOR, 0);
	if (omit != PIZWG_A_BUSNUM)
		nla_put_u32(msg, PIZWG_A_BUSNUM, 1);
	if (omit != PIZWG_A_DEVPATH)
		nla_put_string(msg, PIZWG_A_DEVPATH, "1");
	if (omit != PIZWG_A_DEVICE)
		nla_put_string(msg, PIZWG_A_DEVICE, "1-1");
	if (omit != PIZWG_A_HUB)
		nla_put_string(msg, PIZWG_A_HUB, "usb1");
	if (omit != PIZWG_A_PORT)
		nla_put_u32(msg, PIZWG_A_PORT, 1);
	if (omit != PIZWG_A_VENDOR_ID)
		nla_put_u16(msg, PIZWG_A_VENDOR_ID, 0x0658);
	if (omit != PIZWG_A_PRODUCT_ID)
		nla_put_u16(msg, PIZWG_A_PRODUCT_ID, 0x0200);
	if (!strings)
		return;
	nla_put_string(msg, PIZWG_A_SERIAL, "PIZWG-STICK-0");
	nla_put_string(msg, PIZWG_A_MANUFACTURER, "PiZWG test");
	nla_put_string(msg, PIZWG_A_PRODUCT, "Z-Stick sim");
}

static struct nl_msg *tty_msg(int omit, bool strings)
{
	struct nl_msg *msg = pizwg_msg(PIZWG_CMD_GET_TTY);

	put_tty_attrs(msg, omit, strings);
	return msg;
}

static void put_event_attrs(struct nl_msg *msg, int omit, uint32_t cause)
{
	if (omit != PIZWG_A_CAUSE)
		nla_put_u32(msg, PIZWG_A_CAUSE, cause);
	if (omit != PIZWG_A_TIMESTAMP)
		nla_put_u64(msg, PIZWG_A_TIMESTAMP, 1234000000042ull);
}

static struct nl_msg *port_event_msg(int omit)
{
	struct nl_msg *msg = pizwg_msg(PIZWG_CMD_PORT_CHANGED);

	if (omit != PIZWG_A_HUB)
		nla_put_string(msg, PIZWG_A_HUB, "usb1");
	if (omit != PIZWG_A_PORT)
		nla_put_u32(msg, PIZWG_A_PORT, 1);
	if (omit != PIZWG_A_POWER)
		nla_put_u8(msg, PIZWG_A_POWER, 0);
	if (omit != PIZWG_A_LEASED)
		nla_put_u8(msg, PIZWG_A_LEASED, 0);
	put_event_attrs(msg, omit, PIZWG_CAUSE_LEASE_EXPIRY);
	return msg;
}

static struct nl_msg *tty_event_msg(uint8_t cmd, int omit)
{
	struct nl_msg *msg = pizwg_msg(cmd);

	put_tty_attrs(msg, omit, true);
	put_event_attrs(msg, omit, PIZWG_CAUSE_REQUEST);
	return msg;
}

static int parse_hub_msg(struct nl_msg *msg, struct pizwg_hub *hub)
{
	int ret = pizwg_parse_hub(nlmsg_hdr(msg), hub);

	nlmsg_free(msg);
	return ret;
}

static int parse_tty_msg(struct nl_msg *msg, struct pizwg_tty *tty)
{
	int ret = pizwg_parse_tty(nlmsg_hdr(msg), tty);

	nlmsg_free(msg);
	return ret;
}

static int parse_event_msg(struct nl_msg *msg, struct pizwg_event *ev)
{
	int ret = pizwg_parse_event(nlmsg_hdr(msg), ev);

	nlmsg_free(msg);
	return ret;
}

static void parse_hub_reads_every_attribute_and_port(void)
{
	struct nl_msg *msg = hub_msg(0, 2);
	struct pizwg_hub hub;

	nla_put_string(msg, PIZWG_A_PEER_HUB, "usb2");
	CHECK_INT(parse_hub_msg(msg, &hub), 0);
	CHECK_STR(hub.name, "usb1");
	CHECK_INT(hub.busnum, 1);
	CHECK_STR(hub.devpath, "0");
	CHECK_INT(hub.vendor_id, 0x1d6b);
	CHECK_INT(hub.product_id, 0x0002);
	CHECK_INT(hub.num_ports, 2);
	CHECK_INT(hub.switching, PIZWG_SWITCHING_INDIVIDUAL);
	CHECK_STR(hub.peer_hub, "usb2");
	CHECK_INT(hub.nports, 2);
	CHECK_INT(hub.ports[0].number, 1);
	CHECK(hub.ports[0].power && hub.ports[0].connected &&
	      hub.ports[0].leased && hub.ports[0].guarded);
	CHECK_STR(hub.ports[0].child, "1-1");
	CHECK_INT(hub.ports[1].number, 2);
	CHECK(!hub.ports[1].power && !hub.ports[1].connected &&
	      !hub.ports[1].leased && !hub.ports[1].guarded);
	CHECK_STR(hub.ports[1].child, "");
}

static void parse_hub_without_peer_leaves_it_empty(void)
{
	struct pizwg_hub hub;

	CHECK_INT(parse_hub_msg(hub_msg(0, 1), &hub), 0);
	CHECK_STR(hub.peer_hub, "");
}

static void parse_hub_with_no_ports_is_valid(void)
{
	struct pizwg_hub hub;

	CHECK_INT(parse_hub_msg(hub_msg(0, 0), &hub), 0);
	CHECK_INT(hub.nports, 0);
}

static void parse_hub_missing_any_required_attribute_is_eproto(void)
{
	struct pizwg_hub hub;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hub_required); i++)
		CHECK_INT(parse_hub_msg(hub_msg(hub_required[i], 0), &hub),
			  -EPROTO);
}

static void parse_hub_integer_of_wrong_size_is_eproto(void)
{
	struct nl_msg *msg = hub_msg(PIZWG_A_BUSNUM, 0);
	struct pizwg_hub hub;

	nla_put_u64(msg, PIZWG_A_BUSNUM, 1);
	CHECK_INT(parse_hub_msg(msg, &hub), -EPROTO);
	msg = hub_msg(PIZWG_A_VENDOR_ID, 0);
	nla_put_u8(msg, PIZWG_A_VENDOR_ID, 1);
	CHECK_INT(parse_hub_msg(msg, &hub), -EPROTO);
}

static void parse_hub_string_without_nul_is_eproto(void)
{
	struct nl_msg *msg = hub_msg(PIZWG_A_HUB, 0);
	struct pizwg_hub hub;

	nla_put(msg, PIZWG_A_HUB, 4, "usb1");
	CHECK_INT(parse_hub_msg(msg, &hub), -EPROTO);
}

static void parse_hub_string_with_inner_nul_is_eproto(void)
{
	struct nl_msg *msg = hub_msg(PIZWG_A_HUB, 0);
	struct pizwg_hub hub;

	nla_put(msg, PIZWG_A_HUB, 6, "usb\0x");
	CHECK_INT(parse_hub_msg(msg, &hub), -EPROTO);
}

static void parse_hub_name_of_32_bytes_is_eproto(void)
{
	char name[PIZWG_NAME_MAX + 1];
	struct nl_msg *msg = hub_msg(PIZWG_A_HUB, 0);
	struct pizwg_hub hub;

	memset(name, 'a', PIZWG_NAME_MAX);
	name[PIZWG_NAME_MAX] = '\0';
	nla_put_string(msg, PIZWG_A_HUB, name);
	CHECK_INT(parse_hub_msg(msg, &hub), -EPROTO);
}

static void parse_hub_name_of_31_bytes_fits(void)
{
	char name[PIZWG_NAME_MAX];
	struct nl_msg *msg = hub_msg(PIZWG_A_HUB, 0);
	struct pizwg_hub hub;

	memset(name, 'a', PIZWG_NAME_MAX - 1);
	name[PIZWG_NAME_MAX - 1] = '\0';
	nla_put_string(msg, PIZWG_A_HUB, name);
	CHECK_INT(parse_hub_msg(msg, &hub), 0);
	CHECK_STR(hub.name, name);
}

static void parse_hub_ignores_attributes_of_a_newer_kernel(void)
{
	struct nl_msg *msg = pizwg_msg(PIZWG_CMD_GET_HUB);
	struct pizwg_hub hub;
	struct nlattr *nest;

	nla_put_u64(msg, PIZWG_A_MAX + 1, 7);
	nla_put_string(msg, PIZWG_A_HUB, "usb1");
	nla_put_u32(msg, PIZWG_A_BUSNUM, 1);
	nla_put_string(msg, PIZWG_A_DEVPATH, "0");
	nla_put_u16(msg, PIZWG_A_VENDOR_ID, 0x1d6b);
	nla_put_u16(msg, PIZWG_A_PRODUCT_ID, 2);
	nla_put_u32(msg, PIZWG_A_NUM_PORTS, 1);
	nla_put_u32(msg, PIZWG_A_SWITCHING, PIZWG_SWITCHING_GANGED);
	nest = nla_nest_start(msg, PIZWG_A_PORT_INFO);
	nla_put_u32(msg, PIZWG_PORT_A_NUMBER, 1);
	nla_put_u8(msg, PIZWG_PORT_A_POWER, 1);
	nla_put_u8(msg, PIZWG_PORT_A_CONNECTED, 0);
	nla_put_u8(msg, PIZWG_PORT_A_LEASED, 0);
	nla_put_string(msg, PIZWG_PORT_A_MAX + 1, "future");
	nla_nest_end(msg, nest);
	CHECK_INT(parse_hub_msg(msg, &hub), 0);
	CHECK_INT(hub.switching, PIZWG_SWITCHING_GANGED);
	CHECK_INT(hub.nports, 1);
	CHECK(hub.ports[0].power);
}

static void parse_hub_keeps_a_switching_mode_it_does_not_know(void)
{
	struct nl_msg *msg = hub_msg(PIZWG_A_SWITCHING, 0);
	struct pizwg_hub hub;

	nla_put_u32(msg, PIZWG_A_SWITCHING, 9);
	CHECK_INT(parse_hub_msg(msg, &hub), 0);
	CHECK_INT(hub.switching, 9);
}

static void parse_hub_fewer_ports_than_announced_is_eproto(void)
{
	struct nl_msg *msg = hub_msg(PIZWG_A_NUM_PORTS, 1);
	struct pizwg_hub hub;

	nla_put_u32(msg, PIZWG_A_NUM_PORTS, 2);
	CHECK_INT(parse_hub_msg(msg, &hub), -EPROTO);
}

static void parse_hub_ports_out_of_order_is_eproto(void)
{
	struct nl_msg *msg = hub_msg(0, 0);
	struct pizwg_hub hub;

	nla_put_u32(msg, PIZWG_A_NUM_PORTS, 2);	/* the later one counts */
	put_port_nest(msg, 2, 0, NULL);
	put_port_nest(msg, 1, 0, NULL);
	CHECK_INT(parse_hub_msg(msg, &hub), -EPROTO);
}

static void parse_hub_more_than_31_ports_is_eproto(void)
{
	struct pizwg_hub hub;

	CHECK_INT(parse_hub_msg(hub_msg(0, PIZWG_PORTS_MAX), &hub), 0);
	CHECK_INT(hub.nports, PIZWG_PORTS_MAX);
	CHECK_INT(parse_hub_msg(hub_msg(0, PIZWG_PORTS_MAX + 1), &hub),
		  -EPROTO);
}

static void parse_hub_port_missing_required_attribute_is_eproto(void)
{
	struct nl_msg *msg = hub_msg(0, 0);
	struct pizwg_hub hub;
	struct nlattr *nest;

	nla_put_u32(msg, PIZWG_A_NUM_PORTS, 1);
	nest = nla_nest_start(msg, PIZWG_A_PORT_INFO);
	nla_put_u32(msg, PIZWG_PORT_A_NUMBER, 1);
	nla_put_u8(msg, PIZWG_PORT_A_POWER, 1);
	nla_put_u8(msg, PIZWG_PORT_A_CONNECTED, 0);
	nla_nest_end(msg, nest);
	CHECK_INT(parse_hub_msg(msg, &hub), -EPROTO);
}

static void parse_hub_flag_other_than_0_or_1_is_eproto(void)
{
	struct nl_msg *msg = hub_msg(0, 0);
	struct pizwg_hub hub;

	nla_put_u32(msg, PIZWG_A_NUM_PORTS, 1);
	put_port_nest(msg, 1, 2, NULL);
	CHECK_INT(parse_hub_msg(msg, &hub), -EPROTO);
}

static void parse_hub_power_known_defaults_to_read(void)
{
	struct pizwg_hub hub;

	CHECK_INT(parse_hub_msg(hub_msg(0, 3), &hub), 0);
	CHECK(hub.ports[0].power_known);
	CHECK(!hub.ports[1].power_known);
	/* An older module reads every port it reports. */
	CHECK(hub.ports[2].power_known);
}

static void parse_hub_power_known_other_than_0_or_1_is_eproto(void)
{
	struct nl_msg *msg = hub_msg(0, 0);
	struct nlattr *nest;
	struct pizwg_hub hub;

	nla_put_u32(msg, PIZWG_A_NUM_PORTS, 1);
	nest = nla_nest_start(msg, PIZWG_A_PORT_INFO);
	nla_put_u32(msg, PIZWG_PORT_A_NUMBER, 1);
	nla_put_u8(msg, PIZWG_PORT_A_POWER, 1);
	nla_put_u8(msg, PIZWG_PORT_A_CONNECTED, 0);
	nla_put_u8(msg, PIZWG_PORT_A_LEASED, 0);
	nla_put_u8(msg, PIZWG_PORT_A_POWER_KNOWN, 2);
	nla_nest_end(msg, nest);
	CHECK_INT(parse_hub_msg(msg, &hub), -EPROTO);
}

static void parse_hub_of_another_command_is_eproto(void)
{
	struct nl_msg *msg = pizwg_msg(PIZWG_CMD_GET_TTY);
	struct pizwg_hub hub;

	nla_put_string(msg, PIZWG_A_HUB, "usb1");
	nla_put_u32(msg, PIZWG_A_BUSNUM, 1);
	nla_put_string(msg, PIZWG_A_DEVPATH, "0");
	nla_put_u16(msg, PIZWG_A_VENDOR_ID, 0x1d6b);
	nla_put_u16(msg, PIZWG_A_PRODUCT_ID, 2);
	nla_put_u32(msg, PIZWG_A_NUM_PORTS, 0);
	nla_put_u32(msg, PIZWG_A_SWITCHING, 0);
	CHECK_INT(parse_hub_msg(msg, &hub), -EPROTO);
}

static void parse_message_shorter_than_genl_header_is_eproto(void)
{
	struct nl_msg *msg = nlmsg_alloc_simple(FAKE_FAMILY, 0);
	struct pizwg_hub hub;

	CHECK_INT(parse_hub_msg(msg, &hub), -EPROTO);
}

static void parse_tty_reads_every_attribute(void)
{
	struct pizwg_tty tty;

	CHECK_INT(parse_tty_msg(tty_msg(0, true), &tty), 0);
	CHECK_STR(tty.name, "ttyACM0");
	CHECK_INT(tty.major, 166);
	CHECK_INT(tty.minor, 0);
	CHECK_INT(tty.busnum, 1);
	CHECK_STR(tty.devpath, "1");
	CHECK_STR(tty.device, "1-1");
	CHECK_STR(tty.hub, "usb1");
	CHECK_INT(tty.port, 1);
	CHECK_INT(tty.vendor_id, 0x0658);
	CHECK_INT(tty.product_id, 0x0200);
	CHECK(tty.has_serial && tty.has_manufacturer && tty.has_product);
	CHECK_STR(tty.serial, "PIZWG-STICK-0");
	CHECK_STR(tty.manufacturer, "PiZWG test");
	CHECK_STR(tty.product, "Z-Stick sim");
}

static void parse_tty_without_usb_strings_marks_them_absent(void)
{
	struct pizwg_tty tty;

	CHECK_INT(parse_tty_msg(tty_msg(0, false), &tty), 0);
	CHECK(!tty.has_serial && !tty.has_manufacturer && !tty.has_product);
	CHECK_STR(tty.serial, "");
}

static void parse_tty_empty_serial_is_present(void)
{
	struct nl_msg *msg = tty_msg(0, false);
	struct pizwg_tty tty;

	nla_put_string(msg, PIZWG_A_SERIAL, "");
	CHECK_INT(parse_tty_msg(msg, &tty), 0);
	CHECK(tty.has_serial);
	CHECK_STR(tty.serial, "");
}

static void parse_tty_without_hub_leaves_it_empty(void)
{
	struct pizwg_tty tty;

	CHECK_INT(parse_tty_msg(tty_msg(PIZWG_A_HUB, false), &tty), 0);
	CHECK_STR(tty.hub, "");
}

static void parse_tty_missing_any_required_attribute_is_eproto(void)
{
	struct pizwg_tty tty;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tty_required); i++)
		CHECK_INT(parse_tty_msg(tty_msg(tty_required[i], true), &tty),
			  -EPROTO);
}

static void parse_tty_usb_string_of_128_bytes_is_eproto(void)
{
	char s[PIZWG_STRING_MAX + 1];
	struct nl_msg *msg = tty_msg(0, false);
	struct pizwg_tty tty;

	memset(s, 'p', PIZWG_STRING_MAX);
	s[PIZWG_STRING_MAX] = '\0';
	nla_put_string(msg, PIZWG_A_PRODUCT, s);
	CHECK_INT(parse_tty_msg(msg, &tty), -EPROTO);
}

static void parse_event_tty_added_and_removed(void)
{
	struct pizwg_event ev;

	CHECK_INT(parse_event_msg(tty_event_msg(PIZWG_CMD_TTY_ADDED, 0), &ev),
		  0);
	CHECK_INT(ev.type, PIZWG_EVENT_TTY_ADDED);
	CHECK_INT(ev.timestamp_ns, 1234000000042ull);
	CHECK_INT(ev.cause, PIZWG_CAUSE_REQUEST);
	CHECK_STR(ev.tty.name, "ttyACM0");
	CHECK_STR(ev.tty.serial, "PIZWG-STICK-0");
	CHECK_INT(parse_event_msg(tty_event_msg(PIZWG_CMD_TTY_REMOVED, 0),
				  &ev), 0);
	CHECK_INT(ev.type, PIZWG_EVENT_TTY_REMOVED);
}

static void parse_event_port_changed(void)
{
	struct pizwg_event ev;

	CHECK_INT(parse_event_msg(port_event_msg(0), &ev), 0);
	CHECK_INT(ev.type, PIZWG_EVENT_PORT_CHANGED);
	CHECK_INT(ev.cause, PIZWG_CAUSE_LEASE_EXPIRY);
	CHECK_STR(ev.port.hub, "usb1");
	CHECK_INT(ev.port.port, 1);
	CHECK(!ev.port.power && !ev.port.leased);
}

static void parse_event_timestamp_after_pad_attribute(void)
{
	struct nl_msg *msg = pizwg_msg(PIZWG_CMD_PORT_CHANGED);
	struct pizwg_event ev;

	nla_put_string(msg, PIZWG_A_HUB, "usb1");
	nla_put_u32(msg, PIZWG_A_PORT, 1);
	nla_put_u8(msg, PIZWG_A_POWER, 1);
	nla_put_u8(msg, PIZWG_A_LEASED, 1);
	nla_put_u32(msg, PIZWG_A_CAUSE, PIZWG_CAUSE_REQUEST);
	nla_put(msg, PIZWG_A_PAD, 0, NULL);
	nla_put_u64(msg, PIZWG_A_TIMESTAMP, 5);
	CHECK_INT(parse_event_msg(msg, &ev), 0);
	CHECK_INT(ev.timestamp_ns, 5);
	CHECK(ev.port.power && ev.port.leased);
}

static void parse_event_missing_any_required_attribute_is_eproto(void)
{
	static const int tty_event[] = { PIZWG_A_TIMESTAMP, PIZWG_A_CAUSE,
					 PIZWG_A_TTY, PIZWG_A_DEVICE };
	struct pizwg_event ev;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(port_event_required); i++)
		CHECK_INT(parse_event_msg(port_event_msg(port_event_required[i]),
					  &ev), -EPROTO);
	for (i = 0; i < ARRAY_SIZE(event_required); i++)
		CHECK_INT(parse_event_msg(port_event_msg(event_required[i]),
					  &ev), -EPROTO);
	for (i = 0; i < ARRAY_SIZE(tty_event); i++)
		CHECK_INT(parse_event_msg(tty_event_msg(PIZWG_CMD_TTY_ADDED,
							tty_event[i]), &ev),
			  -EPROTO);
}

static void parse_event_of_a_newer_command_is_enomsg(void)
{
	struct pizwg_event ev;

	CHECK_INT(parse_event_msg(pizwg_msg(PIZWG_CMD_MAX + 1), &ev), -ENOMSG);
}

static void parse_event_of_a_reply_command_is_eproto(void)
{
	struct pizwg_event ev;

	CHECK_INT(parse_event_msg(tty_msg(0, true), &ev), -EPROTO);
}

static void parse_event_keeps_a_cause_it_does_not_know(void)
{
	struct nl_msg *msg = pizwg_msg(PIZWG_CMD_PORT_CHANGED);
	struct pizwg_event ev;

	nla_put_string(msg, PIZWG_A_HUB, "usb1");
	nla_put_u32(msg, PIZWG_A_PORT, 1);
	nla_put_u8(msg, PIZWG_A_POWER, 1);
	nla_put_u8(msg, PIZWG_A_LEASED, 0);
	put_event_attrs(msg, 0, 77);
	CHECK_INT(parse_event_msg(msg, &ev), 0);
	CHECK_INT(ev.cause, 77);
}

static struct nl_msg *done_msg(int omit, uint32_t err, const char *text)
{
	struct nl_msg *msg = pizwg_msg(PIZWG_CMD_SET_PORT_DONE);

	if (omit != PIZWG_A_HUB)
		nla_put_string(msg, PIZWG_A_HUB, "usb1");
	if (omit != PIZWG_A_PORT)
		nla_put_u32(msg, PIZWG_A_PORT, 1);
	if (omit != PIZWG_A_ACTION)
		nla_put_u32(msg, PIZWG_A_ACTION, PIZWG_ACTION_CYCLE);
	if (omit != PIZWG_A_ERRNO)
		nla_put_u32(msg, PIZWG_A_ERRNO, err);
	if (text)
		nla_put_string(msg, PIZWG_A_ERROR_MSG, text);
	return msg;
}

static int parse_done_msg(struct nl_msg *msg, struct pizwg_set_port_done *d)
{
	int ret = pizwg_parse_set_port_done(nlmsg_hdr(msg), d);

	nlmsg_free(msg);
	return ret;
}

static void parse_done_of_a_success(void)
{
	struct pizwg_set_port_done d;

	CHECK_INT(parse_done_msg(done_msg(0, 0, NULL), &d), 0);
	CHECK_INT(d.err, 0);
	CHECK_STR(d.hub, "usb1");
	CHECK_INT(d.port, 1);
	CHECK_INT(d.action, PIZWG_ACTION_CYCLE);
	CHECK_STR(d.msg, "");
}

static void parse_done_of_a_failure_gives_errno_and_message(void)
{
	struct pizwg_set_port_done d;

	CHECK_INT(parse_done_msg(done_msg(0, ECANCELED, "superseded"), &d), 0);
	CHECK_INT(d.err, -ECANCELED);
	CHECK_STR(d.msg, "superseded");
}

static void parse_done_missing_any_required_attribute_is_eproto(void)
{
	static const int attrs[] = {
		PIZWG_A_HUB, PIZWG_A_PORT, PIZWG_A_ACTION, PIZWG_A_ERRNO,
	};
	struct pizwg_set_port_done d;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(attrs); i++)
		CHECK_INT(parse_done_msg(done_msg(attrs[i], 0, NULL), &d),
			  -EPROTO);
}

static void parse_done_errno_beyond_the_kernel_range_is_eproto(void)
{
	struct pizwg_set_port_done d;

	CHECK_INT(parse_done_msg(done_msg(0, 4096, NULL), &d), -EPROTO);
	CHECK_INT(parse_done_msg(done_msg(0, UINT32_MAX, NULL), &d), -EPROTO);
}

static void parse_done_of_another_command_is_eproto(void)
{
	struct pizwg_set_port_done d;

	CHECK_INT(parse_done_msg(tty_msg(0, true), &d), -EPROTO);
}

static void parse_done_message_of_256_bytes_is_eproto(void)
{
	struct pizwg_set_port_done d;
	char text[257];

	memset(text, 'x', 256);
	text[256] = '\0';
	CHECK_INT(parse_done_msg(done_msg(0, EIO, text), &d), -EPROTO);
	text[255] = '\0';
	CHECK_INT(parse_done_msg(done_msg(0, EIO, text), &d), 0);
	CHECK_INT((int)strlen(d.msg), 255);
}

static void parse_event_of_a_done_is_eproto(void)
{
	struct pizwg_event ev;

	CHECK_INT(parse_event_msg(done_msg(0, 0, NULL), &ev), -EPROTO);
}

/* An NLMSG_ERROR as the kernel builds it: @echo payload bytes echoed back. */
static struct nl_msg *error_msg(int err, int echo, bool capped,
				const char *text)
{
	struct nlmsgerr e = { .error = err };
	struct nl_msg *msg;
	char pad[64] = { 0 };

	msg = nlmsg_alloc_simple(NLMSG_ERROR, NLM_F_ACK_TLVS |
				 (capped ? NLM_F_CAPPED : 0));
	e.msg.nlmsg_len = NLMSG_HDRLEN + echo;
	e.msg.nlmsg_type = FAKE_FAMILY;
	nlmsg_append(msg, &e, sizeof(e), NLMSG_ALIGNTO);
	if (!capped && echo)
		nlmsg_append(msg, pad, echo, NLMSG_ALIGNTO);
	if (text)
		nla_put_string(msg, NLMSGERR_ATTR_MSG, text);
	nla_put_u32(msg, NLMSGERR_ATTR_OFFS, 20);
	return msg;
}

static void extack(struct nl_msg *msg, char *buf, size_t len)
{
	pizwg_parse_extack(nlmsg_hdr(msg), buf, len);
	nlmsg_free(msg);
}

static void extack_of_a_capped_error(void)
{
	char buf[PIZWG_EXTACK_MAX];

	extack(error_msg(-ENODEV, 24, true, "no such hub"), buf, sizeof(buf));
	CHECK_STR(buf, "no such hub");
}

static void extack_after_an_echoed_request_of_any_length(void)
{
	char buf[PIZWG_EXTACK_MAX];
	int echo;

	for (echo = 0; echo < 12; echo++) {
		extack(error_msg(-EINVAL, echo, false, "port out of range"),
		       buf, sizeof(buf));
		CHECK_STR(buf, "port out of range");
	}
}

static void extack_of_a_failed_dump(void)
{
	char buf[PIZWG_EXTACK_MAX];
	int err = -EMSGSIZE;
	struct nl_msg *msg;

	msg = nlmsg_alloc_simple(NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS);
	nlmsg_append(msg, &err, sizeof(err), NLMSG_ALIGNTO);
	nla_put_string(msg, NLMSGERR_ATTR_MSG, "dump failed");
	extack(msg, buf, sizeof(buf));
	CHECK_STR(buf, "dump failed");
}

static void extack_is_empty_without_its_flag(void)
{
	char buf[PIZWG_EXTACK_MAX] = "stale";
	struct nl_msg *msg;

	msg = error_msg(-EPERM, 0, true, "not this one");
	nlmsg_hdr(msg)->nlmsg_flags &= ~NLM_F_ACK_TLVS;
	extack(msg, buf, sizeof(buf));
	CHECK_STR(buf, "");
}

static void extack_is_empty_when_the_error_has_none(void)
{
	char buf[PIZWG_EXTACK_MAX];

	extack(error_msg(-EPERM, 0, true, NULL), buf, sizeof(buf));
	CHECK_STR(buf, "");
}

static void extack_is_empty_when_the_echo_claims_too_much(void)
{
	char buf[PIZWG_EXTACK_MAX];
	struct nl_msg *msg;
	struct nlmsgerr *e;

	msg = error_msg(-EINVAL, 4, false, "x");
	e = nlmsg_data(nlmsg_hdr(msg));
	e->msg.nlmsg_len = 4096;
	extack(msg, buf, sizeof(buf));
	CHECK_STR(buf, "");
}

static void extack_longer_than_the_buffer_is_truncated(void)
{
	char buf[8];

	extack(error_msg(-EINVAL, 0, true, "a long message"), buf,
	       sizeof(buf));
	CHECK_STR(buf, "a long ");
}

/*
 * Live tests against the host kernel's generic netlink controller, which
 * stands in for the pizwg family: same request path, same socket options.
 */
static struct pizwg_genl *open_nlctrl(void)
{
	struct pizwg_genl *g;
	int ret;

	ret = genl_open(&g, CTRL_FAMILY_NAME, CTRL_GROUP_NOTIFY);
	CHECK_INT(ret, 0);
	return g;
}

/* Family names are at most 15 bytes (GENL_NAMSIZ). */
static void open_of_a_missing_family_says_module_not_loaded(void)
{
	struct pizwg_genl *g = (void *)1;

	CHECK_INT(genl_open(&g, "pizwg-absent", "events"),
		  -EPROTONOSUPPORT);
	CHECK(!g);
	CHECK_STR(pizwg_genl_strerror(-EPROTONOSUPPORT),
		  "pizwg kernel module not loaded");
}

static void open_of_a_family_without_the_group_is_eproto(void)
{
	struct pizwg_genl *g;

	CHECK_INT(genl_open(&g, CTRL_FAMILY_NAME, "no-such-group"), -EPROTO);
}

static void open_resolves_family_id_and_group(void)
{
	struct pizwg_genl *g = open_nlctrl();

	CHECK_INT(g->family, GENL_ID_CTRL);
	/* nlctrl is version 2: what SET_PORT's PIZWG_A_ASYNC is keyed on. */
	CHECK_INT(g->version, 2);
	CHECK(g->events_group > 0);
	CHECK_STR(pizwg_genl_extack(g), "");
	pizwg_genl_close(g);
}

static int count_reply(struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	(*(int *)arg)++;
	return 0;
}

static void dump_request_collects_every_reply(void)
{
	struct pizwg_genl *g = open_nlctrl();
	struct nl_msg *msg;
	int n = 0;

	msg = new_msg(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_DUMP, 1);
	CHECK_INT(request(g, msg, count_reply, &n), 0);
	nlmsg_free(msg);
	CHECK(n >= 1);
	/* the socket is in step for the next request */
	msg = new_msg(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_DUMP, 1);
	n = 0;
	CHECK_INT(request(g, msg, count_reply, &n), 0);
	nlmsg_free(msg);
	CHECK(n >= 1);
	pizwg_genl_close(g);
}

/* A u32 where the controller's strict policy wants a u16. */
static void kernel_error_comes_with_its_extack(void)
{
	struct pizwg_genl *g = open_nlctrl();
	struct nl_msg *msg;
	int n = 0;

	msg = new_msg(GENL_ID_CTRL, CTRL_CMD_GETPOLICY, NLM_F_DUMP, 1);
	nla_put_u32(msg, CTRL_ATTR_FAMILY_ID, GENL_ID_CTRL);
	CHECK_INT(request(g, msg, count_reply, &n), -EINVAL);
	nlmsg_free(msg);
	CHECK_INT(n, 0);
	CHECK(pizwg_genl_extack(g)[0] != '\0');
	/* the next request starts with a clean extack */
	msg = new_msg(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_DUMP, 1);
	CHECK_INT(request(g, msg, count_reply, &n), 0);
	nlmsg_free(msg);
	CHECK_STR(pizwg_genl_extack(g), "");
	pizwg_genl_close(g);
}

static void requests_after_module_removal_say_module_not_loaded(void)
{
	struct pizwg_genl *g = open_nlctrl();
	struct pizwg_power_req req = { .hub = "usb1", .port = 1 };
	struct pizwg_hub *hubs, hub;
	struct pizwg_tty *ttys, tty;
	size_t n;

	g->family = 0;
	CHECK_INT(pizwg_genl_get_hubs(g, &hubs, &n), -EPROTONOSUPPORT);
	CHECK_INT(pizwg_genl_get_hub(g, "usb1", &hub), -EPROTONOSUPPORT);
	CHECK_INT(pizwg_genl_get_ttys(g, &ttys, &n), -EPROTONOSUPPORT);
	CHECK_INT(pizwg_genl_get_tty(g, "ttyACM0", &tty), -EPROTONOSUPPORT);
	CHECK_INT(pizwg_genl_set_port(g, &req), -EPROTONOSUPPORT);
	CHECK_INT(pizwg_genl_release_port(g, "usb1", 1), -EPROTONOSUPPORT);
	pizwg_genl_close(g);
}

static void names_of_32_bytes_are_refused_before_sending(void)
{
	struct pizwg_genl *g = open_nlctrl();
	char name[PIZWG_NAME_MAX + 1];
	struct pizwg_power_req req = { .hub = name, .port = 1 };
	struct pizwg_hub hub;

	memset(name, 'a', PIZWG_NAME_MAX);
	name[PIZWG_NAME_MAX] = '\0';
	CHECK_INT(pizwg_genl_get_hub(g, name, &hub), -EINVAL);
	CHECK_INT(pizwg_genl_set_port(g, &req), -EINVAL);
	CHECK_INT(pizwg_genl_release_port(g, name, 1), -EINVAL);
	pizwg_genl_close(g);
}

static void subscribed_handle_has_a_quiet_pollable_fd(void)
{
	struct pizwg_genl *g = open_nlctrl();

	CHECK_INT(pizwg_genl_event_fd(g), -1);
	CHECK_INT(pizwg_genl_process_events(g, NULL, NULL), -EINVAL);
	CHECK_INT(pizwg_genl_subscribe(g), 0);
	CHECK(pizwg_genl_event_fd(g) >= 0);
	CHECK_INT(pizwg_genl_subscribe(g), 0);	/* idempotent */
	CHECK_INT(pizwg_genl_process_events(g, NULL, NULL), 0);
	pizwg_genl_close(g);
}

/* Event dispatch, fed with datagrams written straight into the buffer. */
struct seen {
	int n;
	struct pizwg_event ev[4];
};

static void record(const struct pizwg_event *ev, void *arg)
{
	struct seen *s = arg;

	if (s->n < 4)
		s->ev[s->n] = *ev;
	s->n++;
}

/* A handle that takes nlctrl's notify group for pizwg's events group. */
static struct pizwg_genl *fake_pizwg(void)
{
	struct pizwg_genl *g = open_nlctrl();

	CHECK_INT(pizwg_genl_subscribe(g), 0);
	g->family_name = PIZWG_GENL_NAME;
	g->group_name = PIZWG_GENL_MCGRP_EVENTS;
	g->family = FAKE_FAMILY;
	return g;
}

static int datagram_len;

static void datagram_add(struct pizwg_genl *g, struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	memcpy(g->evbuf + datagram_len, nlh, nlh->nlmsg_len);
	datagram_len += NLMSG_ALIGN(nlh->nlmsg_len);
	nlmsg_free(msg);
}

static int datagram_deliver(struct pizwg_genl *g, struct seen *s)
{
	struct delivery d = { .fn = record, .arg = s };
	int before = s->n;
	int ret;

	ret = deliver_datagram(g, datagram_len, &d);
	datagram_len = 0;
	CHECK_INT(d.count, s->n - before);
	return ret;
}

static struct nl_msg *ctrl_family_msg(uint8_t cmd, const char *name,
				      int id, int group_id)
{
	struct nl_msg *msg = genl_msg(GENL_ID_CTRL, cmd);
	struct nlattr *groups, *grp;

	nla_put_u16(msg, CTRL_ATTR_FAMILY_ID, id);
	nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, name);
	nla_put_u32(msg, CTRL_ATTR_VERSION, 1);
	groups = nla_nest_start(msg, CTRL_ATTR_MCAST_GROUPS);
	grp = nla_nest_start(msg, 1);
	nla_put_string(msg, CTRL_ATTR_MCAST_GRP_NAME, "events");
	nla_put_u32(msg, CTRL_ATTR_MCAST_GRP_ID, group_id);
	nla_nest_end(msg, grp);
	nla_nest_end(msg, groups);
	return msg;
}

static void events_of_one_datagram_are_delivered_in_order(void)
{
	struct pizwg_genl *g = fake_pizwg();
	struct seen s = { 0 };

	datagram_add(g, port_event_msg(0));
	datagram_add(g, tty_event_msg(PIZWG_CMD_TTY_REMOVED, 0));
	CHECK_INT(datagram_deliver(g, &s), 0);
	CHECK_INT(s.n, 2);
	CHECK_INT(s.ev[0].type, PIZWG_EVENT_PORT_CHANGED);
	CHECK_INT(s.ev[1].type, PIZWG_EVENT_TTY_REMOVED);
	pizwg_genl_close(g);
}

static void events_of_other_families_and_newer_commands_are_skipped(void)
{
	struct pizwg_genl *g = fake_pizwg();
	struct seen s = { 0 };

	datagram_add(g, genl_msg(FAKE_FAMILY + 1, PIZWG_CMD_PORT_CHANGED));
	datagram_add(g, pizwg_msg(PIZWG_CMD_MAX + 1));
	datagram_add(g, ctrl_family_msg(CTRL_CMD_NEWFAMILY, "other", 0x7001,
					g->events_group));
	datagram_add(g, genl_msg(GENL_ID_CTRL, CTRL_CMD_NEWMCAST_GRP));
	CHECK_INT(datagram_deliver(g, &s), 0);
	CHECK_INT(s.n, 0);
	CHECK_INT(g->family, FAKE_FAMILY);
	pizwg_genl_close(g);
}

static void malformed_event_is_eproto_and_the_next_still_arrives(void)
{
	struct pizwg_genl *g = fake_pizwg();
	struct seen s = { 0 };

	datagram_add(g, port_event_msg(PIZWG_A_TIMESTAMP));
	datagram_add(g, port_event_msg(0));
	CHECK_INT(datagram_deliver(g, &s), -EPROTO);
	CHECK_INT(s.n, 1);
	CHECK_INT(s.ev[0].type, PIZWG_EVENT_PORT_CHANGED);
	pizwg_genl_close(g);
}

static void trailing_bytes_after_the_last_message_are_eproto(void)
{
	struct pizwg_genl *g = fake_pizwg();
	struct seen s = { 0 };

	datagram_add(g, port_event_msg(0));
	memset(g->evbuf + datagram_len, 0, 8);
	datagram_len += 8;
	CHECK_INT(datagram_deliver(g, &s), -EPROTO);
	CHECK_INT(s.n, 1);
	pizwg_genl_close(g);
}

static void module_unload_and_reload_are_events(void)
{
	struct pizwg_genl *g = fake_pizwg();
	int group = g->events_group;
	struct seen s = { 0 };

	datagram_add(g, ctrl_family_msg(CTRL_CMD_DELFAMILY, PIZWG_GENL_NAME,
					FAKE_FAMILY, group));
	CHECK_INT(datagram_deliver(g, &s), 0);
	CHECK_INT(s.n, 1);
	CHECK_INT(s.ev[0].type, PIZWG_EVENT_MODULE_REMOVED);
	CHECK(s.ev[0].timestamp_ns > 0);
	CHECK_INT(g->family, 0);
	/* a notification with the old id is no longer ours */
	datagram_add(g, port_event_msg(0));
	CHECK_INT(datagram_deliver(g, &s), 0);
	CHECK_INT(s.n, 1);
	datagram_add(g, ctrl_family_msg(CTRL_CMD_NEWFAMILY, PIZWG_GENL_NAME,
					FAKE_FAMILY + 2, group));
	datagram_add(g, genl_msg(FAKE_FAMILY + 2, PIZWG_CMD_MAX + 1));
	CHECK_INT(datagram_deliver(g, &s), 0);
	CHECK_INT(s.n, 2);
	CHECK_INT(s.ev[1].type, PIZWG_EVENT_MODULE_ADDED);
	CHECK_INT(g->family, FAKE_FAMILY + 2);
	CHECK_INT(g->events_group, group);
	pizwg_genl_close(g);
}

static void names_of_enums_and_errors(void)
{
	CHECK_STR(pizwg_switching_name(PIZWG_SWITCHING_INDIVIDUAL),
		  "individual");
	CHECK_STR(pizwg_switching_name(PIZWG_SWITCHING_GANGED), "ganged");
	CHECK_STR(pizwg_switching_name(PIZWG_SWITCHING_NONE), "none");
	CHECK_STR(pizwg_switching_name(PIZWG_SWITCHING_UNKNOWN), "unknown");
	CHECK(!pizwg_switching_name(4));
	CHECK_STR(pizwg_cause_name(PIZWG_CAUSE_REQUEST), "request");
	CHECK_STR(pizwg_cause_name(PIZWG_CAUSE_LEASE_EXPIRY), "lease-expiry");
	CHECK_STR(pizwg_cause_name(PIZWG_CAUSE_UNPLUG), "unplug");
	CHECK_STR(pizwg_cause_name(PIZWG_CAUSE_UNLOAD), "unload");
	CHECK_STR(pizwg_cause_name(PIZWG_CAUSE_EXTERNAL), "external");
	CHECK_STR(pizwg_cause_name(PIZWG_CAUSE_REAPPLIED), "reapplied");
	CHECK_STR(pizwg_cause_name(PIZWG_CAUSE_HUB_GONE), "hub-gone");
	CHECK(!pizwg_cause_name(7));
	CHECK_STR(pizwg_action_name(PIZWG_ACTION_OFF), "off");
	CHECK_STR(pizwg_action_name(PIZWG_ACTION_ON), "on");
	CHECK_STR(pizwg_action_name(PIZWG_ACTION_CYCLE), "cycle");
	CHECK(!pizwg_action_name(PIZWG_ACTION_MAX + 1));
	CHECK_STR(pizwg_event_name(PIZWG_EVENT_PORT_CHANGED), "port");
	CHECK_STR(pizwg_event_name(PIZWG_EVENT_MODULE_ADDED), "module-added");
	CHECK_STR(pizwg_genl_strerror(-EPROTO),
		  "malformed message from the pizwg module");
	CHECK_STR(pizwg_genl_strerror(-ENODEV), strerror(ENODEV));
}

static const struct unit_test tests[] = {
	UNIT_TEST(parse_hub_reads_every_attribute_and_port),
	UNIT_TEST(parse_hub_without_peer_leaves_it_empty),
	UNIT_TEST(parse_hub_with_no_ports_is_valid),
	UNIT_TEST(parse_hub_missing_any_required_attribute_is_eproto),
	UNIT_TEST(parse_hub_integer_of_wrong_size_is_eproto),
	UNIT_TEST(parse_hub_string_without_nul_is_eproto),
	UNIT_TEST(parse_hub_string_with_inner_nul_is_eproto),
	UNIT_TEST(parse_hub_name_of_32_bytes_is_eproto),
	UNIT_TEST(parse_hub_name_of_31_bytes_fits),
	UNIT_TEST(parse_hub_ignores_attributes_of_a_newer_kernel),
	UNIT_TEST(parse_hub_keeps_a_switching_mode_it_does_not_know),
	UNIT_TEST(parse_hub_fewer_ports_than_announced_is_eproto),
	UNIT_TEST(parse_hub_ports_out_of_order_is_eproto),
	UNIT_TEST(parse_hub_more_than_31_ports_is_eproto),
	UNIT_TEST(parse_hub_port_missing_required_attribute_is_eproto),
	UNIT_TEST(parse_hub_flag_other_than_0_or_1_is_eproto),
	UNIT_TEST(parse_hub_of_another_command_is_eproto),
	UNIT_TEST(parse_message_shorter_than_genl_header_is_eproto),
	UNIT_TEST(parse_tty_reads_every_attribute),
	UNIT_TEST(parse_tty_without_usb_strings_marks_them_absent),
	UNIT_TEST(parse_tty_empty_serial_is_present),
	UNIT_TEST(parse_tty_without_hub_leaves_it_empty),
	UNIT_TEST(parse_tty_missing_any_required_attribute_is_eproto),
	UNIT_TEST(parse_tty_usb_string_of_128_bytes_is_eproto),
	UNIT_TEST(parse_event_tty_added_and_removed),
	UNIT_TEST(parse_event_port_changed),
	UNIT_TEST(parse_event_timestamp_after_pad_attribute),
	UNIT_TEST(parse_event_missing_any_required_attribute_is_eproto),
	UNIT_TEST(parse_event_of_a_newer_command_is_enomsg),
	UNIT_TEST(parse_event_of_a_reply_command_is_eproto),
	UNIT_TEST(parse_event_keeps_a_cause_it_does_not_know),
	UNIT_TEST(parse_hub_power_known_defaults_to_read),
	UNIT_TEST(parse_hub_power_known_other_than_0_or_1_is_eproto),
	UNIT_TEST(parse_done_of_a_success),
	UNIT_TEST(parse_done_of_a_failure_gives_errno_and_message),
	UNIT_TEST(parse_done_missing_any_required_attribute_is_eproto),
	UNIT_TEST(parse_done_errno_beyond_the_kernel_range_is_eproto),
	UNIT_TEST(parse_done_of_another_command_is_eproto),
	UNIT_TEST(parse_done_message_of_256_bytes_is_eproto),
	UNIT_TEST(parse_event_of_a_done_is_eproto),
	UNIT_TEST(extack_of_a_capped_error),
	UNIT_TEST(extack_after_an_echoed_request_of_any_length),
	UNIT_TEST(extack_of_a_failed_dump),
	UNIT_TEST(extack_is_empty_without_its_flag),
	UNIT_TEST(extack_is_empty_when_the_error_has_none),
	UNIT_TEST(extack_is_empty_when_the_echo_claims_too_much),
	UNIT_TEST(extack_longer_than_the_buffer_is_truncated),
	UNIT_TEST(open_of_a_missing_family_says_module_not_loaded),
	UNIT_TEST(open_of_a_family_without_the_group_is_eproto),
	UNIT_TEST(open_resolves_family_id_and_group),
	UNIT_TEST(dump_request_collects_every_reply),
	UNIT_TEST(kernel_error_comes_with_its_extack),
	UNIT_TEST(requests_after_module_removal_say_module_not_loaded),
	UNIT_TEST(names_of_32_bytes_are_refused_before_sending),
	UNIT_TEST(subscribed_handle_has_a_quiet_pollable_fd),
	UNIT_TEST(events_of_one_datagram_are_delivered_in_order),
	UNIT_TEST(events_of_other_families_and_newer_commands_are_skipped),
	UNIT_TEST(malformed_event_is_eproto_and_the_next_still_arrives),
	UNIT_TEST(trailing_bytes_after_the_last_message_are_eproto),
	UNIT_TEST(module_unload_and_reload_are_events),
	UNIT_TEST(names_of_enums_and_errors),
};

int main(void)
{
	return unit_main("test_pizwg_genl", tests, ARRAY_SIZE(tests));
}
