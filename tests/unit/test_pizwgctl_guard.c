// SPDX-License-Identifier: GPL-2.0-only
/*
 * pizwgctl guard (userspace/pizwgctl/guard.c): the guard value from
 * pizwgd.conf (each stick port once, in file order), the file it writes
 * (a comment that cannot be broken out of, then the modprobe line), and
 * the atomic write (mode 0644, nothing left behind on failure), and the
 * warning about other modprobe.d files that set the guard too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pizwgctl.h"
#include "../../userspace/pizwgd/config.h"
#include "unit.h"

static struct pizwg_config conf;
static char err[CONF_ERR_MAX];

static int parse(const char *s)
{
	return config_parse_string(s, "t.conf", &conf, err, sizeof(err));
}

#define GATEWAY(name, hub, port, listen)                                  \
	"[gateway " name "]\nhub = " hub "\nport = " port "\nvrrp = off\n" \
	"listen = 0.0.0.0:" listen "\nmetrics_dir = off\n"

static void guard_value_names_each_stick_port_once_in_file_order(void)
{
	char value[256];

	CHECK_INT(parse(GATEWAY("a", "1-1.4", "2", "3331")
			GATEWAY("b", "usb1", "1", "3332")
			GATEWAY("c", "1-1.4", "2", "3333")), 0);
	CHECK_INT(guard_value(&conf, value, sizeof(value)), 0);
	CHECK_STR(value, "1-1.4:2,usb1:1");
}

static void guard_value_that_does_not_fit_is_enospc(void)
{
	char value[7];	/* "1-1.4:2" needs 8 */

	CHECK_INT(parse(GATEWAY("a", "1-1.4", "2", "3331")), 0);
	CHECK_INT(guard_value(&conf, value, sizeof(value)), -ENOSPC);
}

static void guard_file_says_where_it_came_from_then_the_line(void)
{
	const char *tail;
	char *text;
	bool ok;

	CHECK_INT(parse(GATEWAY("a", "usb3", "1", "3331")), 0);
	text = guard_file_text(&conf, "/etc/pizwg/pizwgd.conf");
	CHECK(text != NULL);
	ok = !strncmp(text, "# Written by pizwgctl guard --write from "
			    "/etc/pizwg/pizwgd.conf.\n", 63);
	if (!ok)
		free(text);
	CHECK(ok);
	tail = "\noptions pizwg guard=usb3:1\n";
	ok = strlen(text) > strlen(tail) &&
	     !strcmp(text + strlen(text) - strlen(tail), tail);
	free(text);
	CHECK(ok);
}

static void guard_file_comment_cannot_be_broken_out_of(void)
{
	char *text, *line;
	int options = 0;

	CHECK_INT(parse(GATEWAY("a", "usb3", "1", "3331")), 0);
	text = guard_file_text(&conf, "/x\noptions pizwg guard=usb9:9\r");
	CHECK(text != NULL);
	for (line = text; line; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (!strncmp(line, "options", 7))
			options++;
		else if (*line)
			CHECK(*line == '#');
	}
	CHECK_INT(options, 1);
	CHECK(strstr(text, "usb9") == NULL ||
	      strstr(text, "usb9") < strstr(text, "\noptions"));
	free(text);
}

static char dir[] = "/tmp/pizwg-guard-XXXXXX";

static int count_entries(void)
{
	char cmd[128];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A %s | wc -l", dir);
	p = popen(cmd, "r");
	if (!p || fscanf(p, "%d", &n) != 1)
		n = -1;
	if (p)
		pclose(p);
	return n;
}

/* Writes @text into @name under the test directory (or a subdirectory). */
static void put(const char *name, const char *text)
{
	char path[96];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void guard_write_replaces_the_file_whole_with_mode_0644(void)
{
	char path[64], buf[64] = "";
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/pizwg.conf", dir);
	put("pizwg.conf", "options pizwg guard=old:1\nsomething else\n");
	chmod(path, 0600);
	CHECK_INT(guard_write_file(path, "new\n", err, sizeof(err)), 0);
	f = fopen(path, "r");
	CHECK(f != NULL);
	CHECK_INT((int)fread(buf, 1, sizeof(buf) - 1, f), 4);
	fclose(f);
	CHECK_STR(buf, "new\n");
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0644);
	/* No temporary file left beside it. */
	CHECK_INT(count_entries(), 1);
}

static void guard_write_into_a_missing_directory_fails_leaving_nothing(void)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/missing/pizwg.conf", dir);
	CHECK_INT(guard_write_file(path, "new\n", err, sizeof(err)), -ENOENT);
	CHECK(strstr(err, "missing/pizwg.conf") != NULL);
	CHECK_INT(count_entries(), 1);
}

static void guard_lines_are_recognised_strictly(void)
{
	CHECK(guard_sets_guard("options pizwg guard=usb1:1\n"));
	CHECK(guard_sets_guard("  options\tpizwg allow=usb1:1 guard=usb1:1"));
	CHECK(!guard_sets_guard("options pizwg allow=usb1:1\n"));
	CHECK(!guard_sets_guard("# options pizwg guard=usb1:1\n"));
	CHECK(!guard_sets_guard("  # options pizwg guard=usb1:1\n"));
	/* kmod: '#' starts a comment only at the start of a line. */
	CHECK(guard_sets_guard("options pizwg allow=usb1:1 # guard=usb1:2\n"));
	CHECK(!guard_sets_guard("options pizwgx guard=usb1:1\n"));
	CHECK(!guard_sets_guard("options other guard=usb1:1\n"));
	CHECK(!guard_sets_guard("install pizwg guard=usb1:1\n"));
	CHECK(!guard_sets_guard("options pizwg noguard=1\n"));
	CHECK(!guard_sets_guard("options pizwg guard\n"));
	CHECK(!guard_sets_guard(""));
}

static void guard_on_the_kernel_command_line_is_recognised(void)
{
	char path[96], buf[512] = "";
	FILE *out;

	CHECK(guard_cmdline_sets_guard("pizwg.guard=usb1:1"));
	CHECK(guard_cmdline_sets_guard("ro quiet pizwg.guard=usb1:1 rootwait\n"));
	CHECK(guard_cmdline_sets_guard("ro\tpizwg.guard=usb1:1"));
	CHECK(guard_cmdline_sets_guard("ro \"pizwg.guard=usb1:1\""));
	/* Inside another word's quotes it is that word's value. */
	CHECK(!guard_cmdline_sets_guard("foo=\"a pizwg.guard=usb1:1\" ro"));
	CHECK(!guard_cmdline_sets_guard("xpizwg.guard=usb1:1"));
	CHECK(!guard_cmdline_sets_guard("pizwg.allow=usb1:1 pizwg.guardx=1"));
	/* kmod passes a bare one too: the load fails on it. */
	CHECK(guard_cmdline_sets_guard("ro pizwg.guard rootwait"));
	CHECK(guard_cmdline_sets_guard("pizwg.guard"));
	CHECK(guard_cmdline_sets_guard("ro\vpizwg.guard=usb1:1"));
	CHECK(!guard_cmdline_sets_guard("pizwg.guardian=1"));
	CHECK(!guard_cmdline_sets_guard(""));

	snprintf(path, sizeof(path), "%s/cmdline", dir);
	put("cmdline", "BOOT_IMAGE=/vmlinuz ro pizwg.guard=usb1:1\n");
	out = fmemopen(buf, sizeof(buf), "w");
	CHECK(out != NULL);
	if (!out)
		return;
	CHECK_INT(guard_cmdline(path, out), 1);
	fclose(out);
	CHECK(strstr(buf, "warning: the kernel command line sets pizwg.guard,") != NULL);
	put("cmdline", "BOOT_IMAGE=/vmlinuz ro\n");
	out = fmemopen(buf, sizeof(buf), "w");
	CHECK(out != NULL);
	if (!out)
		return;
	CHECK_INT(guard_cmdline(path, out), 0);
	fclose(out);
	CHECK_INT(guard_cmdline("/nonexistent/cmdline", stderr), 0);
	unlink(path);
}

static void guard_warns_about_each_other_file_with_a_guard(void)
{
	const char *dirs[] = { dir, "/nonexistent/modprobe.d", NULL };
	char ours[96], *buf = NULL;
	size_t len = 0;
	FILE *out;

	snprintf(ours, sizeof(ours), "%s/pizwg.conf", dir);
	put("pizwg.conf", "options pizwg guard=usb1:1\n");
	put("old-pizwg.conf", "# from before\noptions pizwg guard=usb2:1\n");
	put("pizwg-allow.conf", "options pizwg allow=usb1:1\n");
	put("stale.conf.bak", "options pizwg guard=usb3:1\n");
	out = open_memstream(&buf, &len);
	CHECK(out != NULL);
	if (!out)
		return;
	CHECK_INT(guard_others(dirs, ours, out), 1);
	fclose(out);
	CHECK(strstr(buf, "old-pizwg.conf sets pizwg's guard too") != NULL);
	CHECK(strstr(buf, "pizwg-allow.conf") == NULL);
	CHECK(strstr(buf, "stale.conf.bak") == NULL);
	CHECK(strstr(buf, "/pizwg.conf") == NULL);
	free(buf);
	put("old-pizwg.conf", "options pizwg allow=usb2:1\n");
	out = fopen("/dev/null", "w");
	CHECK_INT(guard_others(dirs, ours, out), 0);
	fclose(out);
	unlink(ours);
}

static void guard_scan_joins_continued_lines_and_reads_only_files(void)
{
	const char *dirs[] = { dir, NULL };
	char path[96], ours[96];
	FILE *out;

	snprintf(ours, sizeof(ours), "%s/pizwg.conf", dir);
	/* kmod drops the backslash and the line break: "allow=usb2:1 guard=". */
	put("old-pizwg.conf", "options pizwg allow=usb2:1 \\\nguard=usb2:1\n");
	out = fopen("/dev/null", "w");
	CHECK_INT(guard_others(dirs, ours, out), 1);
	/* A FIFO named *.conf is not opened for reading (that would hang). */
	snprintf(path, sizeof(path), "%s/fifo.conf", dir);
	CHECK_INT(mkfifo(path, 0600), 0);
	CHECK_INT(guard_others(dirs, ours, out), 1);
	unlink(path);
	fclose(out);
	unlink(ours);
	snprintf(path, sizeof(path), "%s/old-pizwg.conf", dir);
	unlink(path);
}

static void guard_scan_skips_names_an_earlier_directory_shadows(void)
{
	char second[96], ours[96];
	const char *dirs[] = { dir, second, NULL };
	FILE *out;

	snprintf(second, sizeof(second), "%s/lib", dir);
	CHECK_INT(mkdir(second, 0700), 0);
	snprintf(ours, sizeof(ours), "%s/pizwg.conf", dir);
	put("pizwg.conf", "options pizwg guard=usb1:1\n");
	put("local.conf", "# nothing\n");
	/* Read by kmod neither: /etc's pizwg.conf and local.conf win. */
	put("lib/pizwg.conf", "options pizwg guard=usb9:1\n");
	put("lib/local.conf", "options pizwg guard=usb9:2\n");
	out = fopen("/dev/null", "w");
	CHECK_INT(guard_others(dirs, ours, out), 0);
	/* Not shadowed: read, and named. */
	put("lib/vendor.conf", "options pizwg guard=usb9:3\n");
	CHECK_INT(guard_others(dirs, ours, out), 1);
	fclose(out);
}

static const struct unit_test tests[] = {
	UNIT_TEST(guard_value_names_each_stick_port_once_in_file_order),
	UNIT_TEST(guard_value_that_does_not_fit_is_enospc),
	UNIT_TEST(guard_file_says_where_it_came_from_then_the_line),
	UNIT_TEST(guard_file_comment_cannot_be_broken_out_of),
	UNIT_TEST(guard_write_replaces_the_file_whole_with_mode_0644),
	UNIT_TEST(guard_write_into_a_missing_directory_fails_leaving_nothing),
	UNIT_TEST(guard_lines_are_recognised_strictly),
	UNIT_TEST(guard_warns_about_each_other_file_with_a_guard),
	UNIT_TEST(guard_scan_joins_continued_lines_and_reads_only_files),
	UNIT_TEST(guard_scan_skips_names_an_earlier_directory_shadows),
	UNIT_TEST(guard_on_the_kernel_command_line_is_recognised),
};

int main(void)
{
	int ret;
	char cmd[64];

	if (!mkdtemp(dir))
		return 1;
	ret = unit_main("test_pizwgctl_guard", tests, ARRAY_SIZE(tests));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) == -1)
		return 1;
	return ret;
}
