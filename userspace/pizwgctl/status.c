// SPDX-License-Identifier: GPL-2.0-only
/*
 * pizwgctl status [--metrics FILE]: pizwgd's state, read from the metrics
 * file it rewrites on every change and every 10 s (default
 * /run/pizwg/metrics/pizwgd.prom), so it needs no socket of its own.
 *
 * Text, one line per gateway:
 *   zstick serving stick on session active TLSv1.3 ktls tx rx sessions 3 \
 *     bytes to-stick 5 from-stick 19 last-session 1795324800 fences 2
 * with "stale" appended when the file is older than 30 s (pizwgd is not
 * running, or hung). JSON: an array with one object per gateway, the same
 * fields by name, plus "stale".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "pizwgctl.h"

#define STATUS_DEFAULT_FILE "/run/pizwg/metrics/pizwgd.prom"
#define STATUS_STALE_S 30
#define STATUS_FILE_MAX (256 * 1024)

static const char status_usage[] =
	"usage: pizwgctl status [--metrics FILE]\n"
	"\n"
	"Shows each gateway's state as pizwgd last wrote it to its metrics\n"
	"file (default " STATUS_DEFAULT_FILE ").\n";

/* The value of label @name in "{a=\"x\",b=\"y\"}" into @out. */
static bool status_label(const char *labels, const char *name, char *out,
			 size_t len)
{
	char key[48];
	const char *p, *end;
	size_t n;

	snprintf(key, sizeof(key), "%s=\"", name);
	p = strstr(labels, key);
	if (!p)
		return false;
	p += strlen(key);
	end = strchr(p, '"');
	if (!end)
		return false;
	n = end - p < (ptrdiff_t)len - 1 ? (size_t)(end - p) : len - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

static struct status_gw *status_find(struct status_gw *gws, size_t *n,
				     size_t max, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp(gws[i].name, name))
			return &gws[i];
	if (*n == max)
		return NULL;
	memset(&gws[*n], 0, sizeof(gws[*n]));
	snprintf(gws[*n].name, sizeof(gws[*n].name), "%s", name);
	return &gws[(*n)++];
}

static void status_sample(struct status_gw *g, const char *metric,
			  const char *labels, double v)
{
	char label[64];

	if (!strcmp(metric, "pizwg_gateway_state") && v == 1)
		status_label(labels, "state", g->state, sizeof(g->state));
	else if (!strcmp(metric, "pizwg_vrrp_state") && v == 1)
		status_label(labels, "state", g->vrrp, sizeof(g->vrrp));
	else if (!strcmp(metric, "pizwg_stick_powered"))
		g->stick_powered = v == 1;
	else if (!strcmp(metric, "pizwg_sessions_active"))
		g->session_active = v == 1;
	else if (!strcmp(metric, "pizwg_sessions_total"))
		g->sessions = v;
	else if (!strcmp(metric, "pizwg_session_last_start_timestamp_seconds"))
		g->last_session = v;
	else if (!strcmp(metric, "pizwg_session_tls_info"))
		status_label(labels, "version", g->tls, sizeof(g->tls));
	else if (!strcmp(metric, "pizwg_fences_total"))
		g->fences += v;
	else if (!strcmp(metric, "pizwg_session_bytes_total") &&
		 status_label(labels, "direction", label, sizeof(label)))
		*(strcmp(label, "to_stick") ? &g->bytes_from_stick :
					      &g->bytes_to_stick) = v;
	else if (!strcmp(metric, "pizwg_session_ktls_active") && v == 1 &&
		 status_label(labels, "direction", label, sizeof(label)))
		*(strcmp(label, "tx") ? &g->ktls_rx : &g->ktls_tx) = true;
}

int status_parse(const char *text, struct status_gw *gws, size_t max,
		 size_t *n)
{
	char metric[128], labels[512], name[64];
	const char *line = text, *next;
	struct status_gw *g;
	double v;

	*n = 0;
	for (; *line; line = next) {
		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		if (*line == '#' || *line == '\n')
			continue;
		if (sscanf(line, "%127[a-z_]{%511[^}]} %lf", metric, labels,
			   &v) != 3)
			continue;	/* not a labelled sample of ours */
		if (strncmp(metric, "pizwg_", 6) ||
		    !status_label(labels, "gateway", name, sizeof(name)))
			continue;
		g = status_find(gws, n, max, name);
		if (!g)
			return -E2BIG;
		status_sample(g, metric, labels, v);
	}
	return *n ? 0 : -ENODATA;
}

char *status_format_text(const struct status_gw *gws, size_t n, bool stale)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (i = 0; i < n; i++) {
		const struct status_gw *g = &gws[i];

		fprintf(f, "%s %s stick %s session %s", g->name,
			g->state[0] ? g->state : "unknown",
			g->stick_powered ? "on" : "off",
			g->session_active ? "active" : "none");
		if (g->vrrp[0])
			fprintf(f, " vrrp %s", g->vrrp);
		if (g->session_active)
			fprintf(f, " %s ktls%s%s", g->tls[0] ? g->tls : "TLS",
				g->ktls_tx ? " tx" : "", g->ktls_rx ? " rx" : "");
		fprintf(f, " sessions %.0f bytes to-stick %.0f from-stick %.0f"
			   " last-session %.0f fences %.0f%s\n",
			g->sessions, g->bytes_to_stick, g->bytes_from_stick,
			g->last_session, g->fences, stale ? " stale" : "");
	}
	return memstream_done(f, &buf);
}

static struct json_object *status_json(const struct status_gw *gws, size_t n,
				       bool stale)
{
	struct json_object *arr = json_object_new_array(), *o;
	size_t i;

	for (i = 0; arr && i < n; i++) {
		const struct status_gw *g = &gws[i];

		o = json_object_new_object();
		if (!o ||
		    !json_add(o, "gateway", json_object_new_string(g->name)) ||
		    !json_add(o, "state", json_object_new_string(g->state)) ||
		    /* null with vrrp = off */
		    (g->vrrp[0] ? !json_add(o, "vrrp_state",
					    json_object_new_string(g->vrrp)) :
				  json_object_object_add(o, "vrrp_state",
							 NULL) != 0) ||
		    !json_add(o, "stick_powered",
			      json_object_new_boolean(g->stick_powered)) ||
		    !json_add(o, "session_active",
			      json_object_new_boolean(g->session_active)) ||
		    !json_add(o, "tls_version", json_object_new_string(g->tls)) ||
		    !json_add(o, "ktls_tx", json_object_new_boolean(g->ktls_tx)) ||
		    !json_add(o, "ktls_rx", json_object_new_boolean(g->ktls_rx)) ||
		    !json_add(o, "sessions", json_object_new_int64(g->sessions)) ||
		    !json_add(o, "bytes_to_stick",
			      json_object_new_int64(g->bytes_to_stick)) ||
		    !json_add(o, "bytes_from_stick",
			      json_object_new_int64(g->bytes_from_stick)) ||
		    !json_add(o, "last_session",
			      json_object_new_int64(g->last_session)) ||
		    !json_add(o, "fences", json_object_new_int64(g->fences)) ||
		    !json_add(o, "stale", json_object_new_boolean(stale)) ||
		    json_object_array_add(arr, o)) {
			json_object_put(o);
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

static int status_read(const char *path, char **text, bool *stale)
{
	struct stat st;
	size_t n;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fstat(fileno(f), &st) || st.st_size > STATUS_FILE_MAX) {
		fclose(f);
		return -EFBIG;
	}
	*text = calloc(1, st.st_size + 1);
	n = *text ? fread(*text, 1, st.st_size, f) : 0;
	fclose(f);
	if (!*text)
		return -ENOMEM;
	(*text)[n] = '\0';
	*stale = time(NULL) - st.st_mtime > STATUS_STALE_S;
	return 0;
}

static int status_fail(const char *path, int err)
{
	char reason[512];

	snprintf(reason, sizeof(reason), "%s: %s%s", path,
		 err == -ENODATA ? "no gateway in it" : strerror(-err),
		 err == -ENOENT ? " (is pizwgd running?)" : "");
	return fail("status", err, reason, NULL);
}

int cmd_status(int argc, char **argv, struct ctl_opts *opts)
{
	const char *path = STATUS_DEFAULT_FILE;
	struct status_gw gws[16];
	bool stale = false;
	char *text = NULL;
	size_t n;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(status_usage, stdout);
			return CTL_EXIT_OK;
		}
		if (strcmp(argv[i], "--metrics") || i + 1 == argc)
			return usage_error("status", "expected [--metrics FILE]");
		path = argv[++i];
	}
	ret = status_read(path, &text, &stale);
	if (!ret)
		ret = status_parse(text, gws, 16, &n);
	free(text);
	if (ret)
		return status_fail(path, ret);
	if (opts->json)
		return print_json(status_json(gws, n, stale));
	return print_text(status_format_text(gws, n, stale));
}
