/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pizwgctl: declarations shared by main.c, the subcommands (one file each)
 * and the unit tests. Everything that turns data into output is a pure
 * function here (struct in, malloc'ed string or json-c object out), so that
 * tests/unit can check every format without netlink.
 */
#ifndef PIZWGCTL_H
#define PIZWGCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#include "pizwg_genl.h"

#define PROG "pizwgctl"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit codes of every subcommand. */
enum {
	CTL_EXIT_OK = 0,
	CTL_EXIT_FAIL = 1,	/* refused or failed; one line on stderr */
	CTL_EXIT_USAGE = 2,	/* bad command line; one line on stderr */
};

#define CTL_ERR_MAX 256

struct ctl_opts {
	bool json;
};

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv, struct ctl_opts *opts);
	const char *summary;
};

int cmd_hubs(int argc, char **argv, struct ctl_opts *opts);
int cmd_ttys(int argc, char **argv, struct ctl_opts *opts);
int cmd_power(int argc, char **argv, struct ctl_opts *opts);
int cmd_monitor(int argc, char **argv, struct ctl_opts *opts);
int cmd_status(int argc, char **argv, struct ctl_opts *opts);
int cmd_guard(int argc, char **argv, struct ctl_opts *opts);

/*
 * guard.c: the module's guard parameter from pizwgd's configuration. The
 * value ("1-1.4:2,usb1:1": each stick port once, in file order), the
 * modprobe.d line, the whole file (malloc'ed), and its atomic write (-errno
 * with one line in @err). Return 0 or -ENOSPC / NULL.
 */
struct pizwg_config;
int guard_value(const struct pizwg_config *conf, char *out, size_t len);
int guard_line(const struct pizwg_config *conf, char *out, size_t len);
char *guard_file_text(const struct pizwg_config *conf, const char *config);
int guard_write_file(const char *path, const char *text, char *err,
		     size_t errlen);
/*
 * Whether a modprobe.d line sets pizwg's guard ("options pizwg ...
 * guard=..."); and guard_others() prints a warning on @out for each *.conf
 * file in @dirs (NULL-terminated), other than @ours, that has one: of two
 * guard values modprobe passes the module the last it read. Returns how
 * many it found.
 */
bool guard_sets_guard(const char *line);
int guard_others(const char *const *dirs, const char *ours, FILE *out);
/*
 * Whether a kernel command line sets "pizwg.guard=", which modprobe passes
 * too; guard_cmdline() warns on @out if the one in @path (/proc/cmdline)
 * does, and returns 1 then, else 0.
 */
bool guard_cmdline_sets_guard(const char *cmdline);
int guard_cmdline(const char *path, FILE *out);

/* fmt.c: command-line helpers */

/*
 * The arguments of a subcommand without options of its own: --json,
 * --help/-h, "--", and at most @max_pos (0 or 1) names, in any order.
 * Returns 0 or CTL_EXIT_USAGE with @err set.
 */
struct simple_args {
	bool help;
	int npos;
	const char *name;
};

int parse_simple_args(int argc, char **argv, int max_pos,
		      struct simple_args *a, struct ctl_opts *opts,
		      char *err, size_t errlen);
int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
int usage_error(const char *cmd, const char *msg);

/*
 * The shape of the listing commands (hubs, ttys): [NAME] or --help, then
 * @one for a named object or @all for every one.
 */
struct listing {
	const char *cmd;
	const char *usage;
	int (*one)(struct pizwg_genl *g, const char *name,
		   const struct ctl_opts *opts);
	int (*all)(struct pizwg_genl *g, const struct ctl_opts *opts);
};

int run_listing(const struct listing *l, int argc, char **argv,
		struct ctl_opts *opts);

/* fmt.c: output helpers */
void put_token(FILE *f, const char *s);
void put_quoted(FILE *f, const char *s);
void put_timestamp(FILE *f, uint64_t ns);
void put_port_state(FILE *f, const struct pizwg_port_event *p);
const char *enum_name(const char *name, uint32_t value, char *buf,
		      size_t len);
size_t utf8_seq_len(const unsigned char *s, size_t n);
char *utf8_sanitize(const char *s);
char *memstream_done(FILE *f, char **buf);

bool json_add(struct json_object *obj, const char *key,
	      struct json_object *val);
struct json_object *json_str(const char *s);
bool json_add_str_or_null(struct json_object *obj, const char *key, bool has,
			  const char *s);
struct json_object *json_usb_id(uint16_t id);
bool json_add_timestamp(struct json_object *obj, uint64_t ns);
bool json_add_port_state(struct json_object *obj,
			 const struct pizwg_port_event *p);
char *json_line(struct json_object *obj);
int print_json(struct json_object *obj);
int print_text(char *text);

char *error_line(const char *what, int err, const char *reason,
		 const char *extack);
int fail(const char *what, int err, const char *reason, const char *extack);

/* hubs.c */
char *hubs_format_text(const struct pizwg_hub *hubs, size_t n);
struct json_object *hubs_to_json(const struct pizwg_hub *hubs, size_t n);

/* ttys.c */
char *ttys_format_text(const struct pizwg_tty *ttys, size_t n);
struct json_object *ttys_to_json(const struct pizwg_tty *ttys, size_t n);
struct json_object *tty_to_json(const struct pizwg_tty *tty);

/* power.c */
struct power_args {
	const char *hub;
	uint32_t port;
	enum pizwg_action action;
	uint32_t off_ms;	/* 0: the module's default */
	bool hold;
	bool force;
	bool help;
};

int power_parse_args(int argc, char **argv, struct power_args *a,
		     struct ctl_opts *opts, char *err, size_t errlen);
const char *power_reason(int err);
char *power_error_line(const struct power_args *a, const char *stage,
		       int err, const char *extack);
char *power_format_text(const struct pizwg_port_event *state);
struct json_object *power_to_json(const struct pizwg_port_event *state);

/* monitor.c */
char *event_format_text(const struct pizwg_event *ev);
struct json_object *event_to_json(const struct pizwg_event *ev);

/* status.c: one gateway as read back from pizwgd's metrics file */
struct status_gw {
	char name[64];
	char state[24];		/* "serving", ...; "" if absent */
	char vrrp[16];		/* "master", ...; "" with vrrp = off */
	bool stick_powered;
	bool session_active;
	char tls[16];		/* of the active session */
	bool ktls_tx;
	bool ktls_rx;
	double sessions;
	double bytes_to_stick;
	double bytes_from_stick;
	double last_session;	/* UNIX s the last session started, 0 never */
	double fences;		/* every cause */
};

/* Prometheus text in, gateways out: 0, -ENODATA (none), -E2BIG (> max). */
int status_parse(const char *text, struct status_gw *gws, size_t max,
		 size_t *n);
char *status_format_text(const struct status_gw *gws, size_t n, bool stale);

#endif /* PIZWGCTL_H */
