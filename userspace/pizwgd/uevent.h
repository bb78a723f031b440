/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel uevents as they arrive on a NETLINK_KOBJECT_UEVENT socket bound to
 * multicast group 1, parsed by a pure function of the datagram's bytes.
 *
 * The kernel (lib/kobject_uevent.c) sends "ACTION@DEVPATH\0" followed by
 * "KEY=VALUE\0" variables, among them always ACTION, DEVPATH, SUBSYSTEM and
 * SEQNUM, and for a device with a node MAJOR, MINOR and DEVNAME, e.g.
 *
 *   add@/devices/.../1-1:1.0/tty/ttyACM0\0ACTION=add\0
 *   DEVPATH=/devices/.../1-1:1.0/tty/ttyACM0\0SUBSYSTEM=tty\0MAJOR=166\0
 *   MINOR=0\0DEVNAME=ttyACM0\0SEQNUM=2345\0
 *
 * udevd re-sends events on group 2 in a binary format that starts with
 * "libudev\0"; such a message is recognised and refused with -ENOMSG so a
 * caller can skip it quietly.
 *
 * The parser is strict: the datagram must end with the NUL of its last
 * variable (no truncation), every variable must be KEY=VALUE with a key of
 * [A-Za-z0-9_] and a value without control characters, the header must
 * agree with ACTION and DEVPATH, the variables below must each appear at
 * most once and fit their bounds, MAJOR and MINOR come together (DEVNAME
 * only with them), numbers are plain decimal within the kernel's ranges.
 * Variables it does not know are skipped.
 */
#ifndef PIZWGD_UEVENT_H
#define PIZWGD_UEVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kernel's uevents are at most 2048 bytes of variables plus the header. */
#define UEVENT_MSG_MAX 8192
#define UEVENT_ACTION_MAX 16		/* bytes, NUL included */
#define UEVENT_DEVPATH_MAX 1024
#define UEVENT_SUBSYSTEM_MAX 64
#define UEVENT_DEVNAME_MAX 256
#define UEVENT_KEY_MAX 64
#define UEVENT_MAJOR_MAX 4095		/* 12 bits: MAJOR() of a dev_t */
#define UEVENT_MINOR_MAX 1048575	/* 20 bits: MINORBITS */

enum uevent_action {
	UEVENT_ADD,
	UEVENT_REMOVE,
	UEVENT_CHANGE,
	UEVENT_MOVE,
	UEVENT_ONLINE,
	UEVENT_OFFLINE,
	UEVENT_BIND,
	UEVENT_UNBIND,
	UEVENT_OTHER,		/* a lowercase action this parser does not know */
};

struct uevent {
	enum uevent_action action;
	char action_name[UEVENT_ACTION_MAX];
	char devpath[UEVENT_DEVPATH_MAX];	/* "/devices/...", below /sys */
	char subsystem[UEVENT_SUBSYSTEM_MAX];
	char devname[UEVENT_DEVNAME_MAX];	/* below /dev; "" without a node */
	bool has_devnum;
	uint32_t major;
	uint32_t minor;
	uint64_t seqnum;
};

/*
 * Parses one datagram of @len bytes into @ev. Returns 0; -ENOMSG for a
 * message from udevd ("libudev" header); -EPROTO for anything else that is
 * not a well-formed kernel uevent, @ev then holding nothing useful.
 */
int uevent_parse(const void *buf, size_t len, struct uevent *ev);

#endif
