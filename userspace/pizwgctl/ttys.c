// SPDX-License-Identifier: GPL-2.0-only
/*
 * pizwgctl ttys [--json] [TTY]: every tty of a USB interface bound to
 * cdc_acm, with the USB identity of its device, or just TTY.
 *
 * Text: one line per tty (shown here folded at the backslash):
 *
 *   NAME MAJOR:MINOR bus BUSNUM devpath DEVPATH hub HUB port PORT \
 *     VID:PID[ serial SERIAL] MANUFACTURER PRODUCT
 *
 *   ttyACM0 166:0 bus 1 devpath 1 hub usb1 port 1 \
 *     0658:0200 serial PIZWG-STICK-0 "PiZWG test" "Z-Stick sim"
 *
 * HUB and PORT are the hub port that powers the device ("hub -" if the
 * module named no hub). SERIAL, when the device has one, is printed as a
 * token (see fmt.c); MANUFACTURER and PRODUCT always in double quotes, or as
 * a bare - when the device has no such string.
 *
 * JSON: one array, one object per tty, every key always present (absent
 * strings are null):
 *
 *   [{"name":"ttyACM0","major":166,"minor":0,"busnum":1,"devpath":"1",
 *     "device":"1-1","hub":"usb1","port":1,"vendor_id":"0658",
 *     "product_id":"0200","serial":"PIZWG-STICK-0",
 *     "manufacturer":"PiZWG test","product":"Z-Stick sim"}]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pizwgctl.h"

static const char ttys_usage[] =
	"usage: " PROG " ttys [--json] [TTY]\n"
	"\n"
	"Lists every CDC-ACM tty (or only TTY, e.g. ttyACM0) with its device\n"
	"number and the USB identity of its device: bus, devpath, the hub port\n"
	"that powers it, VID:PID, serial, manufacturer and product.\n"
	"\n"
	"  --json   print one JSON array instead of text\n"
	"  --help   print this help\n";

static void put_usb_string(FILE *f, bool has, const char *s)
{
	fputc(' ', f);
	if (has)
		put_quoted(f, s);
	else
		fputc('-', f);
}

static void put_tty(FILE *f, const struct pizwg_tty *t)
{
	put_token(f, t->name);
	fprintf(f, " %" PRIu32 ":%" PRIu32 " bus %" PRIu32 " devpath ",
		t->major, t->minor, t->busnum);
	put_token(f, t->devpath);
	fputs(" hub ", f);
	if (t->hub[0])
		put_token(f, t->hub);
	else
		fputc('-', f);
	fprintf(f, " port %" PRIu32 " %04x:%04x", t->port, t->vendor_id,
		t->product_id);
	if (t->has_serial) {
		fputs(" serial ", f);
		put_token(f, t->serial);
	}
	put_usb_string(f, t->has_manufacturer, t->manufacturer);
	put_usb_string(f, t->has_product, t->product);
	fputc('\n', f);
}

char *ttys_format_text(const struct pizwg_tty *ttys, size_t n)
{
	char *buf = NULL;
	size_t len, i;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	for (i = 0; i < n; i++)
		put_tty(f, &ttys[i]);
	return memstream_done(f, &buf);
}

struct json_object *tty_to_json(const struct pizwg_tty *t)
{
	struct json_object *obj;

	obj = json_object_new_object();
	if (!obj)
		return NULL;
	if (json_add(obj, "name", json_str(t->name)) &&
	    json_add(obj, "major", json_object_new_int64(t->major)) &&
	    json_add(obj, "minor", json_object_new_int64(t->minor)) &&
	    json_add(obj, "busnum", json_object_new_int64(t->busnum)) &&
	    json_add(obj, "devpath", json_str(t->devpath)) &&
	    json_add(obj, "device", json_str(t->device)) &&
	    json_add_str_or_null(obj, "hub", t->hub[0], t->hub) &&
	    json_add(obj, "port", json_object_new_int64(t->port)) &&
	    json_add(obj, "vendor_id", json_usb_id(t->vendor_id)) &&
	    json_add(obj, "product_id", json_usb_id(t->product_id)) &&
	    json_add_str_or_null(obj, "serial", t->has_serial, t->serial) &&
	    json_add_str_or_null(obj, "manufacturer", t->has_manufacturer,
				 t->manufacturer) &&
	    json_add_str_or_null(obj, "product", t->has_product, t->product))
		return obj;
	json_object_put(obj);
	return NULL;
}

struct json_object *ttys_to_json(const struct pizwg_tty *ttys, size_t n)
{
	struct json_object *arr, *tty;
	size_t i;

	arr = json_object_new_array();
	if (!arr)
		return NULL;
	for (i = 0; i < n; i++) {
		tty = tty_to_json(&ttys[i]);
		if (!tty || json_object_array_add(arr, tty)) {
			json_object_put(tty);
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

static int ttys_print(const struct pizwg_tty *ttys, size_t n,
		      const struct ctl_opts *opts)
{
	if (opts->json)
		return print_json(ttys_to_json(ttys, n));
	return print_text(ttys_format_text(ttys, n));
}

static int ttys_one(struct pizwg_genl *g, const char *name,
		    const struct ctl_opts *opts)
{
	struct pizwg_tty tty;
	char what[64];
	int ret;

	ret = pizwg_genl_get_tty(g, name, &tty);
	if (ret) {
		snprintf(what, sizeof(what), "ttys %s", name);
		return fail(what, ret,
			    ret == -ENODEV || ret == -EINVAL ?
				    "no such tty" : pizwg_genl_strerror(ret),
			    pizwg_genl_extack(g));
	}
	return ttys_print(&tty, 1, opts);
}

static int ttys_all(struct pizwg_genl *g, const struct ctl_opts *opts)
{
	struct pizwg_tty *ttys;
	size_t n;
	int ret;

	ret = pizwg_genl_get_ttys(g, &ttys, &n);
	if (ret)
		return fail("ttys", ret, pizwg_genl_strerror(ret),
			    pizwg_genl_extack(g));
	ret = ttys_print(ttys, n, opts);
	free(ttys);
	return ret;
}

int cmd_ttys(int argc, char **argv, struct ctl_opts *opts)
{
	static const struct listing l = {
		.cmd = "ttys",
		.usage = ttys_usage,
		.one = ttys_one,
		.all = ttys_all,
	};

	return run_listing(&l, argc, argv, opts);
}
