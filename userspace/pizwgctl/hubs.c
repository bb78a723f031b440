// SPDX-License-Identifier: GPL-2.0-only
/*
 * pizwgctl hubs [--json] [HUB]: every USB hub with its ports, or just HUB.
 *
 * Text: one line per hub, then one indented line per port:
 *
 *   NAME bus BUSNUM VID:PID ports N switching MODE[ peer PEER]
 *     port N power on|off connected|disconnected[ child CHILD] leased yes|no[ guarded][ recorded]
 *
 *   usb1 bus 1 1d6b:0002 ports 1 switching individual
 *     port 1 power on connected child 1-1 leased no
 *
 * "guarded": the module keeps the port powered only while leased (its
 * "guard" parameter). "recorded": the power and connection were not read
 * from the hub, because the caller lacks CAP_NET_ADMIN (the module asks a
 * hub only for such callers): power is what the module made of the port,
 * on without a record, and connected means a USB device exists there.
 *
 * VID:PID are four lowercase hex digits each. MODE is individual, ganged or
 * none (wHubCharacteristics LPSM), unknown (the module could not read the
 * hub descriptor when the hub driver bound, and the caller lacks
 * CAP_NET_ADMIN), or unknown-N for a value a newer module may add. "peer PEER" names the USB3/USB2 peer hub when the kernel linked
 * one; "child CHILD" the USB device on the port.
 *
 * JSON: one array, one object per hub, every key always present:
 *
 *   [{"name":"usb1","busnum":1,"devpath":"0","vendor_id":"1d6b",
 *     "product_id":"0002","num_ports":1,"switching":"individual",
 *     "peer_hub":null,"ports":[{"number":1,"power":true,"connected":true,
 *     "child":"1-1","leased":false,"guarded":false,"power_known":true}]}]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pizwgctl.h"

static const char hubs_usage[] =
	"usage: " PROG " hubs [--json] [HUB]\n"
	"\n"
	"Lists every USB hub with its ports (or only HUB, e.g. usb1 or 1-1):\n"
	"its bus, VID:PID, port count and power switching mode, then per port\n"
	"the power state, whether a device is connected, the USB device on it\n"
	"and whether the port is leased (switched on through pizwg by a\n"
	"process that still holds it). Without CAP_NET_ADMIN the power and\n"
	"connection are not read from the hub (\"recorded\").\n"
	"\n"
	"  --json   print one JSON array instead of text\n"
	"  --help   print this help\n";

static void put_port(FILE *f, const struct pizwg_port *p)
{
	fprintf(f, "  port %" PRIu32 " power %s %s", p->number,
		p->power ? "on" : "off",
		p->connected ? "connected" : "disconnected");
	if (p->child[0]) {
		fputs(" child ", f);
		put_token(f, p->child);
	}
	fprintf(f, " leased %s%s%s\n", p->leased ? "yes" : "no",
		p->guarded ? " guarded" : "",
		p->power_known ? "" : " recorded");
}

static void put_hub(FILE *f, const struct pizwg_hub *h)
{
	char buf[32];
	size_t i;

	put_token(f, h->name);
	fprintf(f, " bus %" PRIu32 " %04x:%04x ports %" PRIu32 " switching %s",
		h->busnum, h->vendor_id, h->product_id, h->num_ports,
		enum_name(pizwg_switching_name(h->switching), h->switching,
			  buf, sizeof(buf)));
	if (h->peer_hub[0]) {
		fputs(" peer ", f);
		put_token(f, h->peer_hub);
	}
	fputc('\n', f);
	for (i = 0; i < h->nports; i++)
		put_port(f, &h->ports[i]);
}

char *hubs_format_text(const struct pizwg_hub *hubs, size_t n)
{
	char *buf = NULL;
	size_t len, i;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	for (i = 0; i < n; i++)
		put_hub(f, &hubs[i]);
	return memstream_done(f, &buf);
}

static struct json_object *port_to_json(const struct pizwg_port *p)
{
	struct json_object *obj;

	obj = json_object_new_object();
	if (!obj)
		return NULL;
	if (json_add(obj, "number", json_object_new_int64(p->number)) &&
	    json_add(obj, "power", json_object_new_boolean(p->power)) &&
	    json_add(obj, "connected", json_object_new_boolean(p->connected)) &&
	    json_add_str_or_null(obj, "child", p->child[0], p->child) &&
	    json_add(obj, "leased", json_object_new_boolean(p->leased)) &&
	    json_add(obj, "guarded", json_object_new_boolean(p->guarded)) &&
	    json_add(obj, "power_known",
		     json_object_new_boolean(p->power_known)))
		return obj;
	json_object_put(obj);
	return NULL;
}

static struct json_object *ports_to_json(const struct pizwg_hub *h)
{
	struct json_object *arr, *port;
	size_t i;

	arr = json_object_new_array();
	if (!arr)
		return NULL;
	for (i = 0; i < h->nports; i++) {
		port = port_to_json(&h->ports[i]);
		if (!port || json_object_array_add(arr, port)) {
			json_object_put(port);
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

static struct json_object *hub_to_json(const struct pizwg_hub *h)
{
	struct json_object *obj;
	const char *switching;
	char buf[32];

	switching = enum_name(pizwg_switching_name(h->switching), h->switching,
			      buf, sizeof(buf));
	obj = json_object_new_object();
	if (!obj)
		return NULL;
	if (json_add(obj, "name", json_str(h->name)) &&
	    json_add(obj, "busnum", json_object_new_int64(h->busnum)) &&
	    json_add(obj, "devpath", json_str(h->devpath)) &&
	    json_add(obj, "vendor_id", json_usb_id(h->vendor_id)) &&
	    json_add(obj, "product_id", json_usb_id(h->product_id)) &&
	    json_add(obj, "num_ports", json_object_new_int64(h->num_ports)) &&
	    json_add(obj, "switching", json_object_new_string(switching)) &&
	    json_add_str_or_null(obj, "peer_hub", h->peer_hub[0],
				 h->peer_hub) &&
	    json_add(obj, "ports", ports_to_json(h)))
		return obj;
	json_object_put(obj);
	return NULL;
}

struct json_object *hubs_to_json(const struct pizwg_hub *hubs, size_t n)
{
	struct json_object *arr, *hub;
	size_t i;

	arr = json_object_new_array();
	if (!arr)
		return NULL;
	for (i = 0; i < n; i++) {
		hub = hub_to_json(&hubs[i]);
		if (!hub || json_object_array_add(arr, hub)) {
			json_object_put(hub);
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

static int hubs_print(const struct pizwg_hub *hubs, size_t n,
		      const struct ctl_opts *opts)
{
	if (opts->json)
		return print_json(hubs_to_json(hubs, n));
	return print_text(hubs_format_text(hubs, n));
}

static int hubs_one(struct pizwg_genl *g, const char *name,
		    const struct ctl_opts *opts)
{
	struct pizwg_hub *hub;
	char what[64];
	int ret;

	hub = malloc(sizeof(*hub));
	if (!hub)
		return fail("hubs", -ENOMEM, strerror(ENOMEM), NULL);
	ret = pizwg_genl_get_hub(g, name, hub);
	if (ret) {
		snprintf(what, sizeof(what), "hubs %s", name);
		ret = fail(what, ret,
			   ret == -ENODEV || ret == -EINVAL ?
				   "no such hub" : pizwg_genl_strerror(ret),
			   pizwg_genl_extack(g));
	} else {
		ret = hubs_print(hub, 1, opts);
	}
	free(hub);
	return ret;
}

static int hubs_all(struct pizwg_genl *g, const struct ctl_opts *opts)
{
	struct pizwg_hub *hubs;
	size_t n;
	int ret;

	ret = pizwg_genl_get_hubs(g, &hubs, &n);
	if (ret)
		return fail("hubs", ret, pizwg_genl_strerror(ret),
			    pizwg_genl_extack(g));
	ret = hubs_print(hubs, n, opts);
	free(hubs);
	return ret;
}

int cmd_hubs(int argc, char **argv, struct ctl_opts *opts)
{
	static const struct listing l = {
		.cmd = "hubs",
		.usage = hubs_usage,
		.one = hubs_one,
		.all = hubs_all,
	};

	return run_listing(&l, argc, argv, opts);
}
