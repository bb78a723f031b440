/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A test double of userspace/lib/pizwg_genl.h for pizwgctl's commands: the
 * functions that would talk to the kernel answer from struct fake instead
 * and record how they were called; names, strerror and parsers are the
 * library's own.
 */
#ifndef FAKE_PIZWG_GENL_H
#define FAKE_PIZWG_GENL_H

#include "pizwg_genl.h"

#define FAKE_MAX 4

struct fake {
	/* answers */
	int open_err;
	int get_err;		/* dumps and single gets */
	int set_port_err;
	int release_err;
	const char *extack;	/* of every failed request */
	struct pizwg_hub hubs[FAKE_MAX];
	size_t nhubs;
	struct pizwg_tty ttys[FAKE_MAX];
	size_t nttys;
	struct pizwg_event events[FAKE_MAX];
	int nevents;
	int process_ret;	/* what process_events returns */
	bool sigterm_on_set_port;	/* raise SIGTERM from set_port */
	bool sigterm_after_events;	/* raise SIGTERM from process_events */

	/* calls */
	int opens;
	int closes;
	int set_ports;
	int releases;
	int subscribes;
	struct pizwg_power_req req;
	char req_hub[PIZWG_NAME_MAX];
	char release_hub[PIZWG_NAME_MAX];
	uint32_t release_port;
};

extern struct fake fake;

/* Forgets every answer and call; closes the event pipe. */
void fake_reset(void);

#endif /* FAKE_PIZWG_GENL_H */
