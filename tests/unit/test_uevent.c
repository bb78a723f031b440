// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel uevent parser (userspace/pizwgd/uevent.h): real datagrams as
 * the kernel sends them for a ttyACM appearing and going, every rule of the
 * strict grammar one by one, every truncation, and mutated and random
 * datagrams, which must be refused without reading or writing out of
 * bounds (the sanitizers watch).
 */
#include <errno.h>
#include <stdarg.h>

#include "uevent.h"
#include "unit.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define TTY_DEVPATH "/devices/platform/dummy_hcd.0/usb1/1-1/1-1:1.0/tty/ttyACM0"

static char msg[2 * UEVENT_MSG_MAX];

/* The strings given, NULL-terminated list, each with its NUL, into msg. */
static size_t build(const char *first, ...)
{
	const char *s = first;
	size_t len = 0, n;
	va_list ap;

	va_start(ap, first);
	while (s) {
		n = strlen(s) + 1;
		CHECK(len + n <= sizeof(msg));
		memcpy(msg + len, s, n);
		len += n;
		s = va_arg(ap, const char *);
	}
	va_end(ap);
	return len;
}

static size_t tty_add(void)
{
	return build("add@" TTY_DEVPATH, "ACTION=add", "DEVPATH=" TTY_DEVPATH,
		     "SUBSYSTEM=tty", "MAJOR=166", "MINOR=0", "DEVNAME=ttyACM0",
		     "SEQNUM=2345", NULL);
}

/* A tty add event with @var in place of the variable starting with @key. */
static size_t tty_add_with(const char *key, const char *var)
{
	const char *vars[] = {
		"ACTION=add",	 "DEVPATH=" TTY_DEVPATH,
		"SUBSYSTEM=tty", "MAJOR=166",
		"MINOR=0",	 "DEVNAME=ttyACM0",
		"SEQNUM=2345",
	};
	size_t len, i, n;

	len = build("add@" TTY_DEVPATH, NULL);
	for (i = 0; i < ARRAY_SIZE(vars); i++) {
		const char *v = vars[i];

		if (!strncmp(v, key, strlen(key)) && v[strlen(key)] == '=') {
			if (!var)
				continue;
			v = var;
		}
		n = strlen(v) + 1;
		memcpy(msg + len, v, n);
		len += n;
	}
	return len;
}

static int parse(size_t len, struct uevent *ev)
{
	return uevent_parse(msg, len, ev);
}

static void tty_add_is_parsed(void)
{
	struct uevent ev;

	CHECK_INT(parse(tty_add(), &ev), 0);
	CHECK_INT(ev.action, UEVENT_ADD);
	CHECK_STR(ev.action_name, "add");
	CHECK_STR(ev.devpath, TTY_DEVPATH);
	CHECK_STR(ev.subsystem, "tty");
	CHECK_STR(ev.devname, "ttyACM0");
	CHECK(ev.has_devnum);
	CHECK_INT(ev.major, 166);
	CHECK_INT(ev.minor, 0);
	CHECK_INT(ev.seqnum, 2345);
}

static void tty_remove_is_parsed(void)
{
	struct uevent ev;
	size_t len;

	len = build("remove@" TTY_DEVPATH, "ACTION=remove",
		    "DEVPATH=" TTY_DEVPATH, "SUBSYSTEM=tty", "MAJOR=166",
		    "MINOR=3", "DEVNAME=ttyACM3", "SEQNUM=2399", NULL);
	CHECK_INT(parse(len, &ev), 0);
	CHECK_INT(ev.action, UEVENT_REMOVE);
	CHECK_STR(ev.devname, "ttyACM3");
	CHECK_INT(ev.minor, 3);
	CHECK_INT(ev.seqnum, 2399);
}

static void event_without_device_node_has_no_devnum(void)
{
	struct uevent ev;
	size_t len;

	len = build(
		"bind@/devices/platform/dummy_hcd.0/usb1/1-1/1-1:1.0",
		"ACTION=bind",
		"DEVPATH=/devices/platform/dummy_hcd.0/usb1/1-1/1-1:1.0",
		"SUBSYSTEM=usb", "DEVTYPE=usb_interface", "DRIVER=cdc_acm",
		"PRODUCT=658/200/0", "TYPE=2/0/0", "INTERFACE=2/2/1",
		"MODALIAS=usb:v0658p0200d0000dc02dsc00dp00ic02isc02ip01in00",
		"SEQNUM=7", NULL);
	CHECK_INT(parse(len, &ev), 0);
	CHECK_INT(ev.action, UEVENT_BIND);
	CHECK_STR(ev.subsystem, "usb");
	CHECK_STR(ev.devname, "");
	CHECK(!ev.has_devnum);
}

static void usb_device_node_in_a_subdirectory_is_parsed(void)
{
	struct uevent ev;
	size_t len;

	len = build("add@/devices/pci0000:00/0000:00:04.0/usb2/2-1",
		    "ACTION=add",
		    "DEVPATH=/devices/pci0000:00/0000:00:04.0/usb2/2-1",
		    "SUBSYSTEM=usb", "MAJOR=189", "MINOR=129",
		    "DEVNAME=bus/usb/002/002", "DEVTYPE=usb_device",
		    "BUSNUM=002", "DEVNUM=002", "SEQNUM=1", NULL);
	CHECK_INT(parse(len, &ev), 0);
	CHECK_STR(ev.devname, "bus/usb/002/002");
	CHECK_INT(ev.major, 189);
	CHECK_INT(ev.minor, 129);
}

static void every_action_is_named(void)
{
	static const struct {
		const char *name;
		enum uevent_action action;
	} actions[] = {
		{ "add", UEVENT_ADD },		{ "remove", UEVENT_REMOVE },
		{ "change", UEVENT_CHANGE },	{ "move", UEVENT_MOVE },
		{ "online", UEVENT_ONLINE },	{ "offline", UEVENT_OFFLINE },
		{ "bind", UEVENT_BIND },	{ "unbind", UEVENT_UNBIND },
		{ "frobnicate", UEVENT_OTHER },
	};
	char hdr[64], var[64];
	struct uevent ev;
	size_t i, len;

	for (i = 0; i < ARRAY_SIZE(actions); i++) {
		snprintf(hdr, sizeof(hdr), "%s@/devices/x", actions[i].name);
		snprintf(var, sizeof(var), "ACTION=%s", actions[i].name);
		len = build(hdr, var, "DEVPATH=/devices/x", "SUBSYSTEM=x",
			    "SEQNUM=1", NULL);
		CHECK_INT(parse(len, &ev), 0);
		CHECK_INT(ev.action, actions[i].action);
		CHECK_STR(ev.action_name, actions[i].name);
	}
}

static void device_tree_devpath_with_at_sign_is_parsed(void)
{
	struct uevent ev;
	size_t len;

	len = build("add@/devices/platform/soc@0/usb@1/tty/ttyACM1",
		    "ACTION=add",
		    "DEVPATH=/devices/platform/soc@0/usb@1/tty/ttyACM1",
		    "SUBSYSTEM=tty", "MAJOR=166", "MINOR=1", "DEVNAME=ttyACM1",
		    "SEQNUM=9", NULL);
	CHECK_INT(parse(len, &ev), 0);
	CHECK_STR(ev.devpath, "/devices/platform/soc@0/usb@1/tty/ttyACM1");
}

static void variables_in_any_order_are_parsed(void)
{
	struct uevent ev;
	size_t len;

	len = build("add@" TTY_DEVPATH, "SEQNUM=5", "DEVNAME=ttyACM0",
		    "MINOR=0", "MAJOR=166", "SUBSYSTEM=tty",
		    "DEVPATH=" TTY_DEVPATH, "ACTION=add", NULL);
	CHECK_INT(parse(len, &ev), 0);
	CHECK_STR(ev.devname, "ttyACM0");
}

static void unknown_variables_are_skipped(void)
{
	struct uevent ev;
	size_t len;

	len = build("change@/devices/x", "ACTION=change", "DEVPATH=/devices/x",
		    "SUBSYSTEM=x", "SYNTH_UUID=0", "SYNTH_ARG_mixedCase=1",
		    "EMPTY=", "NAME=\"Power Button\"", "UTF8=caf\xc3\xa9",
		    "SEQNUM=1", NULL);
	CHECK_INT(parse(len, &ev), 0);
	CHECK_STR(ev.subsystem, "x");
}

static void udev_messages_are_recognised(void)
{
	static const char udev[] =
		"libudev\0\xfe\xed\xca\xfe\x28\0\0\0\x28\0\0\0\x10\0\0\0";
	struct uevent ev;

	CHECK_INT(uevent_parse(udev, sizeof(udev), &ev), -ENOMSG);
	CHECK_INT(uevent_parse("libudev", 8, &ev), -ENOMSG);
	/* not quite the magic: garbage */
	CHECK_INT(uevent_parse("libudev", 7, &ev), -EPROTO);
	CHECK_INT(uevent_parse("libudevX", 9, &ev), -EPROTO);
}

static void empty_datagram_is_refused(void)
{
	struct uevent ev;

	CHECK_INT(uevent_parse("", 0, &ev), -EPROTO);
	CHECK_INT(uevent_parse("", 1, &ev), -EPROTO);
}

static void oversized_datagram_is_refused(void)
{
	struct uevent ev;
	size_t len = tty_add();

	/* padded with one unknown variable "K=vvv...v" to the bound exactly */
	memcpy(msg + len, "K=", 2);
	memset(msg + len + 2, 'v', UEVENT_MSG_MAX - len - 2);
	msg[UEVENT_MSG_MAX - 1] = '\0';
	CHECK_INT(parse(UEVENT_MSG_MAX, &ev), 0);
	/* one byte more */
	msg[UEVENT_MSG_MAX - 1] = 'v';
	msg[UEVENT_MSG_MAX] = '\0';
	CHECK_INT(parse(UEVENT_MSG_MAX + 1, &ev), -EPROTO);
}

static void every_truncation_is_refused(void)
{
	struct uevent ev;
	size_t len = tty_add(), cut;
	char at[32];

	for (cut = 0; cut < len; cut++) {
		if (parse(cut, &ev) == -EPROTO)
			continue;
		snprintf(at, sizeof(at), "%zu", cut);
		unit_fail(__FILE__, __LINE__, "cut after %s bytes: %s", at,
			  "accepted");
	}
}

static void datagram_without_final_nul_is_refused(void)
{
	struct uevent ev;
	size_t len = tty_add();

	msg[len - 1] = '5';
	CHECK_INT(parse(len, &ev), -EPROTO);
}

static void header_must_be_action_at_devpath(void)
{
	static const char *const headers[] = {
		"add/devices/x", /* no '@' */
		"@/devices/x", /* no action */
		"add@", /* no devpath */
		"add@devices/x", /* not absolute */
		"ADD@/devices/x", /* not lowercase */
		"ad d@/devices/x",
		"add1@/devices/x",
		"addaddaddaddaddadd@/devices/x", /* 18 > 15 letters */
		"add@/devices//x", /* empty component */
		"add@/devices/../x",
		"add@/devices/./x",
		"add@/devices/x/",
		"add@/",
		"add@/devices/\tx",
	};
	char action[64], devpath[128];
	struct uevent ev;
	size_t i, len;

	for (i = 0; i < ARRAY_SIZE(headers); i++) {
		const char *at = strchr(headers[i], '@');

		/* variables agreeing with the header, so the header decides */
		snprintf(action, sizeof(action), "ACTION=%.*s",
			 at ? (int)(at - headers[i]) : 3, headers[i]);
		snprintf(devpath, sizeof(devpath), "DEVPATH=%s",
			 at ? at + 1 : "/devices/x");
		len = build(headers[i], action, devpath, "SUBSYSTEM=x",
			    "SEQNUM=1", NULL);
		if (parse(len, &ev) != -EPROTO)
			unit_fail(__FILE__, __LINE__, "header <<%s>> %s",
				  headers[i], "accepted");
	}
}

static void longest_action_and_devpath_are_accepted(void)
{
	char hdr[UEVENT_DEVPATH_MAX + 32], var[UEVENT_DEVPATH_MAX + 32];
	char path[UEVENT_DEVPATH_MAX + 1];
	struct uevent ev;
	size_t len;

	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[UEVENT_DEVPATH_MAX - 1] = '\0'; /* 1023 bytes: fits */
	snprintf(hdr, sizeof(hdr), "abcdefghijklmno@%s", path);
	snprintf(var, sizeof(var), "DEVPATH=%s", path);
	len = build(hdr, "ACTION=abcdefghijklmno", var, "SUBSYSTEM=x",
		    "SEQNUM=1", NULL);
	CHECK_INT(parse(len, &ev), 0);
	CHECK_INT(strlen(ev.devpath), UEVENT_DEVPATH_MAX - 1);
	CHECK_INT(strlen(ev.action_name), UEVENT_ACTION_MAX - 1);

	path[UEVENT_DEVPATH_MAX - 1] = 'p';
	path[UEVENT_DEVPATH_MAX] = '\0'; /* 1024 bytes: too long */
	snprintf(hdr, sizeof(hdr), "add@%s", path);
	snprintf(var, sizeof(var), "DEVPATH=%s", path);
	len = build(hdr, "ACTION=add", var, "SUBSYSTEM=x", "SEQNUM=1", NULL);
	CHECK_INT(parse(len, &ev), -EPROTO);
}

static void header_and_variables_must_agree(void)
{
	struct uevent ev;

	CHECK_INT(parse(tty_add_with("ACTION", "ACTION=remove"), &ev), -EPROTO);
	CHECK_INT(parse(tty_add_with("DEVPATH", "DEVPATH=/devices/y"), &ev),
		  -EPROTO);
}

static void required_variables_must_be_present(void)
{
	static const char *const required[] = {
		"ACTION",
		"DEVPATH",
		"SUBSYSTEM",
		"SEQNUM",
	};
	struct uevent ev;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(required); i++)
		if (parse(tty_add_with(required[i], NULL), &ev) != -EPROTO)
			unit_fail(__FILE__, __LINE__, "without %s%s",
				  required[i], ": accepted");
}

static void known_variables_must_not_repeat(void)
{
	static const char *const vars[] = {
		"ACTION=add",	 "DEVPATH=" TTY_DEVPATH,
		"SUBSYSTEM=tty", "MAJOR=166",
		"MINOR=0",	 "DEVNAME=ttyACM0",
		"SEQNUM=2345",
	};
	struct uevent ev;
	size_t i, len, n;

	for (i = 0; i < ARRAY_SIZE(vars); i++) {
		len = tty_add();
		n = strlen(vars[i]) + 1;
		memcpy(msg + len, vars[i], n);
		if (parse(len + n, &ev) != -EPROTO)
			unit_fail(__FILE__, __LINE__, "%s twice%s", vars[i],
				  ": accepted");
	}
}

static void repeated_unknown_variables_are_fine(void)
{
	struct uevent ev;
	size_t len = tty_add();

	memcpy(msg + len, "X=1\0X=2", 8);
	CHECK_INT(parse(len + 8, &ev), 0);
}

static void major_and_minor_come_together(void)
{
	struct uevent ev;
	size_t len;

	len = build("add@/devices/x", "ACTION=add", "DEVPATH=/devices/x",
		    "SUBSYSTEM=x", "MAJOR=1", "SEQNUM=1", NULL);
	CHECK_INT(parse(len, &ev), -EPROTO);
	len = build("add@/devices/x", "ACTION=add", "DEVPATH=/devices/x",
		    "SUBSYSTEM=x", "MINOR=1", "SEQNUM=1", NULL);
	CHECK_INT(parse(len, &ev), -EPROTO);
}

static void devname_needs_a_device_number(void)
{
	struct uevent ev;
	size_t len;

	len = build("add@/devices/x", "ACTION=add", "DEVPATH=/devices/x",
		    "SUBSYSTEM=x", "DEVNAME=x", "SEQNUM=1", NULL);
	CHECK_INT(parse(len, &ev), -EPROTO);
}

static void numbers_must_be_plain_decimal_in_range(void)
{
	static const struct {
		const char *var;
		int ret;
	} cases[] = {
		{ "MAJOR=4095", 0 },
		{ "MAJOR=4096", -EPROTO },
		{ "MAJOR=1", 0 },
		{ "MAJOR=0", -EPROTO },
		{ "MAJOR=", -EPROTO },
		{ "MAJOR=-1", -EPROTO },
		{ "MAJOR=+1", -EPROTO },
		{ "MAJOR=01", -EPROTO },
		{ "MAJOR= 1", -EPROTO },
		{ "MAJOR=1 ", -EPROTO },
		{ "MAJOR=0x10", -EPROTO },
		{ "MAJOR=1a", -EPROTO },
		{ "MAJOR=99999999999999999999999", -EPROTO },
		{ "MINOR=0", 0 },
		{ "MINOR=1048575", 0 },
		{ "MINOR=1048576", -EPROTO },
		{ "MINOR=00", -EPROTO },
		{ "MINOR=", -EPROTO },
		{ "MINOR=4294967296", -EPROTO },
		{ "SEQNUM=0", 0 },
		{ "SEQNUM=18446744073709551615", 0 },
		{ "SEQNUM=18446744073709551616", -EPROTO },
		{ "SEQNUM=99999999999999999999", -EPROTO },
		{ "SEQNUM=", -EPROTO },
		{ "SEQNUM=1.0", -EPROTO },
	};
	char key[16];
	struct uevent ev;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(key, sizeof(key), "%.*s",
			 (int)(strchr(cases[i].var, '=') - cases[i].var),
			 cases[i].var);
		ret = parse(tty_add_with(key, cases[i].var), &ev);
		if (ret != cases[i].ret)
			unit_fail(__FILE__, __LINE__, "<<%s>> %s", cases[i].var,
				  ret ? "refused" : "accepted");
	}
	CHECK_INT(parse(tty_add_with("SEQNUM", "SEQNUM=18446744073709551615"),
			&ev),
		  0);
	CHECK(ev.seqnum == UINT64_MAX);
	CHECK_INT(parse(tty_add_with("MINOR", "MINOR=1048575"), &ev), 0);
	CHECK_INT(ev.minor, UEVENT_MINOR_MAX);
}

static void devname_must_be_a_clean_relative_path(void)
{
	static const struct {
		const char *var;
		int ret;
	} cases[] = {
		{ "DEVNAME=ttyACM0", 0 },
		{ "DEVNAME=bus/usb/001/002", 0 },
		{ "DEVNAME=", -EPROTO },
		{ "DEVNAME=/dev/ttyACM0", -EPROTO },
		{ "DEVNAME=../ttyACM0", -EPROTO },
		{ "DEVNAME=a/../b", -EPROTO },
		{ "DEVNAME=./a", -EPROTO },
		{ "DEVNAME=a//b", -EPROTO },
		{ "DEVNAME=a/", -EPROTO },
		{ "DEVNAME=tty\nACM0", -EPROTO },
		{ "DEVNAME=..a", 0 },
	};
	struct uevent ev;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ret = parse(tty_add_with("DEVNAME", cases[i].var), &ev);
		if (ret != cases[i].ret)
			unit_fail(__FILE__, __LINE__, "<<%s>> %s", cases[i].var,
				  ret ? "refused" : "accepted");
	}
}

static void devname_longer_than_its_bound_is_refused(void)
{
	char var[UEVENT_DEVNAME_MAX + 16];
	struct uevent ev;

	snprintf(var, sizeof(var), "DEVNAME=%0*d", UEVENT_DEVNAME_MAX - 1, 7);
	var[8] = 'x'; /* "x000...7": 255 bytes fit */
	CHECK_INT(parse(tty_add_with("DEVNAME", var), &ev), 0);
	CHECK_INT(strlen(ev.devname), UEVENT_DEVNAME_MAX - 1);
	snprintf(var, sizeof(var), "DEVNAME=x%0*d", UEVENT_DEVNAME_MAX - 1, 7);
	CHECK_INT(parse(tty_add_with("DEVNAME", var), &ev), -EPROTO);
}

static void subsystem_must_be_a_short_name(void)
{
	static const struct {
		const char *var;
		int ret;
	} cases[] = {
		{ "SUBSYSTEM=tty", 0 },
		{ "SUBSYSTEM=usb-serial", 0 },
		{ "SUBSYSTEM=scsi_host", 0 },
		{ "SUBSYSTEM=", -EPROTO },
		{ "SUBSYSTEM=t y", -EPROTO },
		{ "SUBSYSTEM=a/b", -EPROTO },
		{ "SUBSYSTEM=1234567890123456789012345678901234567890123456789012345678901234",
		  -EPROTO }, /* 64 */
		{ "SUBSYSTEM=123456789012345678901234567890123456789012345678901234567890123",
		  0 }, /* 63 */
	};
	struct uevent ev;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ret = parse(tty_add_with("SUBSYSTEM", cases[i].var), &ev);
		if (ret != cases[i].ret)
			unit_fail(__FILE__, __LINE__, "<<%s>> %s", cases[i].var,
				  ret ? "refused" : "accepted");
	}
}

static void variables_must_be_key_equals_value(void)
{
	static const char *const bad[] = {
		"NOEQUALS",
		"=value",
		"KEY-DASH=1",
		"KEY SPACE=1",
		"K\xc3\xa9Y=1",
		"CTRL=a\x01z",
		"DEL=a\x7fz",
		"TAB=a\tb",
		"K1234567890123456789012345678901234567890123456789012345678901234=1",
	};
	struct uevent ev;
	size_t i, len, n;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		len = tty_add();
		n = strlen(bad[i]) + 1;
		memcpy(msg + len, bad[i], n);
		if (parse(len + n, &ev) != -EPROTO)
			unit_fail(__FILE__, __LINE__, "<<%s>> %s", bad[i],
				  "accepted");
	}
}

static void empty_variable_is_refused(void)
{
	struct uevent ev;
	size_t len = tty_add();

	/* "...SEQNUM=2345\0\0": an empty string at the end */
	msg[len] = '\0';
	CHECK_INT(parse(len + 1, &ev), -EPROTO);
	/* and in the middle */
	len = build("add@/devices/x", "ACTION=add", "", "DEVPATH=/devices/x",
		    "SUBSYSTEM=x", "SEQNUM=1", NULL);
	CHECK_INT(parse(len, &ev), -EPROTO);
}

static void refused_datagram_leaves_nothing_behind(void)
{
	struct uevent ev;

	CHECK_INT(parse(tty_add_with("SEQNUM", NULL), &ev), -EPROTO);
	CHECK_STR(ev.devname, "");
	CHECK_STR(ev.devpath, "");
	CHECK(!ev.has_devnum);
}

static uint32_t rng = 2463534242u;

static uint32_t xorshift32(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void every_single_byte_mutation_is_handled(void)
{
	static const char subst[] = { '\0', '=', '@',  '/',	  '.',
				      'A',  '0', '\n', (char)0xff };
	struct uevent ev;
	size_t len = tty_add(), i, j;
	int ret;

	for (i = 0; i < len; i++) {
		for (j = 0; j < sizeof(subst); j++) {
			tty_add();
			msg[i] = subst[j];
			ret = parse(len, &ev);
			CHECK(ret == 0 || ret == -EPROTO);
			if (ret)
				continue;
			/* whatever got through still obeys the rules */
			CHECK(ev.has_devnum || !ev.devname[0]);
			CHECK(ev.devpath[0] == '/');
		}
	}
}

static void random_datagrams_are_refused(void)
{
	struct uevent ev;
	size_t len, i, round;
	int ret;

	for (round = 0; round < 20000; round++) {
		len = 1 + xorshift32() % 300;
		for (i = 0; i < len; i++)
			msg[i] = (char)xorshift32();
		if (round % 2)
			msg[len - 1] = '\0';
		ret = parse(len, &ev);
		CHECK(ret == -EPROTO || ret == -ENOMSG);
	}
}

static void random_variable_soup_is_handled(void)
{
	static const char *const parts[] = {
		"ACTION=add",
		"DEVPATH=/devices/x",
		"SUBSYSTEM=tty",
		"MAJOR=166",
		"MINOR=0",
		"DEVNAME=ttyACM0",
		"SEQNUM=1",
		"X=",
		"=",
		"",
		"add@/devices/x",
		"MAJOR=0",
	};
	struct uevent ev;
	size_t len, round, k, n;
	const char *p;
	int ret;

	for (round = 0; round < 20000; round++) {
		len = build("add@/devices/x", NULL);
		for (k = xorshift32() % 10; k; k--) {
			p = parts[xorshift32() % ARRAY_SIZE(parts)];
			n = strlen(p) + 1;
			memcpy(msg + len, p, n);
			len += n;
		}
		ret = parse(len, &ev);
		CHECK(ret == 0 || ret == -EPROTO);
		if (!ret)
			CHECK(ev.has_devnum || !ev.devname[0]);
	}
}

static const struct unit_test tests[] = {
	UNIT_TEST(tty_add_is_parsed),
	UNIT_TEST(tty_remove_is_parsed),
	UNIT_TEST(event_without_device_node_has_no_devnum),
	UNIT_TEST(usb_device_node_in_a_subdirectory_is_parsed),
	UNIT_TEST(every_action_is_named),
	UNIT_TEST(device_tree_devpath_with_at_sign_is_parsed),
	UNIT_TEST(variables_in_any_order_are_parsed),
	UNIT_TEST(unknown_variables_are_skipped),
	UNIT_TEST(udev_messages_are_recognised),
	UNIT_TEST(empty_datagram_is_refused),
	UNIT_TEST(oversized_datagram_is_refused),
	UNIT_TEST(every_truncation_is_refused),
	UNIT_TEST(datagram_without_final_nul_is_refused),
	UNIT_TEST(header_must_be_action_at_devpath),
	UNIT_TEST(longest_action_and_devpath_are_accepted),
	UNIT_TEST(header_and_variables_must_agree),
	UNIT_TEST(required_variables_must_be_present),
	UNIT_TEST(known_variables_must_not_repeat),
	UNIT_TEST(repeated_unknown_variables_are_fine),
	UNIT_TEST(major_and_minor_come_together),
	UNIT_TEST(devname_needs_a_device_number),
	UNIT_TEST(numbers_must_be_plain_decimal_in_range),
	UNIT_TEST(devname_must_be_a_clean_relative_path),
	UNIT_TEST(devname_longer_than_its_bound_is_refused),
	UNIT_TEST(subsystem_must_be_a_short_name),
	UNIT_TEST(variables_must_be_key_equals_value),
	UNIT_TEST(empty_variable_is_refused),
	UNIT_TEST(refused_datagram_leaves_nothing_behind),
	UNIT_TEST(every_single_byte_mutation_is_handled),
	UNIT_TEST(random_datagrams_are_refused),
	UNIT_TEST(random_variable_soup_is_handled),
};

int main(void)
{
	return unit_main("test_uevent", tests, ARRAY_SIZE(tests));
}
