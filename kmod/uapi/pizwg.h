/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * pizwg: USB hub port power and CDC-ACM tty events over generic netlink.
 *
 * Documentation
 * =============
 *
 * The generic netlink family is named PIZWG_GENL_NAME ("pizwg"), version
 * PIZWG_GENL_VERSION (2), with one multicast group PIZWG_GENL_MCGRP_EVENTS
 * ("events"). The family is netns-aware (see Notifications for which
 * namespaces hear it). kmod/pizwg.yaml says the same thing in the kernel's
 * YNL spec form.
 *
 * Versions: 1 is the first; 2 adds PIZWG_A_ASYNC to PIZWG_CMD_SET_PORT and
 * PIZWG_CMD_SET_PORT_DONE, and GET_HUB's unread view for callers without
 * CAP_NET_ADMIN (PIZWG_PORT_A_POWER_KNOWN, PIZWG_SWITCHING_UNKNOWN).
 * Userspace reads the version from the netlink controller
 * (CTRL_ATTR_VERSION) and sends PIZWG_A_ASYNC only to version 2 or later:
 * a version 1 module rejects it as an unknown attribute.
 *
 * All commands and notifications use the top level attribute set
 * enum pizwg_attr below. Strings are NUL-terminated. Every request is
 * validated strictly: unknown attributes, wrong lengths and out of range
 * values are rejected with EINVAL and an extack message naming the reason.
 *
 * PIZWG_CMD_GET_HUB
 * -----------------
 *   Dump (NLM_F_DUMP): one message per USB hub in the system.
 *   Do: PIZWG_A_HUB selects one hub; ENODEV if there is no such hub.
 *   Each reply holds:
 *
 *     PIZWG_A_HUB: NUL-terminated string, the hub's USB device name as in
 *                  /sys/bus/usb/devices, e.g. "usb1" (a root hub) or "1-1"
 *     PIZWG_A_BUSNUM: u32, USB bus number
 *     PIZWG_A_DEVPATH: NUL-terminated string, devpath on the bus ("0" for a
 *                      root hub)
 *     PIZWG_A_VENDOR_ID: u16, idVendor
 *     PIZWG_A_PRODUCT_ID: u16, idProduct
 *     PIZWG_A_NUM_PORTS: u32, bNbrPorts
 *     PIZWG_A_SWITCHING: u32, enum pizwg_switching, read from the logical
 *                        power switching mode bits (LPSM) of
 *                        wHubCharacteristics in the hub descriptor
 *     PIZWG_A_PEER_HUB: NUL-terminated string, the USB3/USB2 peer hub of a
 *                       USB3-capable hub, when the kernel linked peer ports
 *     PIZWG_A_PORT_INFO: nest, once per port, in port order:
 *       PIZWG_PORT_A_NUMBER: u32, port number (1-based)
 *       PIZWG_PORT_A_POWER: u8, 1 when the port's power is on
 *       PIZWG_PORT_A_CONNECTED: u8, 1 when a device is connected
 *       PIZWG_PORT_A_CHILD: NUL-terminated string, USB device name of the
 *                           attached child, e.g. "1-1"; absent without one
 *       PIZWG_PORT_A_LEASED: u8, 1 when the port is leased (see below)
 *       PIZWG_PORT_A_GUARDED: u8, 1 when the port is guarded (see below)
 *       PIZWG_PORT_A_POWER_KNOWN: u8, 1 when POWER and CONNECTED were read
 *                                 from the hub for this reply
 *
 *   Only a caller with CAP_NET_ADMIN makes the module read the ports'
 *   status from the hub (a control transfer, which may also resume a
 *   suspended hub). For anyone else nothing is asked of the hub and no USB
 *   device lock is waited for: on a hub that switches ports one by one,
 *   POWER is what the module's last switch of the port (or of its USB3
 *   other half) left, else 1 (the hub driver powers every port, and
 *   powers them all again whenever it binds); CONNECTED is 1 when a child
 *   device exists; POWER_KNOWN is 0. The switching mode is read from the
 *   hub descriptor once, when the hub driver binds to the hub;
 *   PIZWG_SWITCHING_UNKNOWN when that failed (or has not happened yet)
 *   and the caller lacks CAP_NET_ADMIN. A client of version 1 does not
 *   know POWER_KNOWN and takes such values as read.
 *
 * PIZWG_CMD_SET_PORT (CAP_NET_ADMIN)
 * ------------------
 *   Switches one port's power. Attributes:
 *
 *     PIZWG_A_HUB: hub name (required); ENODEV if unknown
 *     PIZWG_A_PORT: u32 port number (required); EINVAL if 0 or above the
 *                   hub's port count
 *     PIZWG_A_ACTION: u32, enum pizwg_action (required)
 *     PIZWG_A_OFF_MS: u32, how long "cycle" keeps the port off, in
 *                     milliseconds, 10..60000 (default 1000)
 *     PIZWG_A_FORCE: flag, switch even when the hub reports ganged or no
 *                    per-port power switching; EOPNOTSUPP without it
 *
 *   The semantics equal those of the kernel's own
 *   /sys/bus/usb/devices/<hub-interface>/<hub>-portN/disable attribute: "off"
 *   disconnects the child (its tty disappears) and the hub driver does not
 *   power the port again until it is switched on; "on" powers the port and
 *   the device enumerates again. A USB3 port's peer port is switched with
 *   it. The reply (an ack) is sent once the switch has taken effect: after
 *   "off" the child is gone. The notifications it caused are sent before the
 *   reply.
 *
 *     PIZWG_A_ASYNC: flag (version 2), answer at once and switch later.
 *
 *   Without PIZWG_A_ASYNC the request holds the caller, and generic
 *   netlink's lock (every family's requests and registrations queue behind
 *   it), for as long as the switch takes: for "cycle", the whole off time.
 *   A requester killed meanwhile (SIGKILL) is answered ECANCELED at once,
 *   the port left off.
 *   With it, everything that can be decided at once is: the ack carries
 *   EINVAL, EPERM, ENODEV, EOPNOTSUPP, EBUSY, ESHUTDOWN, ENOSPC (too many
 *   ports with an intended state), EAGAIN (the socket has
 *   PIZWG_ASYNC_PENDING_MAX requests accepted and not answered yet, e.g.
 *   queued behind a synchronous cycle), ENOMEM or EIO (the hub descriptor
 *   could not be read), and a lease is recorded before the ack (so a socket
 *   closed from then on still ends with the port off). The hub's switching
 *   mode is read from its descriptor when the hub driver binds, so the ack
 *   normally needs no USB I/O. The switch, and a cycle's wait, run on the module's
 *   own ordered workqueue; no lock is held across the wait. When it is
 *   done, PIZWG_CMD_SET_PORT_DONE is unicast to the requesting socket with
 *   the request's sequence number (it may arrive before the ack), after the
 *   notifications the switch caused:
 *
 *     PIZWG_A_HUB, PIZWG_A_PORT, PIZWG_A_ACTION: as requested
 *     PIZWG_A_ERRNO: u32, 0 on success, else a positive errno: ENODEV (the
 *                    hub went away, or the lease ended: the requester's
 *                    socket closed, the hub was re-probed, an "off" from
 *                    another socket, a RELEASE_PORT during a cycle's off
 *                    time; the message says which), ECANCELED (a later
 *                    request for the same port was accepted first and
 *                    superseded this one; a cycle waiting out its off time
 *                    is answered so without waiting for it to end, once
 *                    any synchronous request holding the module is
 *                    done), ESHUTDOWN (the module is being
 *                    unloaded), or the switch's own error
 *     PIZWG_A_ERROR_MSG: NUL-terminated string saying why, with an error
 *
 *   A requester that closes its socket before the work is done gets no
 *   message; a port it had leased is switched off (lease expiry).
 *
 *   Leases: "on" and "cycle" lease the port to the requesting netlink
 *   socket (the socket itself: a new socket that gets the same port id is
 *   another holder). When that socket is closed for any reason (including its process
 *   being killed), the module switches the port off (cause
 *   PIZWG_CAUSE_LEASE_EXPIRY). "off" from any socket ends the lease. "on" of
 *   a port leased to another socket fails with EBUSY. When the module is
 *   unloaded, leased ports are switched off (PIZWG_CAUSE_UNLOAD); ports that
 *   are not leased keep their state.
 *
 *   Intended state: a port switched "off", or whose lease ended, is kept
 *   off. The hub driver powers every port when it binds to a hub (a
 *   re-probe, a hub reset, a brown-out); the module then switches such a
 *   port off again (PIZWG_CAUSE_REAPPLIED), before a device on it can
 *   enumerate. A lease whose hub goes away ends at once
 *   (PIZWG_CAUSE_HUB_GONE, power reported off) and the port is kept off
 *   when the hub returns. A failed "on" switches the port back off. An off
 *   the module owes (lease expiry, re-probe) that fails is retried, 100 ms
 *   to 5 s apart, until it succeeds or the hub is gone; each failure is a
 *   PIZWG_CMD_PORT_CHANGED with power 1 and leased 0. Released ports, and
 *   ports never switched through the family, are left to the hub driver.
 *
 * PIZWG_CMD_RELEASE_PORT (CAP_NET_ADMIN)
 * ----------------------
 *   PIZWG_A_HUB and PIZWG_A_PORT name a port leased to the requesting
 *   socket; the lease ends and the port keeps its power (released during
 *   an asynchronous cycle's off time: off, and the cycle is answered ENODEV
 *   at once). ENOENT if the port is not leased to this socket, EPERM if it
 *   is guarded.
 *
 * Guarded ports
 * -------------
 *   The module parameter "guard" (HUB:PORT[,HUB:PORT...], at most 64; HUB
 *   is a hub's USB device name, "usb1" or "1-1.4") names ports that are
 *   powered only while leased: from module load on they are kept off as a
 *   port switched "off" is (switched off at load, and again whenever the
 *   hub driver binds to their hub), "on" and "cycle" lease them as usual,
 *   and their lease cannot be released (EPERM). A bad entry fails the load
 *   with EINVAL and one kernel log line naming it.
 *
 * PIZWG_CMD_GET_TTY
 * -----------------
 *   Dump: one message per tty of a USB interface bound to the cdc_acm
 *   driver. Do: PIZWG_A_TTY selects one, ENODEV if there is no such tty.
 *   Each reply holds:
 *
 *     PIZWG_A_TTY: NUL-terminated string, e.g. "ttyACM0"
 *     PIZWG_A_TTY_MAJOR: u32
 *     PIZWG_A_TTY_MINOR: u32
 *     PIZWG_A_BUSNUM: u32
 *     PIZWG_A_DEVPATH: string, the USB device's devpath, e.g. "1" or "1.4"
 *     PIZWG_A_DEVICE: string, the USB device's name, e.g. "1-1"
 *     PIZWG_A_HUB: string, the hub that powers the device
 *     PIZWG_A_PORT: u32, the port of PIZWG_A_HUB the device is attached to
 *     PIZWG_A_VENDOR_ID, PIZWG_A_PRODUCT_ID: u16
 *     PIZWG_A_SERIAL, PIZWG_A_MANUFACTURER, PIZWG_A_PRODUCT: strings, each
 *                                                           when present
 *
 * Notifications (multicast group "events")
 * ----------------------------------------
 *   Every notification carries PIZWG_A_TIMESTAMP: u64, CLOCK_MONOTONIC in
 *   nanoseconds, taken when the change happened, and PIZWG_A_CAUSE: u32,
 *   enum pizwg_cause. Notifications go to the initial network namespace
 *   and to every network namespace owned by the initial user namespace
 *   (`ip netns`, rootful containers), never to one owned by another user
 *   namespace (`unshare -Urn`, rootless containers, userns-remapped
 *   containers); from such a namespace every command fails with EPERM.
 *
 *   PIZWG_CMD_TTY_ADDED, PIZWG_CMD_TTY_REMOVED: the attributes of
 *     PIZWG_CMD_GET_TTY. A tty added after a port was switched on through
 *     this family has cause PIZWG_CAUSE_REQUEST, otherwise
 *     PIZWG_CAUSE_EXTERNAL. A tty removed because this module switched its
 *     port off has the cause of that switch; otherwise PIZWG_CAUSE_UNPLUG.
 *   PIZWG_CMD_PORT_CHANGED: PIZWG_A_HUB, PIZWG_A_PORT, PIZWG_A_POWER (u8, 1
 *     for on) and PIZWG_A_LEASED (u8), sent when this module switched a port
 *     (or failed to switch it off), or a lease on it was released or ended
 *     with its hub. Power switched behind the module's back (sysfs, uhubctl)
 *     is not reported.
 *
 *   USB strings are reported as the USB core decoded them (UTF-8), cut to
 *   PIZWG_STRING_MAX - 1 bytes.
 */

#ifndef _UAPI_PIZWG_H
#define _UAPI_PIZWG_H

#define PIZWG_GENL_NAME "pizwg"
#define PIZWG_GENL_VERSION 2
#define PIZWG_GENL_MCGRP_EVENTS "events"

#define PIZWG_NAME_MAX 32	/* bytes of a hub, device or tty name, NUL included */
#define PIZWG_STRING_MAX 128	/* bytes of a USB string descriptor we report */
#define PIZWG_OFF_MS_DEFAULT 1000
#define PIZWG_OFF_MS_MIN 10
#define PIZWG_OFF_MS_MAX 60000
/* Asynchronous SET_PORTs a socket may have unanswered; more get EAGAIN. */
#define PIZWG_ASYNC_PENDING_MAX 64

enum pizwg_cmd {
	PIZWG_CMD_UNSPEC,
	PIZWG_CMD_GET_HUB,
	PIZWG_CMD_SET_PORT,
	PIZWG_CMD_RELEASE_PORT,
	PIZWG_CMD_GET_TTY,
	PIZWG_CMD_TTY_ADDED,
	PIZWG_CMD_TTY_REMOVED,
	PIZWG_CMD_PORT_CHANGED,
	PIZWG_CMD_SET_PORT_DONE,

	__PIZWG_CMD_MAX,
	PIZWG_CMD_MAX = __PIZWG_CMD_MAX - 1
};

enum pizwg_attr {
	PIZWG_A_UNSPEC,
	PIZWG_A_PAD,
	PIZWG_A_HUB,
	PIZWG_A_PORT,
	PIZWG_A_ACTION,
	PIZWG_A_OFF_MS,
	PIZWG_A_FORCE,
	PIZWG_A_BUSNUM,
	PIZWG_A_DEVPATH,
	PIZWG_A_DEVICE,
	PIZWG_A_VENDOR_ID,
	PIZWG_A_PRODUCT_ID,
	PIZWG_A_NUM_PORTS,
	PIZWG_A_SWITCHING,
	PIZWG_A_PEER_HUB,
	PIZWG_A_PORT_INFO,
	PIZWG_A_TTY,
	PIZWG_A_TTY_MAJOR,
	PIZWG_A_TTY_MINOR,
	PIZWG_A_SERIAL,
	PIZWG_A_MANUFACTURER,
	PIZWG_A_PRODUCT,
	PIZWG_A_POWER,
	PIZWG_A_LEASED,
	PIZWG_A_CAUSE,
	PIZWG_A_TIMESTAMP,
	PIZWG_A_ASYNC,
	PIZWG_A_ERRNO,
	PIZWG_A_ERROR_MSG,

	__PIZWG_A_MAX,
	PIZWG_A_MAX = __PIZWG_A_MAX - 1
};

enum pizwg_port_attr {
	PIZWG_PORT_A_UNSPEC,
	PIZWG_PORT_A_NUMBER,
	PIZWG_PORT_A_POWER,
	PIZWG_PORT_A_CONNECTED,
	PIZWG_PORT_A_CHILD,
	PIZWG_PORT_A_LEASED,
	PIZWG_PORT_A_GUARDED,
	PIZWG_PORT_A_POWER_KNOWN,

	__PIZWG_PORT_A_MAX,
	PIZWG_PORT_A_MAX = __PIZWG_PORT_A_MAX - 1
};

enum pizwg_action {
	PIZWG_ACTION_OFF,
	PIZWG_ACTION_ON,
	PIZWG_ACTION_CYCLE,

	__PIZWG_ACTION_MAX,
	PIZWG_ACTION_MAX = __PIZWG_ACTION_MAX - 1
};

enum pizwg_switching {
	PIZWG_SWITCHING_INDIVIDUAL,
	PIZWG_SWITCHING_GANGED,
	PIZWG_SWITCHING_NONE,
	PIZWG_SWITCHING_UNKNOWN,	/* version 2: descriptor not read */
};

enum pizwg_cause {
	PIZWG_CAUSE_REQUEST,
	PIZWG_CAUSE_LEASE_EXPIRY,
	PIZWG_CAUSE_UNPLUG,
	PIZWG_CAUSE_UNLOAD,
	PIZWG_CAUSE_EXTERNAL,
	PIZWG_CAUSE_REAPPLIED,
	PIZWG_CAUSE_HUB_GONE,
};

#endif /* _UAPI_PIZWG_H */
