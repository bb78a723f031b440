/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A deliberately raw generic netlink client for the module tests: it builds
 * every message by hand so that tests can send what a library would refuse
 * to (wrong attribute types, oversized strings, missing attributes).
 */
#ifndef PIZWG_TEST_NL_H
#define PIZWG_TEST_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pizwg.h"

struct pz_msg;

struct nl {
	int fd;
	uint16_t family;
	uint32_t version;
	uint32_t events_group;
	uint32_t seq;
	/* SET_PORT_DONE messages read while waiting for something else. */
	unsigned int ndone;
	struct pz_done {
		uint32_t seq;
		uint32_t err;
		uint32_t action;
		uint32_t port;
		char hub[PIZWG_NAME_MAX];
		char msg[256];
	} done[8];
};

struct nl_msg_out {
	char buf[4096];
	size_t len;
};

/* One parsed pizwg message: a reply, a dump entry or a notification. */
struct pz_msg {
	uint8_t cmd;
	char hub[PIZWG_NAME_MAX];
	char tty[PIZWG_NAME_MAX];
	char device[PIZWG_NAME_MAX];
	char serial[PIZWG_STRING_MAX];
	char peer[PIZWG_NAME_MAX];
	uint32_t port;
	uint32_t busnum;
	uint32_t num_ports;
	uint32_t switching;
	uint32_t cause;
	uint16_t vendor_id;
	uint16_t product_id;
	bool power;
	bool leased;
	uint64_t timestamp;
	unsigned int nports;
	struct {
		uint32_t number;
		bool power;
		bool connected;
		bool leased;
		bool power_known;
		char child[PIZWG_NAME_MAX];
	} ports[32];
};

int nl_open(struct nl *nl);
void nl_close(struct nl *nl);
int nl_subscribe(struct nl *nl);

void msg_init(struct nl_msg_out *m, struct nl *nl, uint8_t cmd, uint16_t flags);
void msg_put(struct nl_msg_out *m, uint16_t type, const void *data, size_t len);
void msg_put_u32(struct nl_msg_out *m, uint16_t type, uint32_t v);
void msg_put_str(struct nl_msg_out *m, uint16_t type, const char *s);

/*
 * Sends @m and collects replies until the ack or NLMSG_DONE. Returns 0 or a
 * negative errno from the kernel; @extack gets the kernel's message, if any.
 * Each data reply is parsed into @out[i] for i < @max; *@count says how many.
 */
int nl_transact(struct nl *nl, struct nl_msg_out *m, char *extack,
		size_t extack_len, struct pz_msg *out, unsigned int max,
		unsigned int *count);

/*
 * Waits up to @timeout_ms for one notification (0: takes one only if it is
 * queued already); 0, or -ETIMEDOUT.
 */
int nl_next_event(struct nl *nl, struct pz_msg *ev, int timeout_ms);

/*
 * Sends SET_PORT with PIZWG_A_ASYNC (@off_ms 0: not sent); returns the
 * ack's result and the request's sequence number in *@seq.
 */
int pz_set_port_async(struct nl *nl, const char *hub, uint32_t port,
		      uint32_t action, uint32_t off_ms, char *extack,
		      size_t extack_len, uint32_t *seq);
/* Waits up to @timeout_ms for the SET_PORT_DONE of @seq; 0 or -ETIMEDOUT. */
int pz_wait_done(struct nl *nl, uint32_t seq, struct pz_done *done,
		 int timeout_ms);

/* Convenience wrappers. */
int pz_set_port(struct nl *nl, const char *hub, uint32_t port, uint32_t action,
		char *extack, size_t extack_len);
int pz_dump_hubs(struct nl *nl, struct pz_msg *out, unsigned int max,
		 unsigned int *count);
int pz_dump_ttys(struct nl *nl, struct pz_msg *out, unsigned int max,
		 unsigned int *count);

/*
 * A dump one datagram at a time: pz_dump_begin() sends the request;
 * pz_dump_part() reads one datagram (with @peek, leaves it queued, so the
 * kernel does not build the next part yet), appends its entries to @out
 * (up to @max, *@count counting) and sets *@done at NLMSG_DONE.
 */
int pz_dump_begin(struct nl *nl, uint8_t cmd, uint32_t *seq);
int pz_dump_part(struct nl *nl, uint32_t seq, bool peek, struct pz_msg *out,
		 unsigned int max, unsigned int *count, bool *done);

uint64_t monotonic_ns(void);

#endif
