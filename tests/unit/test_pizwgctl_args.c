// SPDX-License-Identifier: GPL-2.0-only
/*
 * pizwgctl's command lines: `power` (positionals, options anywhere, every
 * usage error), the option-less subcommands, and number parsing.
 */
#include <errno.h>

#include "pizwgctl.h"
#include "unit.h"

struct parsed {
	int ret;
	struct power_args a;
	struct ctl_opts opts;
	char err[CTL_ERR_MAX];
};

static int count_args(char **argv)
{
	int n = 0;

	while (argv[n])
		n++;
	return n;
}

static struct parsed power_argv(char **argv)
{
	struct parsed p = { 0 };

	p.ret = power_parse_args(count_args(argv), argv, &p.a, &p.opts, p.err,
				 sizeof(p.err));
	return p;
}

#define POWER(...) power_argv((char *[]){ "power", __VA_ARGS__, NULL })

/* The usage error and its message for `pizwgctl power ARGS...` */
#define CHECK_POWER_USAGE(msg, ...)                                           \
	do {                                                                  \
		struct parsed p_ = POWER(__VA_ARGS__);                        \
		CHECK_INT(p_.ret, CTL_EXIT_USAGE);                            \
		CHECK_STR(p_.err, msg);                                       \
	} while (0)

static void power_on_with_defaults(void)
{
	struct parsed p = POWER("usb1", "1", "on");

	CHECK_INT(p.ret, 0);
	CHECK_STR(p.a.hub, "usb1");
	CHECK_INT(p.a.port, 1);
	CHECK_INT(p.a.action, PIZWG_ACTION_ON);
	CHECK_INT(p.a.off_ms, 0);
	CHECK(!p.a.hold && !p.a.force && !p.a.help && !p.opts.json);
}

static void power_off_and_cycle(void)
{
	struct parsed p = POWER("1-1.4", "31", "off");

	CHECK_INT(p.ret, 0);
	CHECK_STR(p.a.hub, "1-1.4");
	CHECK_INT(p.a.port, 31);
	CHECK_INT(p.a.action, PIZWG_ACTION_OFF);
	p = POWER("usb2", "2", "cycle");
	CHECK_INT(p.ret, 0);
	CHECK_INT(p.a.action, PIZWG_ACTION_CYCLE);
	CHECK_INT(p.a.off_ms, 0);
}

static void power_options_go_anywhere(void)
{
	struct parsed p;

	p = POWER("--force", "usb1", "--json", "1", "cycle", "--hold",
		  "--off-ms", "250");
	CHECK_INT(p.ret, 0);
	CHECK(p.a.force && p.a.hold && p.opts.json);
	CHECK_INT(p.a.off_ms, 250);
	CHECK_INT(p.a.port, 1);
	p = POWER("usb1", "1", "cycle", "--off-ms=60000");
	CHECK_INT(p.ret, 0);
	CHECK_INT(p.a.off_ms, 60000);
	p = POWER("--off-ms", "10", "usb1", "1", "cycle");
	CHECK_INT(p.ret, 0);
	CHECK_INT(p.a.off_ms, 10);
}

static void power_double_dash_ends_options(void)
{
	struct parsed p = POWER("--force", "--", "-hub", "1", "on");

	CHECK_INT(p.ret, 0);
	CHECK(p.a.force);
	CHECK_STR(p.a.hub, "-hub");
	CHECK_POWER_USAGE("unexpected argument \"--json\"", "--", "usb1", "1",
			  "on", "--json");
}

static void power_help_wins_anywhere_before_double_dash(void)
{
	struct parsed p;

	p = POWER("--help");
	CHECK_INT(p.ret, 0);
	CHECK(p.a.help);
	p = POWER("usb1", "x", "-h");
	CHECK_INT(p.ret, 0);
	CHECK(p.a.help);
	CHECK_POWER_USAGE("unexpected argument \"--help\"", "--", "usb1", "1",
			  "on", "--help");
}

static void power_missing_arguments_are_usage_errors(void)
{
	struct parsed p = power_argv((char *[]){ "power", NULL });

	CHECK_INT(p.ret, CTL_EXIT_USAGE);
	CHECK_STR(p.err, "missing HUB");
	CHECK_POWER_USAGE("missing PORT", "usb1");
	CHECK_POWER_USAGE("missing on|off|cycle", "usb1", "1");
	CHECK_POWER_USAGE("missing on|off|cycle", "usb1", "1", "--force");
}

static void power_bad_ports_are_usage_errors(void)
{
	CHECK_POWER_USAGE("bad port \"0\" (a number from 1)", "usb1", "0",
			  "on");
	CHECK_POWER_USAGE("bad port \"x\" (a number from 1)", "usb1", "x",
			  "on");
	CHECK_POWER_USAGE("bad port \"-1\" (a number from 1)", "usb1", "-1",
			  "on");
	CHECK_POWER_USAGE("bad port \"1x\" (a number from 1)", "usb1", "1x",
			  "on");
	CHECK_POWER_USAGE("bad port \"\" (a number from 1)", "usb1", "",
			  "on");
	CHECK_POWER_USAGE("bad port \" 1\" (a number from 1)", "usb1", " 1",
			  "on");
	CHECK_POWER_USAGE("bad port \"+1\" (a number from 1)", "usb1", "+1",
			  "on");
	CHECK_POWER_USAGE("bad port \"0x1\" (a number from 1)", "usb1", "0x1",
			  "on");
	CHECK_POWER_USAGE("bad port \"4294967296\" (a number from 1)", "usb1",
			  "4294967296", "on");
}

/* The module, not the command line, knows how many ports a hub has. */
static void power_large_port_is_left_to_the_module(void)
{
	struct parsed p = POWER("usb1", "4294967295", "on");

	CHECK_INT(p.ret, 0);
	CHECK_INT(p.a.port, 4294967295u);
	p = POWER("usb1", "007", "on");
	CHECK_INT(p.ret, 0);
	CHECK_INT(p.a.port, 7);
}

static void power_unknown_action_is_a_usage_error(void)
{
	CHECK_POWER_USAGE("unknown action \"toggle\" (on, off or cycle)",
			  "usb1", "1", "toggle");
	CHECK_POWER_USAGE("unknown action \"ON\" (on, off or cycle)", "usb1",
			  "1", "ON");
	CHECK_POWER_USAGE("unknown action \"\" (on, off or cycle)", "usb1",
			  "1", "");
}

static void power_bad_hub_names_are_usage_errors(void)
{
	char name[PIZWG_NAME_MAX + 1];
	struct parsed p;

	memset(name, 'h', PIZWG_NAME_MAX);
	name[PIZWG_NAME_MAX] = '\0';
	p = POWER(name, "1", "on");
	CHECK_INT(p.ret, CTL_EXIT_USAGE);
	name[PIZWG_NAME_MAX - 1] = '\0';
	p = POWER(name, "1", "on");
	CHECK_INT(p.ret, 0);
	CHECK_POWER_USAGE("bad hub name \"\"", "", "1", "on");
}

static void power_extra_arguments_are_usage_errors(void)
{
	CHECK_POWER_USAGE("unexpected argument \"now\"", "usb1", "1", "on",
			  "now");
}

static void power_unknown_options_are_usage_errors(void)
{
	CHECK_POWER_USAGE("unknown option \"--foo\"", "usb1", "1", "on",
			  "--foo");
	CHECK_POWER_USAGE("unknown option \"-f\"", "-f", "usb1", "1", "on");
	CHECK_POWER_USAGE("unknown option \"--off-ms5\"", "usb1", "1",
			  "cycle", "--off-ms5");
}

static void power_off_ms_must_be_in_range_and_with_cycle(void)
{
	CHECK_POWER_USAGE("--off-ms needs a value (10..60000)", "usb1", "1",
			  "cycle", "--off-ms");
	CHECK_POWER_USAGE("bad --off-ms \"9\" (10..60000)", "usb1", "1",
			  "cycle", "--off-ms", "9");
	CHECK_POWER_USAGE("bad --off-ms \"60001\" (10..60000)", "usb1", "1",
			  "cycle", "--off-ms=60001");
	CHECK_POWER_USAGE("bad --off-ms \"1s\" (10..60000)", "usb1", "1",
			  "cycle", "--off-ms=1s");
	CHECK_POWER_USAGE("bad --off-ms \"\" (10..60000)", "usb1", "1",
			  "cycle", "--off-ms=");
	CHECK_POWER_USAGE("--off-ms applies to cycle only", "usb1", "1", "on",
			  "--off-ms", "100");
	CHECK_POWER_USAGE("--off-ms applies to cycle only", "usb1", "1", "off",
			  "--off-ms", "100");
}

static void power_hold_needs_on_or_cycle(void)
{
	struct parsed p = POWER("usb1", "1", "on", "--hold");

	CHECK_INT(p.ret, 0);
	CHECK(p.a.hold);
	CHECK_POWER_USAGE("--hold applies to on and cycle only", "usb1", "1",
			  "off", "--hold");
}

static struct simple_args simple(int max_pos, int *ret, struct ctl_opts *o,
				 char *err, char **argv)
{
	struct simple_args a;

	*ret = parse_simple_args(count_args(argv), argv, max_pos, &a, o, err,
				 CTL_ERR_MAX);
	return a;
}

static void simple_commands_take_json_help_and_one_name(void)
{
	struct ctl_opts o = { 0 };
	char err[CTL_ERR_MAX] = "";
	struct simple_args a;
	int ret;

	a = simple(1, &ret, &o, err, (char *[]){ "hubs", NULL });
	CHECK_INT(ret, 0);
	CHECK_INT(a.npos, 0);
	CHECK(!o.json && !a.help);
	a = simple(1, &ret, &o, err,
		   (char *[]){ "hubs", "usb1", "--json", NULL });
	CHECK_INT(ret, 0);
	CHECK_INT(a.npos, 1);
	CHECK_STR(a.name, "usb1");
	CHECK(o.json);
	a = simple(0, &ret, &o, err, (char *[]){ "monitor", "-h", NULL });
	CHECK_INT(ret, 0);
	CHECK(a.help);
	a = simple(1, &ret, &o, err, (char *[]){ "ttys", "--", "-x", NULL });
	CHECK_INT(ret, 0);
	CHECK_STR(a.name, "-x");
}

static void simple_commands_refuse_extra_arguments_and_options(void)
{
	struct ctl_opts o = { 0 };
	char err[CTL_ERR_MAX] = "";
	int ret;

	simple(0, &ret, &o, err, (char *[]){ "monitor", "now", NULL });
	CHECK_INT(ret, CTL_EXIT_USAGE);
	CHECK_STR(err, "unexpected argument \"now\"");
	simple(1, &ret, &o, err, (char *[]){ "hubs", "usb1", "usb2", NULL });
	CHECK_INT(ret, CTL_EXIT_USAGE);
	CHECK_STR(err, "unexpected argument \"usb2\"");
	simple(1, &ret, &o, err, (char *[]){ "ttys", "--all", NULL });
	CHECK_INT(ret, CTL_EXIT_USAGE);
	CHECK_STR(err, "unknown option \"--all\"");
}

static void u32_parsing_accepts_plain_decimal_only(void)
{
	uint32_t v = 0;

	CHECK_INT(parse_u32("0", 0, 10, &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(parse_u32("4294967295", 0, UINT32_MAX, &v), 0);
	CHECK_INT(v, UINT32_MAX);
	CHECK_INT(parse_u32("4294967296", 0, UINT32_MAX, &v), -ERANGE);
	CHECK_INT(parse_u32("99999999999999999999999", 0, UINT32_MAX, &v),
		  -ERANGE);
	CHECK_INT(parse_u32("11", 0, 10, &v), -ERANGE);
	CHECK_INT(parse_u32("9", 10, 20, &v), -ERANGE);
	CHECK_INT(parse_u32("", 0, 10, &v), -EINVAL);
	CHECK_INT(parse_u32("-0", 0, 10, &v), -EINVAL);
	CHECK_INT(parse_u32("1 ", 0, 10, &v), -EINVAL);
	CHECK_INT(v, UINT32_MAX);
}

static const struct unit_test tests[] = {
	UNIT_TEST(power_on_with_defaults),
	UNIT_TEST(power_off_and_cycle),
	UNIT_TEST(power_options_go_anywhere),
	UNIT_TEST(power_double_dash_ends_options),
	UNIT_TEST(power_help_wins_anywhere_before_double_dash),
	UNIT_TEST(power_missing_arguments_are_usage_errors),
	UNIT_TEST(power_bad_ports_are_usage_errors),
	UNIT_TEST(power_large_port_is_left_to_the_module),
	UNIT_TEST(power_unknown_action_is_a_usage_error),
	UNIT_TEST(power_bad_hub_names_are_usage_errors),
	UNIT_TEST(power_extra_arguments_are_usage_errors),
	UNIT_TEST(power_unknown_options_are_usage_errors),
	UNIT_TEST(power_off_ms_must_be_in_range_and_with_cycle),
	UNIT_TEST(power_hold_needs_on_or_cycle),
	UNIT_TEST(simple_commands_take_json_help_and_one_name),
	UNIT_TEST(simple_commands_refuse_extra_arguments_and_options),
	UNIT_TEST(u32_parsing_accepts_plain_decimal_only),
};

int main(void)
{
	return unit_main("test_pizwgctl_args", tests, ARRAY_SIZE(tests));
}
