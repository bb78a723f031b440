/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Client of the "pizwg" generic netlink family (kmod/uapi/pizwg.h), shared by
 * pizwgctl and pizwgd.
 *
 * A handle owns two netlink sockets:
 *   - the request socket, used by every request below. Ports switched on
 *     through it are leased to it: closing the handle (or the process dying)
 *     makes the module switch them off again.
 *   - the event socket, created by pizwg_genl_subscribe(). It joins the
 *     family's "events" group and the controller's "notify" group (so the
 *     handle follows the module being unloaded and loaded again). It is
 *     non-blocking; poll or epoll its fd for EPOLLIN (EPOLLERR, which an
 *     overflow raises, too), then call pizwg_genl_process_events().
 *
 * Requests are synchronous: they return once the kernel has answered, which
 * for a power switch is after the switch took effect (after "cycle": after
 * the off time and the switch on), so they block the caller for that long.
 * A module of family version 2 or later is sent PIZWG_A_ASYNC, so that the
 * switch does not hold generic netlink's lock (every other family waits
 * behind it); the call then waits for the ack and for SET_PORT_DONE, and
 * returns the same result.
 * A request that gets no answer within PIZWG_GENL_TIMEOUT_MS fails with
 * -ETIMEDOUT: its outcome is unknown (a late answer is discarded by the next
 * request; a port switched on late is still leased to this handle).
 *
 * Every function returning int returns 0 (or a count) on success and a
 * negative errno on failure. Besides the kernel's own codes:
 *   -EPROTONOSUPPORT  the family is not registered: pizwg.ko is not loaded
 *   -EPROTO           a reply or notification broke the contract of
 *                     pizwg.h (missing attribute, wrong length, bad value)
 *   -ETIMEDOUT        no answer in time
 *   -EAGAIN           a dump was interrupted by changes three times running
 *                     (from the kernel: too many asynchronous requests
 *                     pending on the socket, which this library never has)
 *   -EINVAL           a name of PIZWG_NAME_MAX bytes or more (not sent)
 * After a failed request, pizwg_genl_extack() gives the kernel's extended
 * ack message, "" when there was none.
 *
 * Replies are parsed strictly: every attribute the contract requires must be
 * present with its exact size. Attribute types the library does not know
 * (from a newer kernel) are ignored, as are notifications of commands it does
 * not know; enum values it does not know are passed on as numbers.
 */
#ifndef PIZWG_GENL_H
#define PIZWG_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "pizwg.h"

/* USB_MAXCHILDREN: the kernel's hub driver refuses hubs with more ports. */
#define PIZWG_PORTS_MAX 31
#define PIZWG_EXTACK_MAX 256
#define PIZWG_GENL_TIMEOUT_MS (PIZWG_OFF_MS_MAX + 60000)

struct pizwg_genl;

struct pizwg_port {
	uint32_t number;
	bool power;
	bool connected;
	bool leased;
	bool guarded;	/* false from a module without guards */
	/*
	 * power and connected were read from the hub for this reply: always
	 * for a caller with CAP_NET_ADMIN (and from modules before version 2).
	 * Otherwise power is what the module made of the port (on without a
	 * record) and connected says a child device exists.
	 */
	bool power_known;
	char child[PIZWG_NAME_MAX];	/* "" without a child */
};

struct pizwg_hub {
	char name[PIZWG_NAME_MAX];
	uint32_t busnum;
	char devpath[PIZWG_NAME_MAX];
	uint16_t vendor_id;
	uint16_t product_id;
	uint32_t num_ports;
	uint32_t switching;		/* enum pizwg_switching */
	char peer_hub[PIZWG_NAME_MAX];	/* "" without a peer */
	size_t nports;			/* == num_ports */
	struct pizwg_port ports[PIZWG_PORTS_MAX];
};

struct pizwg_tty {
	char name[PIZWG_NAME_MAX];
	uint32_t major;
	uint32_t minor;
	uint32_t busnum;
	char devpath[PIZWG_NAME_MAX];
	char device[PIZWG_NAME_MAX];
	char hub[PIZWG_NAME_MAX];	/* "" if the kernel named none */
	uint32_t port;
	uint16_t vendor_id;
	uint16_t product_id;
	bool has_serial;
	bool has_manufacturer;
	bool has_product;
	char serial[PIZWG_STRING_MAX];
	char manufacturer[PIZWG_STRING_MAX];
	char product[PIZWG_STRING_MAX];
};

enum pizwg_event_type {
	PIZWG_EVENT_TTY_ADDED,
	PIZWG_EVENT_TTY_REMOVED,
	PIZWG_EVENT_PORT_CHANGED,
	/*
	 * Not from the family but from the netlink controller: the family
	 * went away (pizwg.ko unloaded: every lease is gone, requests fail
	 * with -EPROTONOSUPPORT) or came back (the handle has resolved it
	 * again and rejoined its events group). These carry a timestamp read
	 * from CLOCK_MONOTONIC on reception, and no cause.
	 */
	PIZWG_EVENT_MODULE_REMOVED,
	PIZWG_EVENT_MODULE_ADDED,
};

struct pizwg_port_event {
	char hub[PIZWG_NAME_MAX];
	uint32_t port;
	bool power;
	bool leased;
};

struct pizwg_event {
	enum pizwg_event_type type;
	uint64_t timestamp_ns;		/* CLOCK_MONOTONIC */
	uint32_t cause;			/* enum pizwg_cause */
	union {
		struct pizwg_tty tty;		/* TTY_ADDED, TTY_REMOVED */
		struct pizwg_port_event port;	/* PORT_CHANGED */
	};
};

struct pizwg_power_req {
	const char *hub;
	uint32_t port;
	enum pizwg_action action;
	uint32_t off_ms;	/* "cycle" only; 0 leaves the kernel's default */
	bool force;
};

/* Opens a handle and resolves the family; -EPROTONOSUPPORT without it. */
int pizwg_genl_open(struct pizwg_genl **gp);
void pizwg_genl_close(struct pizwg_genl *g);

/* The kernel's extack message of the last failed request, or "". */
const char *pizwg_genl_extack(const struct pizwg_genl *g);

/* Dumps: *hubs / *ttys become malloc()ed arrays of *n entries (NULL if 0). */
int pizwg_genl_get_hubs(struct pizwg_genl *g, struct pizwg_hub **hubs,
			size_t *n);
int pizwg_genl_get_hub(struct pizwg_genl *g, const char *name,
		       struct pizwg_hub *hub);
int pizwg_genl_get_ttys(struct pizwg_genl *g, struct pizwg_tty **ttys,
			size_t *n);
int pizwg_genl_get_tty(struct pizwg_genl *g, const char *name,
		       struct pizwg_tty *tty);

/* Needs CAP_NET_ADMIN. "on" and "cycle" lease the port to this handle. */
int pizwg_genl_set_port(struct pizwg_genl *g,
			const struct pizwg_power_req *req);
int pizwg_genl_release_port(struct pizwg_genl *g, const char *hub,
			    uint32_t port);

/* Events: subscribe once, then call process_events when the fd is readable. */
int pizwg_genl_subscribe(struct pizwg_genl *g);
int pizwg_genl_event_fd(const struct pizwg_genl *g);

/*
 * Reads every pending notification and calls @fn for each, in order.
 * Returns the number of events delivered, 0 when none was pending, or a
 * negative errno: -ENOBUFS means the socket overflowed and events were lost
 * (re-read the state with the dumps), -EPROTO that a notification was
 * malformed (it was skipped; later ones were still delivered).
 */
int pizwg_genl_process_events(struct pizwg_genl *g,
			      void (*fn)(const struct pizwg_event *ev,
					 void *arg),
			      void *arg);

/* "pizwg kernel module not loaded" and friends, else strerror(). */
const char *pizwg_genl_strerror(int err);

/* Names as used in pizwgctl's output; NULL for values we do not know. */
const char *pizwg_switching_name(uint32_t switching);
const char *pizwg_cause_name(uint32_t cause);
const char *pizwg_action_name(uint32_t action);
const char *pizwg_event_name(enum pizwg_event_type type);

/*
 * Parsers of single messages, pure functions of the message bytes (exposed
 * for unit tests). They return 0, or -EPROTO if the message breaks the
 * contract; parse_event returns -ENOMSG for a command it does not know.
 */
int pizwg_parse_hub(struct nlmsghdr *nlh, struct pizwg_hub *hub);
int pizwg_parse_tty(struct nlmsghdr *nlh, struct pizwg_tty *tty);
int pizwg_parse_event(struct nlmsghdr *nlh, struct pizwg_event *ev);
/* A PIZWG_CMD_SET_PORT_DONE: which request it answers, and how it ended. */
struct pizwg_set_port_done {
	char hub[PIZWG_NAME_MAX];
	uint32_t port;
	uint32_t action;
	int err;			/* 0 or a negative errno */
	char msg[PIZWG_EXTACK_MAX];	/* "" without one */
};

int pizwg_parse_set_port_done(struct nlmsghdr *nlh,
			      struct pizwg_set_port_done *done);
/* The NLMSGERR_ATTR_MSG of an NLMSG_ERROR or NLMSG_DONE into @buf, or "". */
void pizwg_parse_extack(const struct nlmsghdr *nlh, char *buf, size_t len);

#endif /* PIZWG_GENL_H */
