/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared declarations of the pizwg module, one section per file.
 *
 * Locking, outermost first; never take an earlier lock while holding a later
 * one:
 *   1. pizwg_power_lock (port.c): serialises every port switch and the lease
 *      table changes that go with it. Asynchronous SET_PORT requests never
 *      take it: their switches run on port.c's workqueue, which takes it.
 *   2. USB device locks: taken by the USB core inside the sysfs "disable"
 *      store we call, and by hub.c for short reads. The bus notifier in tty.c
 *      runs with them held.
 *   3. pizwg_ports_lock (port.c) and pizwg_ttys_lock (tty.c): short critical
 *      sections over our own lists; never held across a call into the USB
 *      core, never both at once.
 *   4. pizwg_events_lock (event.c): a spinlock around the event queue.
 * pizwg_attach_lock (tty.c) is taken alone, from the attach work and at
 * init, outside all of these; under it the bus notifier is registered and
 * the bus scanned (which takes 3).
 */
#ifndef _PIZWG_INTERNAL_H
#define _PIZWG_INTERNAL_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/usb.h>
#include <linux/usb/ch11.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include "uapi/pizwg.h"

/* Identity of a CDC-ACM tty, as reported in dumps and notifications. */
struct pizwg_tty_info {
	char name[PIZWG_NAME_MAX];
	u32 major;
	u32 minor;
	u32 busnum;
	char devpath[PIZWG_NAME_MAX];
	char device[PIZWG_NAME_MAX];
	char hub[PIZWG_NAME_MAX];
	u32 port;
	u16 vendor_id;
	u16 product_id;
	char serial[PIZWG_STRING_MAX];
	char manufacturer[PIZWG_STRING_MAX];
	char product[PIZWG_STRING_MAX];
};

struct pizwg_port_info {
	u32 number;
	bool power;
	bool power_known;	/* read from the hub now */
	bool connected;
	bool leased;
	bool guarded;
	char child[PIZWG_NAME_MAX];
};

struct pizwg_hub_info {
	char name[PIZWG_NAME_MAX];
	char peer[PIZWG_NAME_MAX];
	char devpath[PIZWG_NAME_MAX];
	u32 busnum;
	u16 vendor_id;
	u16 product_id;
	u32 num_ports;
	enum pizwg_switching switching;
	bool live;		/* ports read from the hub, not recorded */
	struct pizwg_port_info ports[USB_MAXCHILDREN];
};

/* A hub that ports can be switched on; holds a reference to the device. */
struct pizwg_hub {
	struct usb_device *udev;
	char name[PIZWG_NAME_MAX];
	char intf[PIZWG_NAME_MAX];
	u32 num_ports;
	enum pizwg_switching switching;
};

/* hub.c: USB hubs, their descriptors, and the kernel's port "disable" knob */
int pizwg_hub_init(void);
void pizwg_hub_exit(void);
int pizwg_hub_get(const char *name, struct pizwg_hub *hub);
int pizwg_hub_find(const char *name, struct pizwg_hub *hub);
void pizwg_hub_put(struct pizwg_hub *hub);
int pizwg_hub_known(const char *name, const struct usb_device *udev,
		    struct pizwg_hub *hub);
struct usb_device *pizwg_hub_dev(const char *name);
void pizwg_hub_bound_locked(struct usb_device *hdev,
			    struct usb_interface *intf);
void pizwg_hub_forget(struct usb_device *hdev);
void pizwg_hub_scan(void);
int pizwg_hub_list(struct usb_device ***hubs, unsigned int *count);
void pizwg_hub_list_free(struct usb_device **hubs, unsigned int count);
int pizwg_hub_read_info(struct usb_device *udev, struct pizwg_hub_info *info,
			bool live);
int pizwg_hub_switch(const struct pizwg_hub *hub, u32 port, bool on);
int pizwg_hub_claim(const struct pizwg_hub *hub, u32 port, bool claim);
int pizwg_hub_claim_locked(struct usb_device *hdev, u32 port, bool claim);
int pizwg_hub_power_off_locked(struct usb_device *hdev, u32 port);
void pizwg_hub_read_port_peer(const struct pizwg_hub *hub, u32 port,
			      char *peer, size_t size, u32 *peer_port);

/* port.c: switching policy and leases */

/* A requester: its netlink socket, namespace and port id. */
struct pizwg_holder {
	struct sock *sk;
	struct net *net;
	u32 portid;
};

struct pizwg_switch_req {
	const char *hub;
	u32 port;
	enum pizwg_action action;
	u32 off_ms;
	bool force;
	struct pizwg_holder holder;
	struct netlink_ext_ack *extack;
};

int pizwg_port_init(void);
void pizwg_port_exit(void);
int pizwg_port_switch(const struct pizwg_switch_req *req);
int pizwg_port_switch_async(const struct pizwg_switch_req *req, u32 seq);
int pizwg_port_release(const struct pizwg_switch_req *req);
void pizwg_port_fill_leases(struct pizwg_hub_info *info);
enum pizwg_cause pizwg_port_tty_cause(const char *hub, u32 port, bool added);
void pizwg_port_hub_bound(struct usb_device *hdev);
void pizwg_port_apply_all(void);
void pizwg_port_hub_unbind(struct usb_device *hdev);

/* tty.c: CDC-ACM ttys, followed through a USB bus notifier */
int pizwg_tty_init(void);
void pizwg_tty_exit(void);
int pizwg_tty_snapshot(struct pizwg_tty_info **ttys, unsigned int *count);
int pizwg_tty_find(const char *name, struct pizwg_tty_info *info);

/* event.c: notifications, queued from any context and sent in order */
struct pizwg_event {
	struct list_head node;
	u8 cmd;
	enum pizwg_cause cause;
	u64 timestamp;
	struct pizwg_tty_info tty;
	char hub[PIZWG_NAME_MAX];
	u32 port;
	bool power;
	bool leased;
};

void pizwg_event_tty(u8 cmd, const struct pizwg_tty_info *tty,
		     enum pizwg_cause cause, u64 timestamp);
void pizwg_event_port(const char *hub, u32 port, bool power, bool leased,
		      enum pizwg_cause cause);
void pizwg_event_start(void);
void pizwg_event_flush(void);
void pizwg_event_exit(void);

/* netlink.c: the generic netlink family */
int pizwg_nl_init(void);
void pizwg_nl_exit(void);
void pizwg_nl_notify(const struct pizwg_event *ev);
void pizwg_nl_set_port_done(struct net *net, u32 portid, u32 seq,
			    const char *hub, u32 port, u32 action, int err,
			    const char *msg);

#endif /* _PIZWG_INTERNAL_H */
