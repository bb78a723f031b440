/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hub port power and stick tty events, behind one interface with two
 * backends:
 *   - "pizwg kernel module" (power_module.c): pizwg.ko over generic
 *     netlink; ports switched on are leased, so the kernel switches them
 *     off if pizwgd dies.
 *   - "libusb" (power_usb.c), for kernels without the module: the port's
 *     sysfs "disable" attribute where the kernel has it, else
 *     SetPortFeature/ClearPortFeature(PORT_POWER) on the hub through
 *     libusb-1.0; ttys come and go as kernel uevents, or, in a network
 *     namespace that uevents do not reach (one owned by a user namespace),
 *     by polling /sys/class/tty. No leases: a killed pizwgd leaves its
 *     stick powered (systemd's ExecStopPost switches it off).
 * power_open() takes the module when it is loaded, else libusb, and says
 * which in the log.
 */
#ifndef PIZWGD_POWER_H
#define PIZWGD_POWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pizwg_genl.h"

struct power;

typedef void (*power_event_fn)(const struct pizwg_event *ev, void *arg);

struct power_ops {
	const char *name;
	/* Returns 0 once the switch took effect, or -errno with @err set. */
	int (*set_port)(struct power *p, const char *hub, uint32_t port,
			enum pizwg_action action, bool force, char *err,
			size_t errlen);
	/* The CDC-ACM ttys present now: a malloc()ed array of *n. */
	int (*get_ttys)(struct power *p, struct pizwg_tty **ttys, size_t *n);
	/* Readable when events are pending; then call process_events(). */
	int (*event_fd)(struct power *p);
	/* TTY_ADDED / TTY_REMOVED (and the module's own) events to @fn. */
	int (*process_events)(struct power *p, power_event_fn fn, void *arg);
	void (*close)(struct power *p);
	/*
	 * 1 if the port is guarded (pizwg.ko's guard parameter: powered only
	 * while leased, from module load on), 0 if not or the backend has no
	 * guards (NULL), -errno if it cannot tell.
	 */
	int (*port_guarded)(struct power *p, const char *hub, uint32_t port);
};

struct power {
	const struct power_ops *ops;
};

int power_module_open(struct power **p);
int power_usb_open(struct power **p);

/* The module if it is loaded, else libusb; logs the choice. */
int power_open(struct power **p);

#endif
