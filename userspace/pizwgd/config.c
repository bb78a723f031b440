// SPDX-License-Identifier: GPL-2.0-only
/*
 * pizwgd.conf: parse, validate, check files. See config.h for the format.
 *
 * Line numbers: the libinih builds of Debian and Arch call the handler
 * without one (INI_HANDLER_LINENO is 0 in the shared library, and a
 * library's handler signature cannot be changed from outside), and they
 * call no handler on a section header (INI_CALL_HANDLER_ON_NEW_SECTION 0).
 * So the text goes through ini_parse_stream() with our own reader,
 * read_line(), which hands libinih one line per call and counts them:
 * libinih calls the handler for a line before it asks for the next one,
 * so in on_key() the count is the key's line. The reader also does what
 * the library's build options would otherwise decide for us: it opens
 * sections (strictly: nothing but a comment after ']'), refuses lines that
 * are neither a section, a key = value pair nor a comment (libinih accepts
 * "key: value" and junk after ']'), refuses over-long lines (libinih would
 * split them silently) and strips leading blanks (so libinih never sees a
 * multi-line continuation). libinih splits key = value, strips blanks and
 * inline comments. The first error stops the reader; it is the one
 * reported.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Values are bounded by the line length, so they always fit our buffers. */
static_assert(CONF_LINE_MAX < CONF_PATH_MAX, "a path value fits CONF_PATH_MAX");

#define DEFAULT_LISTEN_PORT 3333
#define DEFAULT_CERT "/etc/pizwg/server.crt"
#define DEFAULT_KEY "/etc/pizwg/server.key"
#define DEFAULT_CA "/etc/pizwg/clients.pem"
#define DEFAULT_METRICS_DIR "/run/pizwg/metrics"

/* The kernel's USB bus numbers are 1..USB_MAXBUS - 1 (drivers/usb/core/hcd.c) */
#define USB_BUS_MAX 63
/* Hubs nest at most MAX_TOPO_LEVEL - 1 = 5 deep below the root hub. */
#define HUB_DEPTH_MAX 5
/* Ports of a hub: USB_MAXCHILDREN */
#define HUB_PORTS_MAX 31

struct parser {
	const char *file;
	const char *pos; /* start of the next line of the text */
	unsigned int lineno; /* of the line last handed to libinih */
	struct pizwg_config *conf;
	struct pizwg_gateway_config *cur; /* section being read, if any */
	bool failed;
	char *err;
	size_t errlen;
};

static void fail(struct parser *p, unsigned int line, const char *subject,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Records the first error as "FILE:LINE: SUBJECT: REASON". */
static void fail(struct parser *p, unsigned int line, const char *subject,
		 const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return;
	p->failed = true;
	if (!p->errlen)
		return;
	n = snprintf(p->err, p->errlen, "%s:%u: %s: ", p->file, line, subject);
	if (n < 0 || (size_t)n >= p->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * A decimal number in min..max at the start of @s, without sign or leading
 * zero; returns the first character after it, or NULL.
 */
static const char *scan_number(const char *s, unsigned long min,
			       unsigned long max, unsigned long *out)
{
	unsigned long long v = 0;

	if (!is_digit(*s) || (s[0] == '0' && is_digit(s[1])))
		return NULL;
	for (; is_digit(*s); s++) {
		v = v * 10 + (*s - '0');
		if (v > max)
			return NULL;
	}
	if (v < min)
		return NULL;
	*out = v;
	return s;
}

static int parse_number(const char *v, unsigned long min, unsigned long max,
			unsigned long *out, char *why, size_t n)
{
	const char *s;

	for (s = v; *s; s++) {
		if (!is_digit(*s))
			break;
	}
	if (*s || s == v) {
		snprintf(why, n, "'%s' is not a decimal number", v);
		return -EINVAL;
	}
	if (v[0] == '0' && v[1]) {
		snprintf(why, n, "'%s' has a leading zero", v);
		return -EINVAL;
	}
	if (!scan_number(v, min, max, out)) {
		snprintf(why, n, "'%s' is out of range %lu..%lu", v, min, max);
		return -EINVAL;
	}
	return 0;
}

static int parse_seconds(const char *v, unsigned long min, unsigned long max,
			 unsigned int *out, char *why, size_t n)
{
	unsigned long x;

	if (parse_number(v, min, max, &x, why, n))
		return -EINVAL;
	*out = x;
	return 0;
}

/* One of two words; false for the first, true for the second. */
static int parse_choice(const char *v, const char *no, const char *yes,
			bool *out, char *why, size_t n)
{
	if (!strcmp(v, no)) {
		*out = false;
		return 0;
	}
	if (!strcmp(v, yes)) {
		*out = true;
		return 0;
	}
	snprintf(why, n, "'%s' is not %s or %s", v, no, yes);
	return -EINVAL;
}

/* usbN, or BUS-PORT[.PORT]... as under /sys/bus/usb/devices */
static bool is_hub_name(const char *s)
{
	unsigned long x;
	int depth;

	if (!strncmp(s, "usb", 3)) {
		s = scan_number(s + 3, 1, USB_BUS_MAX, &x);
		return s && !*s;
	}
	s = scan_number(s, 1, USB_BUS_MAX, &x);
	if (!s || *s != '-')
		return false;
	for (depth = 1; depth <= HUB_DEPTH_MAX; depth++) {
		s = scan_number(s + 1, 1, HUB_PORTS_MAX, &x);
		if (!s)
			return false;
		if (!*s)
			return true;
		if (*s != '.')
			return false;
	}
	return false;
}

static int parse_hub(struct pizwg_gateway_config *g, const char *v, char *why,
		     size_t n)
{
	if (!is_hub_name(v)) {
		snprintf(
			why, n,
			"'%s' is not a USB hub name (usbN or BUS-PORT[.PORT]...)",
			v);
		return -EINVAL;
	}
	snprintf(g->stick.hub, sizeof(g->stick.hub), "%s", v);
	return 0;
}

static int parse_port(struct pizwg_gateway_config *g, const char *v, char *why,
		      size_t n)
{
	unsigned long x;

	if (parse_number(v, 1, HUB_PORTS_MAX, &x, why, n))
		return -EINVAL;
	g->stick.port = x;
	return 0;
}

static int parse_force(struct pizwg_gateway_config *g, const char *v, char *why,
		       size_t n)
{
	return parse_choice(v, "no", "yes", &g->stick.force, why, n);
}

static int hex_digit(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly four hex digits at @s */
static int hex16(const char *s, uint16_t *out)
{
	int i, d;

	*out = 0;
	for (i = 0; i < 4; i++) {
		d = hex_digit(s[i]);
		if (d < 0)
			return -EINVAL;
		*out = *out << 4 | d;
	}
	return 0;
}

static int parse_usb_id(struct pizwg_gateway_config *g, const char *v,
			char *why, size_t n)
{
	struct pizwg_stick_config *s = &g->stick;

	if (strlen(v) != 9 || v[4] != ':' || hex16(v, &s->vendor_id) ||
	    hex16(v + 5, &s->product_id)) {
		snprintf(why, n, "'%s' is not VID:PID (4 hex digits each)", v);
		return -EINVAL;
	}
	s->match_usb_id = true;
	return 0;
}

static int parse_serial(struct pizwg_gateway_config *g, const char *v,
			char *why, size_t n)
{
	const char *s;

	if (strlen(v) > CONF_SERIAL_MAX) {
		snprintf(why, n, "'%s' is longer than %d characters", v,
			 CONF_SERIAL_MAX);
		return -EINVAL;
	}
	for (s = v; *s; s++) {
		if (*s < 0x20 || *s > 0x7e) {
			snprintf(
				why, n,
				"'%s' has a character that is not printable ASCII",
				v);
			return -EINVAL;
		}
	}
	snprintf(g->stick.serial, sizeof(g->stick.serial), "%s", v);
	return 0;
}

static int parse_enumerate_timeout(struct pizwg_gateway_config *g,
				   const char *v, char *why, size_t n)
{
	return parse_seconds(v, 1, 300, &g->stick.enumerate_timeout, why, n);
}

/* The termios rates from 1200 up (Linux's Bnnn constants) */
static const unsigned int baud_rates[] = {
	1200,	 1800,	  2400,	   4800,    9600,    19200,   38400,   57600,
	115200,	 230400,  460800,  500000,  576000,  921600,  1000000, 1152000,
	1500000, 2000000, 2500000, 3000000, 3500000, 4000000,
};

/* "'V' is not a termios rate (1200, 1800, ... or 4000000)" */
static void list_baud_rates(char *why, size_t n, const char *v)
{
	size_t i, len;

	len = snprintf(why, n, "'%s' is not a termios rate (", v);
	for (i = 0; i < ARRAY_SIZE(baud_rates) && len < n; i++)
		len += snprintf(why + len, n - len, "%u%s", baud_rates[i],
				i + 2 < ARRAY_SIZE(baud_rates) ? ", " :
				i + 1 < ARRAY_SIZE(baud_rates) ? " or " :
								 ")");
}

static int parse_baud(struct pizwg_gateway_config *g, const char *v, char *why,
		      size_t n)
{
	unsigned long x;
	size_t i;

	if (parse_number(v, baud_rates[0],
			 baud_rates[ARRAY_SIZE(baud_rates) - 1], &x, why, n))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(baud_rates); i++) {
		if (baud_rates[i] == x) {
			g->stick.baud = x;
			return 0;
		}
	}
	list_baud_rates(why, n, v);
	return -EINVAL;
}

static int parse_listen(struct pizwg_gateway_config *g, const char *v,
			char *why, size_t n)
{
	struct sockaddr_in *sin = &g->tls.listen;
	char addr[INET_ADDRSTRLEN];
	const char *colon = strrchr(v, ':');
	unsigned long port;
	char port_why[CONF_ERR_MAX];
	size_t len;

	if (v[0] == '[') {
		snprintf(why, n, "'%s': IPv6 is not supported; use IPV4:PORT",
			 v);
		return -EINVAL;
	}
	if (!colon) {
		snprintf(why, n, "'%s' is not IPV4:PORT", v);
		return -EINVAL;
	}
	len = colon - v;
	if (len < sizeof(addr)) {
		memcpy(addr, v, len);
		addr[len] = '\0';
	}
	if (len >= sizeof(addr) ||
	    inet_pton(AF_INET, addr, &sin->sin_addr) != 1) {
		snprintf(why, n, "'%.*s' is not an IPv4 address", (int)len, v);
		return -EINVAL;
	}
	if (parse_number(colon + 1, 1, 65535, &port, port_why,
			 sizeof(port_why))) {
		snprintf(why, n, "port %s", port_why);
		return -EINVAL;
	}
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	return 0;
}

static int parse_path(const char *v, char *out, char *why, size_t n)
{
	if (v[0] != '/') {
		snprintf(why, n, "'%s' is not an absolute path", v);
		return -EINVAL;
	}
	snprintf(out, CONF_PATH_MAX, "%s", v);
	return 0;
}

static int parse_cert(struct pizwg_gateway_config *g, const char *v, char *why,
		      size_t n)
{
	return parse_path(v, g->tls.cert, why, n);
}

static int parse_key(struct pizwg_gateway_config *g, const char *v, char *why,
		     size_t n)
{
	return parse_path(v, g->tls.key, why, n);
}

static int parse_ca(struct pizwg_gateway_config *g, const char *v, char *why,
		    size_t n)
{
	return parse_path(v, g->tls.ca, why, n);
}

static int parse_ktls(struct pizwg_gateway_config *g, const char *v, char *why,
		      size_t n)
{
	bool off;

	if (parse_choice(v, "auto", "off", &off, why, n))
		return -EINVAL;
	g->tls.ktls = off ? CONF_KTLS_OFF : CONF_KTLS_AUTO;
	return 0;
}

static int parse_tcp_user_timeout(struct pizwg_gateway_config *g, const char *v,
				  char *why, size_t n)
{
	return parse_seconds(v, 1, 600, &g->tls.tcp_user_timeout, why, n);
}

/* 0: off (the default), dead clients are found by tcp_user_timeout */
static int parse_inactivity_timeout(struct pizwg_gateway_config *g,
				    const char *v, char *why, size_t n)
{
	if (!strcmp(v, "0")) {
		g->session.inactivity_timeout = 0;
		return 0;
	}
	if (parse_seconds(v, 10, 86400, &g->session.inactivity_timeout, why,
			  n)) {
		snprintf(why, n, "'%s' is neither 0 (off) nor in 10..86400", v);
		return -EINVAL;
	}
	return 0;
}

static int parse_exec(struct pizwg_gateway_config *g, const char *v, char *why,
		      size_t n)
{
	const char *prog = v + strlen("exec:");

	if (prog[0] != '/') {
		snprintf(why, n, "'%s': PROGRAM is not an absolute path", v);
		return -EINVAL;
	}
	if (strpbrk(prog, " \t")) {
		snprintf(
			why, n,
			"'%s': PROGRAM has a blank (it runs without arguments)",
			v);
		return -EINVAL;
	}
	g->session.on_end = CONF_END_EXEC;
	snprintf(g->session.program, sizeof(g->session.program), "%s", prog);
	return 0;
}

static int parse_close_grace(struct pizwg_gateway_config *g, const char *v,
			     char *why, size_t n)
{
	return parse_seconds(v, 0, 10000, &g->session.close_grace, why, n);
}

static int parse_exec_timeout(struct pizwg_gateway_config *g, const char *v,
			      char *why, size_t n)
{
	return parse_seconds(v, 1, 3600, &g->session.exec_timeout, why, n);
}

static int parse_on_session_end(struct pizwg_gateway_config *g, const char *v,
				char *why, size_t n)
{
	if (!strcmp(v, "reboot")) {
		g->session.on_end = CONF_END_REBOOT;
		return 0;
	}
	if (!strcmp(v, "restart")) {
		g->session.on_end = CONF_END_RESTART;
		return 0;
	}
	if (!strncmp(v, "exec:", strlen("exec:")))
		return parse_exec(g, v, why, n);
	snprintf(why, n, "'%s' is not reboot, restart or exec:PROGRAM", v);
	return -EINVAL;
}

static int parse_vrrp(struct pizwg_gateway_config *g, const char *v, char *why,
		      size_t n)
{
	return parse_choice(v, "off", "on", &g->vrrp.enabled, why, n);
}

/* A Linux interface name: 1..15 characters, no '/', ':', blank or '.'/'..' */
static int parse_interface(struct pizwg_gateway_config *g, const char *v,
			   char *why, size_t n)
{
	size_t len = strlen(v), i;

	if (len >= CONF_IFNAME_MAX) {
		snprintf(why, n, "'%s' is longer than %d characters", v,
			 CONF_IFNAME_MAX - 1);
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		if (v[i] == '/' || v[i] == ':' || v[i] <= ' ' || v[i] > '~') {
			snprintf(why, n, "'%s' is not an interface name", v);
			return -EINVAL;
		}
	}
	if (!strcmp(v, ".") || !strcmp(v, "..")) {
		snprintf(why, n, "'%s' is not an interface name", v);
		return -EINVAL;
	}
	memcpy(g->vrrp.interface, v, len + 1);
	return 0;
}

static int parse_vrid(struct pizwg_gateway_config *g, const char *v, char *why,
		      size_t n)
{
	unsigned long x;

	if (parse_number(v, 1, 255, &x, why, n))
		return -EINVAL;
	g->vrrp.vrid = x;
	return 0;
}

/* A unicast IPv4 address a host could hold (not 0/8, 127/8, 224/3). */
static int parse_host_ipv4(const char *v, size_t len, uint32_t *out, char *why,
			   size_t n)
{
	char addr[INET_ADDRSTRLEN];
	struct in_addr in;
	uint8_t first;

	if (len >= sizeof(addr)) {
		snprintf(why, n, "'%.*s' is not an IPv4 address", (int)len, v);
		return -EINVAL;
	}
	memcpy(addr, v, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, &in) != 1) {
		snprintf(why, n, "'%s' is not an IPv4 address", addr);
		return -EINVAL;
	}
	first = ntohl(in.s_addr) >> 24;
	if (first == 0 || first == 127 || first >= 224) {
		snprintf(why, n, "'%s' is not a unicast host address", addr);
		return -EINVAL;
	}
	*out = in.s_addr;
	return 0;
}

static int parse_vip(struct pizwg_gateway_config *g, const char *v, char *why,
		     size_t n)
{
	const char *slash = strchr(v, '/');
	char prefix_why[CONF_ERR_MAX];
	unsigned long prefix;

	if (!slash) {
		snprintf(why, n, "'%s' is not IPV4/PREFIX", v);
		return -EINVAL;
	}
	if (parse_host_ipv4(v, slash - v, &g->vrrp.vip, why, n))
		return -EINVAL;
	if (parse_number(slash + 1, 1, 32, &prefix, prefix_why,
			 sizeof(prefix_why))) {
		snprintf(why, n, "prefix %s", prefix_why);
		return -EINVAL;
	}
	g->vrrp.vip_prefix = prefix;
	g->vrrp.has_vip = true;
	return 0;
}

static int parse_priority(struct pizwg_gateway_config *g, const char *v,
			  char *why, size_t n)
{
	unsigned long x;

	/* 255 belongs to the address owner; pizwgd never owns the VIP */
	if (parse_number(v, 1, 254, &x, why, n))
		return -EINVAL;
	g->vrrp.priority = x;
	return 0;
}

static int parse_advert_interval(struct pizwg_gateway_config *g, const char *v,
				 char *why, size_t n)
{
	unsigned long x;

	/* 12 bits in VRRPv3; VRRPv2's whole seconds are checked at the end */
	if (parse_number(v, 1, 25500, &x, why, n))
		return -EINVAL;
	g->vrrp.advert_interval = x;
	return 0;
}

static int parse_preempt(struct pizwg_gateway_config *g, const char *v,
			 char *why, size_t n)
{
	return parse_choice(v, "no", "yes", &g->vrrp.preempt, why, n);
}

static int parse_vrrp_version(struct pizwg_gateway_config *g, const char *v,
			      char *why, size_t n)
{
	if (strcmp(v, "3") && strcmp(v, "2")) {
		snprintf(why, n, "'%s' is not 3 or 2", v);
		return -EINVAL;
	}
	g->vrrp.version = v[0] - '0';
	return 0;
}

static int parse_vrrp_checksum(struct pizwg_gateway_config *g, const char *v,
			       char *why, size_t n)
{
	bool rfc;

	if (parse_choice(v, "pseudo-header", "rfc9568", &rfc, why, n))
		return -EINVAL;
	g->vrrp.csum = rfc ? CONF_VRRP_CSUM_RFC9568 :
			     CONF_VRRP_CSUM_PSEUDO_HEADER;
	return 0;
}

static int parse_garp_count(struct pizwg_gateway_config *g, const char *v,
			    char *why, size_t n)
{
	unsigned long x;

	if (parse_number(v, 0, 100, &x, why, n))
		return -EINVAL;
	g->vrrp.garp_count = x;
	return 0;
}

static int parse_garp_interval(struct pizwg_gateway_config *g, const char *v,
			       char *why, size_t n)
{
	unsigned long x;

	if (parse_number(v, 1, 10000, &x, why, n))
		return -EINVAL;
	g->vrrp.garp_interval = x;
	return 0;
}

/* IPV4[,IPV4]...: blanks around the commas are allowed */
static int parse_peers(struct pizwg_gateway_config *g, const char *v,
		       char *why, size_t n)
{
	struct pizwg_vrrp_config *r = &g->vrrp;
	const char *s = v, *e;
	unsigned int i;
	uint32_t a;

	r->n_peers = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		for (e = s; *e && *e != ',' && *e != ' ' && *e != '\t'; e++)
			;
		if (e == s) {
			snprintf(why, n, "'%s': an address is missing", v);
			return -EINVAL;
		}
		if (parse_host_ipv4(s, e - s, &a, why, n))
			return -EINVAL;
		for (i = 0; i < r->n_peers; i++) {
			if (r->peers[i] == a) {
				snprintf(why, n, "'%.*s' is listed twice",
					 (int)(e - s), s);
				return -EINVAL;
			}
		}
		if (r->n_peers == CONF_PEERS_MAX) {
			snprintf(why, n, "more than %d peers", CONF_PEERS_MAX);
			return -EINVAL;
		}
		r->peers[r->n_peers++] = a;
		while (*e == ' ' || *e == '\t')
			e++;
		if (!*e)
			return 0;
		if (*e != ',') {
			snprintf(why, n, "'%s': peers are separated by commas",
				 v);
			return -EINVAL;
		}
		s = e + 1;
	}
}

static int parse_metrics_dir(struct pizwg_gateway_config *g, const char *v,
			     char *why, size_t n)
{
	if (!strcmp(v, "off")) {
		g->metrics_dir[0] = '\0';
		return 0;
	}
	if (v[0] != '/') {
		snprintf(why, n, "'%s' is neither an absolute path nor off", v);
		return -EINVAL;
	}
	return parse_path(v, g->metrics_dir, why, n);
}

/*
 * The keys and their value parsers. A parser gets a non-empty value and
 * stores it in @g, or writes why it is bad into @why and returns -EINVAL.
 */
static const struct {
	const char *name;
	int (*parse)(struct pizwg_gateway_config *g, const char *v, char *why,
		     size_t n);
} keys[CONF_KEY_COUNT] = {
	[CONF_KEY_HUB] = { "hub", parse_hub },
	[CONF_KEY_PORT] = { "port", parse_port },
	[CONF_KEY_FORCE] = { "force", parse_force },
	[CONF_KEY_USB_ID] = { "usb_id", parse_usb_id },
	[CONF_KEY_SERIAL] = { "serial", parse_serial },
	[CONF_KEY_ENUMERATE_TIMEOUT] = { "enumerate_timeout",
					 parse_enumerate_timeout },
	[CONF_KEY_BAUD] = { "baud", parse_baud },
	[CONF_KEY_LISTEN] = { "listen", parse_listen },
	[CONF_KEY_CERT] = { "cert", parse_cert },
	[CONF_KEY_KEY] = { "key", parse_key },
	[CONF_KEY_CA] = { "ca", parse_ca },
	[CONF_KEY_KTLS] = { "ktls", parse_ktls },
	[CONF_KEY_TCP_USER_TIMEOUT] = { "tcp_user_timeout",
					parse_tcp_user_timeout },
	[CONF_KEY_INACTIVITY_TIMEOUT] = { "inactivity_timeout",
					  parse_inactivity_timeout },
	[CONF_KEY_CLOSE_GRACE] = { "close_grace", parse_close_grace },
	[CONF_KEY_ON_SESSION_END] = { "on_session_end", parse_on_session_end },
	[CONF_KEY_EXEC_TIMEOUT] = { "exec_timeout", parse_exec_timeout },
	[CONF_KEY_VRRP] = { "vrrp", parse_vrrp },
	[CONF_KEY_METRICS_DIR] = { "metrics_dir", parse_metrics_dir },
	[CONF_KEY_INTERFACE] = { "interface", parse_interface },
	[CONF_KEY_VRID] = { "vrid", parse_vrid },
	[CONF_KEY_VIP] = { "vip", parse_vip },
	[CONF_KEY_PRIORITY] = { "priority", parse_priority },
	[CONF_KEY_ADVERT_INTERVAL] = { "advert_interval",
				       parse_advert_interval },
	[CONF_KEY_PREEMPT] = { "preempt", parse_preempt },
	[CONF_KEY_VRRP_VERSION] = { "vrrp_version", parse_vrrp_version },
	[CONF_KEY_VRRP_CHECKSUM] = { "vrrp_checksum", parse_vrrp_checksum },
	[CONF_KEY_GARP_COUNT] = { "garp_count", parse_garp_count },
	[CONF_KEY_GARP_INTERVAL] = { "garp_interval", parse_garp_interval },
	[CONF_KEY_PEERS] = { "peers", parse_peers },
};

const char *config_key_name(enum conf_key key)
{
	return key < CONF_KEY_COUNT ? keys[key].name : NULL;
}

unsigned int config_key_line(const struct pizwg_gateway_config *g,
			     enum conf_key key)
{
	return g->key_line[key] ? g->key_line[key] : g->line;
}

static void set_defaults(struct pizwg_gateway_config *g)
{
	g->stick.enumerate_timeout = 10;
	g->stick.baud = 115200;
	g->tls.listen.sin_family = AF_INET;
	g->tls.listen.sin_addr.s_addr = htonl(INADDR_ANY);
	g->tls.listen.sin_port = htons(DEFAULT_LISTEN_PORT);
	snprintf(g->tls.cert, sizeof(g->tls.cert), "%s", DEFAULT_CERT);
	snprintf(g->tls.key, sizeof(g->tls.key), "%s", DEFAULT_KEY);
	snprintf(g->tls.ca, sizeof(g->tls.ca), "%s", DEFAULT_CA);
	g->tls.ktls = CONF_KTLS_AUTO;
	g->tls.tcp_user_timeout = 30;
	g->session.inactivity_timeout = 0;
	g->session.close_grace = 1000;
	g->session.on_end = CONF_END_REBOOT;
	g->session.exec_timeout = 60;
	g->vrrp.enabled = true;
	g->vrrp.vrid = 254;
	g->vrrp.advert_interval = 20;
	g->vrrp.version = 3;
	g->vrrp.csum = CONF_VRRP_CSUM_PSEUDO_HEADER;
	g->vrrp.garp_count = 5;
	g->vrrp.garp_interval = 100;
	snprintf(g->metrics_dir, sizeof(g->metrics_dir), "%s",
		 DEFAULT_METRICS_DIR);
}

static void format_listen(const struct sockaddr_in *sin, char *buf, size_t n)
{
	char addr[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
	snprintf(buf, n, "%s:%u", addr, ntohs(sin->sin_port));
}

/* Both cannot bind: same port, and the same address or a wildcard. */
static bool listens_clash(const struct sockaddr_in *a,
			  const struct sockaddr_in *b)
{
	return a->sin_port == b->sin_port &&
	       (a->sin_addr.s_addr == b->sin_addr.s_addr ||
		a->sin_addr.s_addr == htonl(INADDR_ANY) ||
		b->sin_addr.s_addr == htonl(INADDR_ANY));
}

static void check_listen(struct parser *p, const struct pizwg_gateway_config *g)
{
	const struct pizwg_gateway_config *o;
	char mine[32], theirs[32];

	/* not known before config_resolve_vrrp() */
	if (g->vrrp.enabled && !g->key_line[CONF_KEY_LISTEN] &&
	    !g->vrrp.has_vip)
		return;
	for (o = p->conf->gateways; o < g; o++) {
		if (o->vrrp.enabled && !o->key_line[CONF_KEY_LISTEN] &&
		    !o->vrrp.has_vip)
			continue;
		if (!listens_clash(&g->tls.listen, &o->tls.listen))
			continue;
		format_listen(&g->tls.listen, mine, sizeof(mine));
		format_listen(&o->tls.listen, theirs, sizeof(theirs));
		fail(p, config_key_line(g, CONF_KEY_LISTEN), "listen",
		     "%s clashes with %s of [gateway %s] at line %u", mine,
		     theirs, o->name, config_key_line(o, CONF_KEY_LISTEN));
		return;
	}
}

static const char *metrics_dir_text(const struct pizwg_gateway_config *g)
{
	return g->metrics_dir[0] ? g->metrics_dir : "off";
}

/* One metrics file holds every gateway, so there is one metrics_dir. */
static void check_metrics_dir(struct parser *p,
			      const struct pizwg_gateway_config *g)
{
	const struct pizwg_gateway_config *first = p->conf->gateways;

	if (g == first || !strcmp(g->metrics_dir, first->metrics_dir))
		return;
	fail(p, config_key_line(g, CONF_KEY_METRICS_DIR), "metrics_dir",
	     "'%s' differs from '%s' of [gateway %s] at line %u; every section needs the same",
	     metrics_dir_text(g), metrics_dir_text(first), first->name,
	     config_key_line(first, CONF_KEY_METRICS_DIR));
}

/* Two instances on one interface cannot share a VRID. */
static void check_vrid(struct parser *p, const struct pizwg_gateway_config *g)
{
	const struct pizwg_gateway_config *o;

	if (!g->vrrp.enabled || !g->vrrp.interface[0])
		return;
	for (o = p->conf->gateways; o < g; o++) {
		if (!o->vrrp.enabled || o->vrrp.vrid != g->vrrp.vrid ||
		    strcmp(o->vrrp.interface, g->vrrp.interface))
			continue;
		fail(p, config_key_line(g, CONF_KEY_VRID), "vrid",
		     "%u on %s is taken by [gateway %s] at line %u",
		     g->vrrp.vrid, g->vrrp.interface, o->name,
		     config_key_line(o, CONF_KEY_VRID));
		return;
	}
}

/* The VRRP keys together: only with vrrp = on, and consistent. */
static void check_vrrp(struct parser *p, struct pizwg_gateway_config *g)
{
	struct pizwg_vrrp_config *r = &g->vrrp;
	unsigned int k;

	if (!r->enabled) {
		for (k = CONF_KEY_INTERFACE; k <= CONF_KEY_PEERS; k++) {
			if (g->key_line[k]) {
				fail(p, g->key_line[k], keys[k].name,
				     "only with vrrp = on");
				return;
			}
		}
		return;
	}
	if (r->version == 2) {
		/* VRRPv2 counts seconds: the default becomes 1 s */
		if (!g->key_line[CONF_KEY_ADVERT_INTERVAL])
			r->advert_interval = 100;
		if (r->advert_interval % 100) {
			fail(p, config_key_line(g, CONF_KEY_ADVERT_INTERVAL),
			     "advert_interval",
			     "%u cs: vrrp_version 2 counts whole seconds; use a multiple of 100",
			     r->advert_interval);
			return;
		}
		if (g->key_line[CONF_KEY_VRRP_CHECKSUM]) {
			fail(p, g->key_line[CONF_KEY_VRRP_CHECKSUM],
			     "vrrp_checksum", "only with vrrp_version 3");
			return;
		}
	} else if (r->advert_interval > 4095) {
		fail(p, config_key_line(g, CONF_KEY_ADVERT_INTERVAL),
		     "advert_interval", "'%u' is out of range 1..4095",
		     r->advert_interval);
		return;
	}
	if (r->has_vip && !g->key_line[CONF_KEY_LISTEN])
		g->tls.listen.sin_addr.s_addr = r->vip;
	check_vrid(p, g);
}

/*
 * The checks that need the whole section: required keys, VRRP, listen
 * clashes, the shared metrics_dir.
 */
static void finish_section(struct parser *p)
{
	struct pizwg_gateway_config *g = p->cur;
	static const enum conf_key required[] = { CONF_KEY_HUB, CONF_KEY_PORT };
	char subject[CONF_NAME_MAX + 16];
	size_t i;

	if (!g)
		return;
	snprintf(subject, sizeof(subject), "[gateway %s]", g->name);
	for (i = 0; i < ARRAY_SIZE(required); i++) {
		if (!g->key_line[required[i]]) {
			fail(p, g->line, subject, "missing key '%s'",
			     keys[required[i]].name);
			return;
		}
	}
	if (g->key_line[CONF_KEY_EXEC_TIMEOUT] &&
	    g->session.on_end != CONF_END_EXEC) {
		fail(p, g->key_line[CONF_KEY_EXEC_TIMEOUT], "exec_timeout",
		     "only with on_session_end = exec:PROGRAM");
		return;
	}
	check_vrrp(p, g);
	check_listen(p, g);
	check_metrics_dir(p, g);
}

static bool is_name_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}

static bool is_gateway_name(const char *s, size_t len)
{
	size_t i;

	if (!len || len > CONF_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		if (!is_name_char(s[i]))
			return false;
	}
	return true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_blanks(const char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

/* The span [*s, *e) without blanks at either end */
static void trim(const char **s, const char **e)
{
	*s = skip_blanks(*s);
	while (*e > *s && is_blank((*e)[-1]))
		(*e)--;
}

static void add_gateway(struct parser *p, const char *name, size_t len,
			const char *subject)
{
	struct pizwg_config *c = p->conf;
	struct pizwg_gateway_config *g;
	unsigned int i;

	for (i = 0; i < c->n_gateways; i++) {
		if (strlen(c->gateways[i].name) == len &&
		    !memcmp(c->gateways[i].name, name, len)) {
			fail(p, p->lineno, subject,
			     "duplicate section (first at line %u)",
			     c->gateways[i].line);
			return;
		}
	}
	if (c->n_gateways == CONF_GATEWAYS_MAX) {
		fail(p, p->lineno, subject, "more than %d gateways",
		     CONF_GATEWAYS_MAX);
		return;
	}
	g = &c->gateways[c->n_gateways++];
	memcpy(g->name, name, len);
	g->line = p->lineno;
	set_defaults(g);
	p->cur = g;
}

/* A line starting with '[': ends the current section, opens the next. */
static void open_section(struct parser *p, const char *line)
{
	const char *close = strchr(line, ']');
	const char *s = line + 1, *e = close, *name;
	char subject[CONF_LINE_MAX + 1];
	const char *rest;

	if (!close) {
		fail(p, p->lineno, "syntax", "section header without ']'");
		return;
	}
	finish_section(p);
	if (p->failed)
		return;
	snprintf(subject, sizeof(subject), "%.*s", (int)(close - line + 1),
		 line);
	rest = skip_blanks(close + 1);
	if (*rest && *rest != ';' && *rest != '#') {
		fail(p, p->lineno, subject, "unexpected text after ']'");
		return;
	}
	trim(&s, &e);
	if (e - s < 7 || strncmp(s, "gateway", 7) ||
	    (e - s > 7 && !is_blank(s[7]))) {
		fail(p, p->lineno, subject,
		     "unknown section (expected [gateway NAME])");
		return;
	}
	for (name = s + 7; name < e && is_blank(*name); name++)
		;
	if (name == e) {
		fail(p, p->lineno, subject,
		     "missing NAME (expected [gateway NAME])");
		return;
	}
	if (!is_gateway_name(name, e - name)) {
		fail(p, p->lineno, subject,
		     "'%.*s' is not a NAME (1..%d of A-Z a-z 0-9 _ -)",
		     (int)(e - name), name, CONF_NAME_MAX);
		return;
	}
	add_gateway(p, name, e - name, subject);
}

/*
 * A line that is not blank, a comment or a section must be KEY = VALUE,
 * with the '=' before any ':' (libinih also takes "KEY: VALUE") and
 * before an inline comment.
 */
static void check_key_line(struct parser *p, const char *line)
{
	const char *s;

	if (line[0] == '=') {
		fail(p, p->lineno, "syntax", "missing key before '='");
		return;
	}
	for (s = line; *s && *s != ':'; s++) {
		if (*s == '=')
			return;
		if (*s == ';' && is_blank(s[-1]))
			break;
	}
	fail(p, p->lineno, "syntax",
	     "expected [gateway NAME], KEY = VALUE or a comment");
}

/* Control characters would garble the one-line error messages. */
static bool check_chars(struct parser *p, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			fail(p, p->lineno, "syntax", "control character 0x%02x",
			     c);
			return false;
		}
	}
	return true;
}

static void classify_line(struct parser *p, const char *line)
{
	if (line[0] == '[')
		open_section(p, line);
	else if (line[0] && line[0] != ';' && line[0] != '#')
		check_key_line(p, line);
}

/*
 * The longest line libinih's buffer of @num bytes takes with "\r\n\0", as
 * its ini.h says, and no longer than CONF_LINE_MAX (200 - 3 in our builds)
 */
static size_t line_max(int num)
{
	if (num < 3)
		return 0;
	return num - 3 < CONF_LINE_MAX ? num - 3 : CONF_LINE_MAX;
}

/*
 * The ini_reader: the next line into @buf, without its "\n" or "\r\n", a
 * UTF-8 byte order mark or leading blanks. NULL at the end or after the
 * first error.
 */
static char *read_line(char *buf, int num, void *stream)
{
	struct parser *p = stream;
	const char *s = p->pos, *nl;
	size_t len, max;

	if (p->failed || !*s)
		return NULL;
	p->lineno++;
	nl = strchr(s, '\n');
	len = nl ? (size_t)(nl - s) : strlen(s);
	p->pos = s + len + (nl ? 1 : 0);
	if (len && s[len - 1] == '\r')
		len--;
	if (p->lineno == 1 && len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3)) {
		s += 3;
		len -= 3;
	}
	max = line_max(num);
	if (len > max) {
		fail(p, p->lineno, "syntax", "line longer than %zu characters",
		     max);
		return NULL;
	}
	if (!check_chars(p, s, len))
		return NULL;
	while (len && is_blank(*s)) {
		s++;
		len--;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	classify_line(p, buf);
	return p->failed ? NULL : buf;
}

static int find_key(const char *name)
{
	int i;

	for (i = 0; i < CONF_KEY_COUNT; i++) {
		if (!strcmp(keys[i].name, name))
			return i;
	}
	return -1;
}

/* The ini_handler: KEY = VALUE on line p->lineno */
static int on_key(void *user, const char *section, const char *name,
		  const char *value)
{
	struct parser *p = user;
	struct pizwg_gateway_config *g = p->cur;
	char why[CONF_ERR_MAX];
	int k;

	(void)section;
	if (!g) {
		fail(p, p->lineno, name,
		     "key outside a [gateway NAME] section");
		return 0;
	}
	k = find_key(name);
	if (k < 0) {
		fail(p, p->lineno, name, "unknown key");
		return 0;
	}
	if (g->key_line[k]) {
		fail(p, p->lineno, name, "duplicate key (first at line %u)",
		     g->key_line[k]);
		return 0;
	}
	if (!*value) {
		fail(p, p->lineno, name, "empty value");
		return 0;
	}
	if (keys[k].parse(g, value, why, sizeof(why))) {
		fail(p, p->lineno, name, "%s", why);
		return 0;
	}
	g->key_line[k] = p->lineno;
	return 1;
}

/* The default VIP: (addr & mask) | 254, for a prefix of /24 or shorter. */
static int vrrp_default_vip(uint32_t addr, unsigned int prefix, uint32_t *vip,
			    char *why, size_t n)
{
	uint32_t a = ntohl(addr), mask;
	char s[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &addr, s, sizeof(s));
	if (prefix < 1 || prefix > 24) {
		snprintf(why, n,
			 "no default: %s/%u has a prefix longer than /24; set vip",
			 s, prefix);
		return -1;
	}
	mask = prefix == 32 ? ~0u : ~(~0u >> prefix);
	if ((a & 0xff) == 254) {
		snprintf(why, n,
			 "no default: the host itself is %s, the .254; set vip",
			 s);
		return -1;
	}
	*vip = htonl((a & mask) | 254);
	return 0;
}

int config_resolve_vrrp(struct pizwg_config *c, const struct conf_host *host,
			char *err, size_t errlen)
{
	struct parser p = {
		.file = c->file,
		.conf = c,
		.err = err,
		.errlen = errlen,
	};
	char why[CONF_ERR_MAX];
	uint32_t addr, vip;
	uint8_t prefix, prio;
	unsigned int i;

	if (errlen)
		err[0] = '\0';
	for (i = 0; i < c->n_gateways && !p.failed; i++) {
		struct pizwg_gateway_config *g = &c->gateways[i];
		struct pizwg_vrrp_config *r = &g->vrrp;

		if (!r->enabled)
			continue;
		if (!r->interface[0] &&
		    host->default_if(r->interface, sizeof(r->interface), why,
				     sizeof(why))) {
			fail(&p, g->line, "interface", "no default: %s", why);
			break;
		}
		if (r->has_vip && r->priority)
			continue;
		if (host->addr_of(r->interface, &addr, &prefix, why,
				  sizeof(why))) {
			fail(&p, config_key_line(g, r->has_vip ?
						 CONF_KEY_PRIORITY :
						 CONF_KEY_VIP),
			     r->has_vip ? "priority" : "vip",
			     "no default: %s: %s", r->interface, why);
			break;
		}
		if (!r->has_vip &&
		    vrrp_default_vip(addr, prefix, &vip, why, sizeof(why))) {
			fail(&p, config_key_line(g, CONF_KEY_VIP), "vip", "%s",
			     why);
			break;
		}
		/* the last octet, clamped to 1..253 */
		prio = ntohl(addr) & 0xff;
		prio = prio < 1 ? 1 : prio > 253 ? 253 : prio;
		if (!r->has_vip) {
			r->vip = vip;
			r->vip_prefix = prefix;
			r->has_vip = true;
			if (!g->key_line[CONF_KEY_LISTEN])
				g->tls.listen.sin_addr.s_addr = vip;
		}
		if (!r->priority)
			r->priority = prio;
	}
	for (i = 0; i < c->n_gateways && !p.failed; i++) {
		check_vrid(&p, &c->gateways[i]);
		check_listen(&p, &c->gateways[i]);
	}
	return p.failed ? -EINVAL : 0;
}

int config_parse_string(const char *text, const char *filename,
			struct pizwg_config *out, char *err, size_t errlen)
{
	struct parser p = {
		.file = filename,
		.pos = text,
		.conf = out,
		.err = err,
		.errlen = errlen,
	};
	int ret;

	memset(out, 0, sizeof(*out));
	snprintf(out->file, sizeof(out->file), "%s", filename);
	if (errlen)
		err[0] = '\0';
	ret = ini_parse_stream(read_line, &p, on_key, &p);
	/* our reader is stricter than libinih: this is a build we don't know */
	if (ret)
		fail(&p, ret > 0 ? (unsigned int)ret : p.lineno, "syntax",
		     "refused by libinih (%d)", ret);
	finish_section(&p);
	if (!out->n_gateways)
		fail(&p, p.lineno ? p.lineno : 1, "[gateway NAME]",
		     "no section; at least one is required");
	return p.failed ? -EINVAL : 0;
}

/* Line of the first NUL byte in @buf, or 0 without one */
static unsigned int nul_line(const char *buf, size_t n)
{
	const char *nul = memchr(buf, '\0', n);
	unsigned int line = 1;
	const char *s;

	if (!nul)
		return 0;
	for (s = buf; s < nul; s++)
		line += *s == '\n';
	return line;
}

/* Up to @size bytes of @path into @buf; returns the count or -errno. */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	while ((size_t)total < size) {
		n = read(fd, buf + total, size - total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (!n)
			break;
		total += n;
	}
	ret = 0;
out:
	close(fd);
	return ret ? ret : total;
}

int config_load(const char *path, struct pizwg_config *out, char *err,
		size_t errlen)
{
	char buf[CONF_SIZE_MAX + 1];
	unsigned int line;
	ssize_t n;

	n = read_file(path, buf, CONF_SIZE_MAX + 1);
	if (n < 0) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 strerror(-n));
		return n;
	}
	if (n > CONF_SIZE_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes", path,
			 CONF_SIZE_MAX);
		return -EFBIG;
	}
	line = nul_line(buf, n);
	if (line) {
		snprintf(err, errlen, "%s:%u: syntax: NUL byte", path, line);
		return -EINVAL;
	}
	buf[n] = '\0';
	return config_parse_string(buf, path, out, err, errlen);
}

struct file_check {
	const struct pizwg_config *c;
	const struct pizwg_gateway_config *g;
	enum conf_key key;
	const char *path;
	char *err;
	size_t errlen;
};

static int file_fail(const struct file_check *f, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "FILE:LINE: KEY: PATH: REASON"; returns @ret */
static int file_fail(const struct file_check *f, int ret, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(f->err, f->errlen, "%s:%u: %s: %s: ", f->c->file,
		     config_key_line(f->g, f->key), keys[f->key].name, f->path);
	if (n >= 0 && (size_t)n < f->errlen) {
		va_start(ap, fmt);
		vsnprintf(f->err + n, f->errlen - n, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* A regular file we can open for reading; its status in @out. */
static int check_regular(const struct file_check *f, struct stat *out)
{
	struct stat st;
	int fd, ret = 0;

	fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return file_fail(f, -errno, "%s", strerror(errno));
	if (fstat(fd, &st)) {
		ret = file_fail(f, -errno, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = file_fail(f, -EINVAL, "not a regular file");
		goto out;
	}
	*out = st;
out:
	close(fd);
	return ret;
}

/*
 * Only root may change what root runs: @st (of @dir, or of the program
 * itself when @dir is NULL) is owned by root and not writable by group or
 * others. A sticky bit does not help: others may still create names there.
 */
static int check_root_only(const struct file_check *f, const struct stat *st,
			   const char *dir)
{
	unsigned int mode = st->st_mode & 07777;

	if (st->st_uid && dir)
		return file_fail(f, -EPERM,
				 "directory %s is owned by uid %u, not root",
				 dir, (unsigned int)st->st_uid);
	if (st->st_uid)
		return file_fail(f, -EPERM, "owned by uid %u, not root",
				 (unsigned int)st->st_uid);
	if ((mode & 0022) && dir)
		return file_fail(
			f, -EPERM,
			"directory %s has mode %04o: group or others can write it",
			dir, mode);
	if (mode & 0022)
		return file_fail(f, -EPERM,
				 "mode %04o: group or others can write it",
				 mode);
	return 0;
}

/* @path and every directory above it, up to "/", only root can change. */
static int check_root_chain(const struct file_check *f, const char *path)
{
	char dir[CONF_PATH_MAX];
	struct stat st;
	char *slash;
	int ret;

	if (stat(path, &st))
		return file_fail(f, -errno, "%s", strerror(errno));
	ret = check_root_only(f, &st, NULL);
	snprintf(dir, sizeof(dir), "%s", path);
	while (!ret) {
		slash = strrchr(dir, '/');
		if (!slash)
			break;
		slash[slash == dir] = '\0'; /* keep the "/" of the root */
		if (stat(dir, &st))
			return file_fail(f, -errno, "directory %s: %s", dir,
					 strerror(errno));
		ret = check_root_only(f, &st, dir);
		if (slash == dir)
			break;
	}
	return ret;
}

/* check_root_chain() as written, and once more with links resolved. */
static int check_root_chains(const struct file_check *f)
{
	char real[PATH_MAX];
	int ret;

	ret = check_root_chain(f, f->path);
	if (ret)
		return ret;
	if (!realpath(f->path, real))
		return file_fail(f, -errno, "%s", strerror(errno));
	if (strlen(real) >= CONF_PATH_MAX)
		return file_fail(f, -ENAMETOOLONG,
				 "resolves to a path too long");
	return strcmp(real, f->path) ? check_root_chain(f, real) : 0;
}

static int check_program(const struct file_check *f)
{
	if (access(f->path, X_OK))
		return file_fail(f, -errno, "not executable: %s",
				 strerror(errno));
	return check_root_chains(f);
}

static int check_file(struct file_check *f, enum conf_key key, const char *path)
{
	struct stat st;
	int ret;

	f->key = key;
	f->path = path;
	ret = check_regular(f, &st);
	if (ret)
		return ret;
	if (key == CONF_KEY_KEY && st.st_uid)
		return file_fail(f, -EPERM,
				 "owned by uid %u, not root; chown root it",
				 (unsigned int)st.st_uid);
	if (key == CONF_KEY_KEY && (st.st_mode & 0077))
		return file_fail(
			f, -EINVAL,
			"mode %04o lets group or others in; chmod 600 it",
			(unsigned int)(st.st_mode & 07777));
	if (key == CONF_KEY_ON_SESSION_END)
		return check_program(f);
	/*
	 * Whoever can change the CA bundle decides who gets the stick, and the
	 * key and certificate are the server's identity: root's alone.
	 */
	return check_root_chains(f);
}

static int check_gateway_files(struct file_check *f)
{
	const struct pizwg_gateway_config *g = f->g;
	int ret;

	ret = check_file(f, CONF_KEY_CERT, g->tls.cert);
	if (!ret)
		ret = check_file(f, CONF_KEY_KEY, g->tls.key);
	if (!ret)
		ret = check_file(f, CONF_KEY_CA, g->tls.ca);
	if (!ret && g->session.on_end == CONF_END_EXEC)
		ret = check_file(f, CONF_KEY_ON_SESSION_END,
				 g->session.program);
	return ret;
}

int config_check_files(const struct pizwg_config *c, char *err, size_t errlen)
{
	struct file_check f = { .c = c, .err = err, .errlen = errlen };
	unsigned int i;
	int ret;

	if (errlen)
		err[0] = '\0';
	for (i = 0; i < c->n_gateways; i++) {
		f.g = &c->gateways[i];
		ret = check_gateway_files(&f);
		if (ret)
			return ret;
	}
	return 0;
}
