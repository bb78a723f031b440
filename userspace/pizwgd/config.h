/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pizwgd's configuration: /etc/pizwg/pizwgd.conf parsed once into a
 * struct pizwg_config and validated completely before the daemon uses it.
 *
 * The file
 * ========
 * INI, read with libinih. Each [gateway NAME] section is one gateway (one
 * stick, one TLS listener, later one VRRP instance); NAME is 1..32 of
 * A-Z a-z 0-9 _ -, unique; 1..CONF_GATEWAYS_MAX sections; no other sections
 * and no keys before the first one. Whole-line comments start with ';' or
 * '#'; an inline comment starts with ';' after a blank ("port = 1 ; left").
 * Leading blanks are ignored (there are no continuation lines), CRLF line
 * endings and a missing final newline are accepted, lines are at most
 * CONF_LINE_MAX characters, control characters other than tab are refused.
 * Keys are lower case; each at most once per section; unknown keys are
 * errors. Values are parsed strictly: no empty values, no trailing junk,
 * decimal numbers without sign or leading zero, range checked.
 *
 *   key                 value                          default
 *   hub                 usbN or BUS-PORT[.PORT]...     required
 *   port                1..31                          required
 *   force               yes | no                       no
 *   usb_id              VID:PID, 4 hex digits each     any
 *   serial              printable ASCII, 1..126 chars  any
 *   enumerate_timeout   seconds, 1..300                10
 *   baud                1200 .. 4000000 (termios rate) 115200
 *   listen              IPV4:PORT, PORT 1..65535       0.0.0.0:3333
 *   cert                absolute path                  /etc/pizwg/server.crt
 *   key                 absolute path                  /etc/pizwg/server.key
 *   ca                  absolute path                  /etc/pizwg/clients.pem
 *   ktls                auto | off                     auto
 *   tcp_user_timeout    seconds, 1..600                30
 *   inactivity_timeout  0 (off) | seconds, 10..86400  0
 *   close_grace         milliseconds, 0..10000         1000
 *   on_session_end      reboot|restart|exec:PROGRAM    reboot
 *   exec_timeout        seconds, 1..3600               60
 *                       (on_session_end = exec: only)
 *   vrrp                on | off                       on
 *   metrics_dir         absolute path | off            /run/pizwg/metrics
 * and with vrrp = on only (an error with vrrp = off):
 *   interface           network interface name         the default route's
 *   vrid                1..255                         254
 *   vip                 IPV4/PREFIX, PREFIX 1..32      (address & mask) | 254
 *   priority            1..254                         last octet, 1..253
 *   advert_interval     centiseconds, 1..4095          20
 *                       (vrrp_version 2: 100..25500,   100
 *                       a multiple of 100)
 *   preempt             yes | no                       no
 *   vrrp_version        3 | 2                          3
 *   vrrp_checksum       pseudo-header | rfc9568        pseudo-header
 *                       (vrrp_version 3 only)
 *   garp_count          0..100                         5
 *   garp_interval       milliseconds, 1..10000         100
 *   peers               IPV4[,IPV4]..., at most 8      anyone
 *
 * PROGRAM runs without arguments, with the VRRP instance out of the
 * election (FAULT); past exec_timeout its process group gets SIGKILL.
 * listen is IPv4 only; its default is
 * 0.0.0.0:3333 with vrrp = off and VIP:3333 with vrrp = on (bound with
 * IP_FREEBIND before the VIP exists). Two sections may not listen on the
 * same port where their addresses overlap (equal, or either is 0.0.0.0),
 * nor run VRRP with the same vrid on the same interface.
 * interface, vip and priority default from the host's network, which
 * config_parse_string() cannot see: it leaves them unset (has_vip false,
 * priority 0, interface "") and config_resolve_vrrp() fills them in at
 * start from the default route's interface and its primary address.
 * metrics_dir is where pizwgd writes its one metrics file (metrics.h) for
 * node_exporter's textfile collector, or off for none; as the file holds
 * every gateway, every section must have the same metrics_dir.
 *
 * Errors
 * ======
 * Every function below reports failure as exactly one line, without a
 * newline, in @err:
 *
 *   FILE:LINE: SUBJECT: REASON
 *
 * SUBJECT is the key ("port"), the section ("[gateway zstick]", or the
 * header as written when it is malformed; "[gateway NAME]" when there is
 * none) or "syntax" for a line that is neither; LINE is that of the key,
 * else that of the section (for missing and defaulted keys), else the last
 * line of the file (no section at all).
 * Parsing stops at the first error in reading order. Only a file that
 * cannot be read or is too large has no line: "FILE: REASON". Examples:
 *
 *   pizwgd.conf:7: port: '32' is out of range 1..31
 *   pizwgd.conf:3: [gateway zstick]: missing key 'hub'
 *   pizwgd.conf:9: preempt: only with vrrp = on
 *   pizwgd.conf:12: listen: 0.0.0.0:3333 clashes with 0.0.0.0:3333 of [gateway a] at line 2
 *   pizwgd.conf:13: metrics_dir: '/srv/m' differs from '/run/pizwg/metrics' of [gateway a] at line 2; every section needs the same
 *   pizwgd.conf:5: key: /etc/pizwg/server.key: mode 0644 lets group or others in; chmod 600 it
 *   pizwgd.conf:8: on_session_end: /tmp/done: directory /tmp has mode 1777: group or others can write it
 *
 * The daemon prints the line and exits with status 2.
 */
#ifndef PIZWGD_CONFIG_H
#define PIZWGD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "pizwg.h"

#define CONF_GATEWAYS_MAX 8
#define CONF_NAME_MAX 32 /* characters of a gateway NAME */
#define CONF_SERIAL_MAX 126 /* characters of a USB serial number */
#define CONF_PATH_MAX 256 /* bytes of a path value, NUL included */
#define CONF_FILE_MAX 4096 /* bytes of the file name kept for messages */
#define CONF_SIZE_MAX 65536 /* bytes config_load() reads at most */
#define CONF_ERR_MAX 512 /* a good size for @err */

/*
 * The longest line, terminator excluded: what libinih's default line buffer
 * (INI_MAX_LINE, 200 in the Debian and Arch builds) holds with "\r\n\0".
 * It bounds every value, so paths always fit CONF_PATH_MAX.
 */
#define CONF_LINE_MAX 197

/* The keys of a section, in the order the table above lists them. */
enum conf_key {
	CONF_KEY_HUB,
	CONF_KEY_PORT,
	CONF_KEY_FORCE,
	CONF_KEY_USB_ID,
	CONF_KEY_SERIAL,
	CONF_KEY_ENUMERATE_TIMEOUT,
	CONF_KEY_BAUD,
	CONF_KEY_LISTEN,
	CONF_KEY_CERT,
	CONF_KEY_KEY,
	CONF_KEY_CA,
	CONF_KEY_KTLS,
	CONF_KEY_TCP_USER_TIMEOUT,
	CONF_KEY_INACTIVITY_TIMEOUT,
	CONF_KEY_CLOSE_GRACE,
	CONF_KEY_ON_SESSION_END,
	CONF_KEY_EXEC_TIMEOUT,
	CONF_KEY_VRRP,
	CONF_KEY_METRICS_DIR,
	CONF_KEY_INTERFACE,
	CONF_KEY_VRID,
	CONF_KEY_VIP,
	CONF_KEY_PRIORITY,
	CONF_KEY_ADVERT_INTERVAL,
	CONF_KEY_PREEMPT,
	CONF_KEY_VRRP_VERSION,
	CONF_KEY_VRRP_CHECKSUM,
	CONF_KEY_GARP_COUNT,
	CONF_KEY_GARP_INTERVAL,
	CONF_KEY_PEERS,
	CONF_KEY_COUNT
};

/* The stick: where it is powered, how it is recognised, how it is opened. */
struct pizwg_stick_config {
	char hub[PIZWG_NAME_MAX]; /* "usb1", "1-1.4" */
	uint32_t port; /* 1..31 */
	bool force; /* switch without per-port power control */
	bool match_usb_id; /* usb_id given: only VID:PID is the stick */
	uint16_t vendor_id;
	uint16_t product_id;
	char serial[CONF_SERIAL_MAX + 1]; /* "" matches any serial */
	unsigned int enumerate_timeout; /* s from power on to its ttyACM */
	unsigned int baud; /* bits per second, e.g. 115200 */
};

enum conf_ktls {
	CONF_KTLS_AUTO, /* kernel TLS when the kernel offers it */
	CONF_KTLS_OFF, /* always userspace TLS */
};

/* The TLS listener. */
struct pizwg_tls_config {
	struct sockaddr_in listen; /* AF_INET, network byte order */
	char cert[CONF_PATH_MAX]; /* server certificate chain, PEM */
	char key[CONF_PATH_MAX]; /* its private key, PEM, mode 0600 */
	char ca[CONF_PATH_MAX]; /* CAs / pinned client certs, PEM */
	enum conf_ktls ktls;
	unsigned int tcp_user_timeout; /* s, TCP_USER_TIMEOUT */
};

enum conf_session_end {
	CONF_END_REBOOT, /* fence, then reboot the host */
	CONF_END_RESTART, /* fence, then serve again */
	CONF_END_EXEC, /* fence, then run session.program */
};

/* One client session and what follows its end. */
struct pizwg_session_config {
	unsigned int inactivity_timeout; /* s without a byte either way */
	/* ms the stick's answers still reach a TLS 1.3 client that half-closed */
	unsigned int close_grace;
	enum conf_session_end on_end;
	char program[CONF_PATH_MAX]; /* absolute, for CONF_END_EXEC */
	unsigned int exec_timeout; /* s the program may run, then SIGKILL */
};

#define CONF_PEERS_MAX 8
#define CONF_IFNAME_MAX 16 /* IFNAMSIZ: 15 characters and the NUL */

enum conf_vrrp_csum {
	CONF_VRRP_CSUM_PSEUDO_HEADER, /* as keepalived up to 2.2.7 sends */
	CONF_VRRP_CSUM_RFC9568, /* the VRRP header only */
};

/* One VRRP instance; addresses in network byte order. */
struct pizwg_vrrp_config {
	bool enabled;
	char interface[CONF_IFNAME_MAX]; /* "" until resolved */
	uint8_t vrid;
	bool has_vip; /* false until resolved */
	uint32_t vip;
	uint8_t vip_prefix;
	uint8_t priority; /* 0 until resolved */
	uint16_t advert_interval; /* centiseconds */
	bool preempt;
	uint8_t version; /* 3 or 2 */
	enum conf_vrrp_csum csum;
	unsigned int garp_count;
	unsigned int garp_interval; /* ms */
	uint32_t peers[CONF_PEERS_MAX];
	unsigned int n_peers; /* 0: adverts from anyone */
};

struct pizwg_gateway_config {
	char name[CONF_NAME_MAX + 1];
	unsigned int line; /* of the [gateway NAME] header */
	unsigned int key_line[CONF_KEY_COUNT]; /* 0: not in the file */
	struct pizwg_stick_config stick;
	struct pizwg_tls_config tls;
	struct pizwg_session_config session;
	struct pizwg_vrrp_config vrrp;
	char metrics_dir[CONF_PATH_MAX]; /* absolute; "" for metrics_dir = off */
};

struct pizwg_config {
	char file[CONF_FILE_MAX]; /* as given, for messages */
	unsigned int n_gateways; /* 1..CONF_GATEWAYS_MAX */
	struct pizwg_gateway_config gateways[CONF_GATEWAYS_MAX];
};

/*
 * Parses and validates @text, naming it @filename in errors. Pure: no I/O,
 * no allocation, no global state. Returns 0 with @out filled in, or
 * -EINVAL with one line in @err (then @out holds nothing useful).
 */
int config_parse_string(const char *text, const char *filename,
			struct pizwg_config *out, char *err, size_t errlen);

/*
 * Reads @path (at most CONF_SIZE_MAX bytes, no NUL bytes) and parses it with
 * config_parse_string(). Returns 0, or with one line in @err -EINVAL (bad
 * content), -EFBIG (too large) or -errno (the file could not be read).
 */
int config_load(const char *path, struct pizwg_config *out, char *err,
		size_t errlen);

/*
 * The checks that need the file system, done once at start: cert, key and
 * ca are readable regular files, key is owned by root and gives no access
 * to group or others, and an exec: program is an executable regular file
 * that only root can change: it and every directory above it (as written
 * and with symbolic links resolved) are owned by root and not writable by
 * group or others, sticky or not. Returns 0, or
 * -EINVAL / -errno with one line in @err, its LINE that of the key (or of
 * the section when the key took its default).
 */
int config_check_files(const struct pizwg_config *c, char *err, size_t errlen);

/*
 * Fills in what VRRP sections left to the host (config.h's table): the
 * default route's interface, its primary address's .254 as the VIP (and
 * listen VIP:3333), the address's last octet as the priority; then checks
 * listen clashes and vrid uniqueness again. @addr_of looks up an
 * interface's primary address and prefix (network order) and @default_if
 * the default route's interface; each returns 0, or -1 with a reason in
 * @why. Returns 0, or -EINVAL with one line in @err (FILE:LINE: KEY: ...).
 */
struct conf_host {
	int (*default_if)(char *ifname, size_t len, char *why, size_t n);
	int (*addr_of)(const char *ifname, uint32_t *addr, uint8_t *prefix,
		       char *why, size_t n);
};

int config_resolve_vrrp(struct pizwg_config *c, const struct conf_host *host,
			char *err, size_t errlen);

/* The name of @key as written in the file, e.g. "enumerate_timeout". */
const char *config_key_name(enum conf_key key);

/* Where @key of @g was set, or the section's line when it was defaulted. */
unsigned int config_key_line(const struct pizwg_gateway_config *g,
			     enum conf_key key);

#endif /* PIZWGD_CONFIG_H */
