// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers shared by the subcommands: argument parsing, error lines, and the
 * pieces of the text and JSON formats that several subcommands print.
 *
 * Text output: names from the kernel (hubs, ttys, USB devices) are printed
 * bare when they consist of printable ASCII other than '"' and '\' (and are
 * not "-", which marks an absent value); otherwise, and for USB string
 * descriptors always, they are printed in double quotes with C escapes: a
 * backslash before '"' and '\', n r t for newline, carriage return and tab,
 * xHH for other control bytes, DEL and bytes that are not valid UTF-8.
 * Valid UTF-8 is printed as is.
 *
 * JSON output is json-c's, one document per line, "/" not escaped; strings
 * that are not valid UTF-8 have each bad byte replaced by U+FFFD.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pizwgctl.h"

static bool is_option(const char *arg, const char *name)
{
	return !strcmp(arg, name);
}

int parse_simple_args(int argc, char **argv, int max_pos,
		      struct simple_args *a, struct ctl_opts *opts,
		      char *err, size_t errlen)
{
	bool options = true;
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (options && is_option(arg, "--")) {
			options = false;
		} else if (options && is_option(arg, "--json")) {
			opts->json = true;
		} else if (options &&
			   (is_option(arg, "--help") || is_option(arg, "-h"))) {
			a->help = true;
			return 0;
		} else if (options && arg[0] == '-' && arg[1]) {
			snprintf(err, errlen, "unknown option \"%s\"", arg);
			return CTL_EXIT_USAGE;
		} else if (a->npos < max_pos) {
			a->name = arg;
			a->npos++;
		} else {
			snprintf(err, errlen, "unexpected argument \"%s\"", arg);
			return CTL_EXIT_USAGE;
		}
	}
	return 0;
}

/* Decimal digits only: no sign, no spaces, no base prefix. */
int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (*s - '0');
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int usage_error(const char *cmd, const char *msg)
{
	if (cmd)
		fprintf(stderr, "%s: %s: %s (try '%s %s --help')\n", PROG, cmd,
			msg, PROG, cmd);
	else
		fprintf(stderr, "%s: %s (try '%s --help')\n", PROG, msg, PROG);
	return CTL_EXIT_USAGE;
}

size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, beyond Unicode */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

char *utf8_sanitize(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	size_t i = 0, o = 0, len;
	char *out;

	out = malloc(3 * n + 1);
	if (!out)
		return NULL;
	while (i < n) {
		len = utf8_seq_len(p + i, n - i);
		if (len) {
			memcpy(out + o, p + i, len);
			o += len;
			i += len;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	out[o] = '\0';
	return out;
}

static bool is_bare(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!*p || !strcmp(s, "-"))
		return false;
	for (; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '\\')
			return false;
	return true;
}

static void put_escaped_byte(FILE *f, unsigned char c)
{
	switch (c) {
	case '"':
		fputs("\\\"", f);
		break;
	case '\\':
		fputs("\\\\", f);
		break;
	case '\n':
		fputs("\\n", f);
		break;
	case '\r':
		fputs("\\r", f);
		break;
	case '\t':
		fputs("\\t", f);
		break;
	default:
		if (c < ' ' || c >= 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

void put_quoted(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	size_t i = 0, len;

	fputc('"', f);
	while (i < n) {
		len = p[i] >= 0x80 ? utf8_seq_len(p + i, n - i) : 0;
		if (len) {
			fwrite(p + i, 1, len, f);
			i += len;
		} else {
			put_escaped_byte(f, p[i++]);
		}
	}
	fputc('"', f);
}

void put_token(FILE *f, const char *s)
{
	if (is_bare(s))
		fputs(s, f);
	else
		put_quoted(f, s);
}

void put_timestamp(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%09" PRIu64, ns / 1000000000u,
		ns % 1000000000u);
}

/* "port HUB PORT power on|off leased yes|no" */
void put_port_state(FILE *f, const struct pizwg_port_event *p)
{
	fputs("port ", f);
	put_token(f, p->hub);
	fprintf(f, " %" PRIu32 " power %s leased %s", p->port,
		p->power ? "on" : "off", p->leased ? "yes" : "no");
}

/* @name, or "unknown-N" for an enum value from a newer module */
const char *enum_name(const char *name, uint32_t value, char *buf,
		      size_t len)
{
	if (name)
		return name;
	snprintf(buf, len, "unknown-%" PRIu32, value);
	return buf;
}

/* Closes an open_memstream() stream: its text, or NULL on failure. */
char *memstream_done(FILE *f, char **buf)
{
	bool bad = ferror(f);

	if (fclose(f) || bad) {
		free(*buf);
		*buf = NULL;
	}
	return *buf;
}

/* Adds @val (consumed) as @key; false when out of memory. */
bool json_add(struct json_object *obj, const char *key,
	      struct json_object *val)
{
	if (!val)
		return false;
	if (json_object_object_add(obj, key, val)) {
		json_object_put(val);
		return false;
	}
	return true;
}

struct json_object *json_str(const char *s)
{
	struct json_object *obj;
	char *clean;

	clean = utf8_sanitize(s);
	if (!clean)
		return NULL;
	obj = json_object_new_string(clean);
	free(clean);
	return obj;
}

/* @key: @s, or null when absent (json-c represents null as NULL) */
bool json_add_str_or_null(struct json_object *obj, const char *key, bool has,
			  const char *s)
{
	if (has)
		return json_add(obj, key, json_str(s));
	return !json_object_object_add(obj, key, NULL);
}

/* USB vendor and product ids as lsusb prints them: "0658" */
struct json_object *json_usb_id(uint16_t id)
{
	char buf[5];

	snprintf(buf, sizeof(buf), "%04x", id);
	return json_object_new_string(buf);
}

/* "timestamp": "SECONDS.NANOSECONDS" (exact) and "timestamp_ns": N */
bool json_add_timestamp(struct json_object *obj, uint64_t ns)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64 ".%09" PRIu64, ns / 1000000000u,
		 ns % 1000000000u);
	return json_add(obj, "timestamp", json_object_new_string(buf)) &&
	       json_add(obj, "timestamp_ns", json_object_new_uint64(ns));
}

bool json_add_port_state(struct json_object *obj,
			 const struct pizwg_port_event *p)
{
	return json_add(obj, "hub", json_str(p->hub)) &&
	       json_add(obj, "port", json_object_new_int64(p->port)) &&
	       json_add(obj, "power", json_object_new_boolean(p->power)) &&
	       json_add(obj, "leased", json_object_new_boolean(p->leased));
}

/* @obj (consumed) as one line of JSON, newline included. */
char *json_line(struct json_object *obj)
{
	const char *s;
	char *line = NULL;

	if (!obj)
		return NULL;
	s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s && asprintf(&line, "%s\n", s) < 0)
		line = NULL;
	json_object_put(obj);
	return line;
}

/* Prints @text (consumed) to stdout and flushes: an exit code. */
int print_text(char *text)
{
	int ret = CTL_EXIT_OK;

	if (!text) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return CTL_EXIT_FAIL;
	}
	if (fputs(text, stdout) == EOF || fflush(stdout)) {
		fprintf(stderr, "%s: writing output: %s\n", PROG,
			strerror(errno));
		ret = CTL_EXIT_FAIL;
	}
	free(text);
	return ret;
}

int print_json(struct json_object *obj)
{
	return print_text(json_line(obj));
}

/*
 * "pizwgctl: WHAT: REASON (kernel: EXTACK)", the extack only when the
 * kernel sent one that REASON does not already contain; or, whatever the
 * command,
 * "pizwgctl: pizwg kernel module not loaded".
 */
char *error_line(const char *what, int err, const char *reason,
		 const char *extack)
{
	char *line = NULL;
	int ret;

	if (err == -EPROTONOSUPPORT)
		ret = asprintf(&line, "%s: %s", PROG, pizwg_genl_strerror(err));
	else if (extack && *extack && !strcasestr(reason, extack))
		ret = asprintf(&line, "%s: %s: %s (kernel: %s)", PROG, what,
			       reason, extack);
	else
		ret = asprintf(&line, "%s: %s: %s", PROG, what, reason);
	return ret < 0 ? NULL : line;
}

int fail(const char *what, int err, const char *reason, const char *extack)
{
	char *line;

	line = error_line(what, err, reason, extack);
	fprintf(stderr, "%s\n", line ? line : PROG ": out of memory");
	free(line);
	return CTL_EXIT_FAIL;
}

int run_listing(const struct listing *l, int argc, char **argv,
		struct ctl_opts *opts)
{
	struct simple_args a;
	struct pizwg_genl *g;
	char err[CTL_ERR_MAX];
	int ret;

	if (parse_simple_args(argc, argv, 1, &a, opts, err, sizeof(err)))
		return usage_error(l->cmd, err);
	if (a.help) {
		fputs(l->usage, stdout);
		return CTL_EXIT_OK;
	}
	ret = pizwg_genl_open(&g);
	if (ret)
		return fail(l->cmd, ret, pizwg_genl_strerror(ret), NULL);
	if (a.npos)
		ret = l->one(g, a.name, opts);
	else
		ret = l->all(g, opts);
	pizwg_genl_close(g);
	return ret;
}
