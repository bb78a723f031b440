// SPDX-License-Identifier: GPL-2.0-only
/*
 * USB hubs: finding them, reading their descriptors and port status, and
 * switching port power.
 *
 * Port power goes through the kernel's own per-port "disable" attribute
 * (drivers/usb/core/port.c, Linux >= 6.0) rather than a raw
 * SetPortFeature(PORT_POWER): the attribute disconnects the child first and
 * records the port as off, so the hub driver does not power it again. A raw
 * request leaves a stale child behind on some host controllers.
 *
 * The attribute is reached through a private kernel mount of sysfs with
 * kernel credentials, so the result does not depend on the caller's mount
 * namespace, root directory or file permissions. Going through the VFS also
 * gives us sysfs's active-reference protection against a hub that is being
 * removed while we write.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/usb.h>
#include <linux/usb/ch11.h>

#include "pizwg_internal.h"

#define PIZWG_PATH_MAX 160

static struct vfsmount *pizwg_sysfs;
static const struct cred *pizwg_kernel_cred;

int pizwg_hub_init(void)
{
	struct file_system_type *type;
	struct cred *cred;

	type = get_fs_type("sysfs");
	if (!type)
		return -ENODEV;
	pizwg_sysfs = kern_mount(type);
	module_put(type->owner);
	if (IS_ERR(pizwg_sysfs))
		return PTR_ERR(pizwg_sysfs);

	cred = prepare_kernel_cred(&init_task);
	if (!cred) {
		kern_unmount(pizwg_sysfs);
		return -ENOMEM;
	}
	pizwg_kernel_cred = cred;
	return 0;
}

void pizwg_hub_exit(void)
{
	pizwg_hub_forget(NULL);
	put_cred(pizwg_kernel_cred);
	kern_unmount(pizwg_sysfs);
}

static bool pizwg_is_hub(struct usb_device *udev)
{
	return udev->maxchild > 0;
}

struct pizwg_hub_lookup {
	const char *name;
	struct usb_device *found;
};

static int pizwg_hub_match(struct usb_device *udev, void *data)
{
	struct pizwg_hub_lookup *lookup = data;

	if (!pizwg_is_hub(udev) || strcmp(dev_name(&udev->dev), lookup->name))
		return 0;
	lookup->found = usb_get_dev(udev);
	return 1;
}

/* The hub's first interface, referenced, or NULL when unconfigured. */
static struct usb_interface *pizwg_hub_intf(struct usb_device *udev)
{
	struct usb_interface *intf = NULL;

	usb_lock_device(udev);
	if (udev->actconfig && udev->actconfig->desc.bNumInterfaces)
		intf = usb_get_intf(udev->actconfig->interface[0]);
	usb_unlock_device(udev);
	return intf;
}

static bool pizwg_hub_superspeed(struct usb_device *udev)
{
	return udev->descriptor.bDeviceProtocol == USB_HUB_PR_SS;
}

/* Reads wHubCharacteristics from the hub class descriptor. */
static int pizwg_hub_read_switching(struct usb_device *udev,
				    enum pizwg_switching *switching)
{
	struct usb_hub_descriptor *desc;
	u8 type = USB_DT_HUB;
	u16 chars;
	int ret;

	if (pizwg_hub_superspeed(udev))
		type = USB_DT_SS_HUB;
	desc = kzalloc(sizeof(*desc), GFP_KERNEL);
	if (!desc)
		return -ENOMEM;
	ret = usb_control_msg(udev, usb_rcvctrlpipe(udev, 0),
			      USB_REQ_GET_DESCRIPTOR, USB_DIR_IN | USB_RT_HUB,
			      type << 8, 0, desc, sizeof(*desc),
			      USB_CTRL_GET_TIMEOUT);
	if (ret < 0)
		goto out;
	if (ret < USB_DT_HUB_NONVAR_SIZE) {
		ret = -EPROTO;
		goto out;
	}
	chars = le16_to_cpu(desc->wHubCharacteristics);
	switch (chars & HUB_CHAR_LPSM) {
	case HUB_CHAR_INDV_PORT_LPSM:
		*switching = PIZWG_SWITCHING_INDIVIDUAL;
		break;
	case HUB_CHAR_COMMON_LPSM:
		*switching = PIZWG_SWITCHING_GANGED;
		break;
	default:
		*switching = PIZWG_SWITCHING_NONE;
		break;
	}
	ret = 0;
out:
	kfree(desc);
	return ret;
}

static int pizwg_port_read_status(struct usb_device *udev, u32 port,
				  u16 *status)
{
	__le16 *buf;
	int ret;

	buf = kzalloc(4, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = usb_control_msg(udev, usb_rcvctrlpipe(udev, 0),
			      USB_REQ_GET_STATUS, USB_DIR_IN | USB_RT_PORT,
			      0, port, buf, 4, USB_CTRL_GET_TIMEOUT);
	if (ret >= 0 && ret < 4)
		ret = -EPROTO;
	if (ret >= 0) {
		*status = le16_to_cpu(buf[0]);
		ret = 0;
	}
	kfree(buf);
	return ret;
}

/*
 * The hub whose ports are peered with ours (USB3 and USB2 halves of one
 * physical hub), found through port 1's "peer" link in sysfs.
 */
static void pizwg_hub_read_peer(const char *name, const char *intf,
				char *peer, size_t size)
{
	char path[PIZWG_PATH_MAX];
	struct file *f;

	peer[0] = '\0';
	if (snprintf(path, sizeof(path), "bus/usb/devices/%s/%s-port1/peer/../..",
		     intf, name) >= sizeof(path))
		return;
	f = file_open_root_mnt(pizwg_sysfs, path, O_PATH | O_DIRECTORY, 0);
	if (IS_ERR(f))
		return;
	snprintf(peer, size, "%pd", f->f_path.dentry);
	filp_close(f, NULL);
}

/*
 * What a request needs to know of each hub the hub driver is bound to (its
 * interface, port count and power switching mode), learnt when the driver
 * binds (from the bus notifier, or the scan at attach) and forgotten when
 * it leaves. The descriptor is read then, once per binding: an asynchronous
 * request is checked from here without USB I/O or USB device locks.
 * Keyed by the hub's name: an entry is added and removed with the hub's
 * device lock held, and only while the hub driver is bound, so a name here
 * is always the hub bound now.
 */
struct pizwg_hub_known {
	struct list_head node;
	char name[PIZWG_NAME_MAX];
	struct usb_device *udev;	/* compared, never dereferenced */
	char intf[PIZWG_NAME_MAX];
	u32 num_ports;
	enum pizwg_switching switching;	/* UNKNOWN: the read failed */
};

static LIST_HEAD(pizwg_hubs_known);
static DEFINE_SPINLOCK(pizwg_hubs_known_lock);

static struct pizwg_hub_known *pizwg_hub_known_find(const char *name)
{
	struct pizwg_hub_known *k;

	lockdep_assert_held(&pizwg_hubs_known_lock);
	list_for_each_entry(k, &pizwg_hubs_known, node)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}

/*
 * Fills @hub (without a device reference: hub->udev is NULL) from what is
 * known of the bound hub @name (and, @udev not NULL, that very device).
 * -ENOENT when nothing is: not a hub, not bound, or not learnt yet. The
 * switching mode may be PIZWG_SWITCHING_UNKNOWN (its read failed).
 */
int pizwg_hub_known(const char *name, const struct usb_device *udev,
		    struct pizwg_hub *hub)
{
	struct pizwg_hub_known *k;
	int ret = -ENOENT;

	spin_lock(&pizwg_hubs_known_lock);
	k = pizwg_hub_known_find(name);
	if (k && (!udev || k->udev == udev)) {
		hub->udev = NULL;
		strscpy(hub->name, k->name, sizeof(hub->name));
		strscpy(hub->intf, k->intf, sizeof(hub->intf));
		hub->num_ports = k->num_ports;
		hub->switching = k->switching;
		ret = 0;
	}
	spin_unlock(&pizwg_hubs_known_lock);
	return ret;
}

static int pizwg_hub_read_switching(struct usb_device *udev,
				    enum pizwg_switching *switching);

/*
 * The hub driver is bound to @hdev through @intf: learn the hub, its mode
 * read from the descriptor now, once per binding (PIZWG_SWITCHING_UNKNOWN
 * if that fails). The caller holds @hdev's lock (the bus notifier runs
 * with it held): no allocation here may recurse into I/O.
 */
void pizwg_hub_bound_locked(struct usb_device *hdev,
			    struct usb_interface *intf)
{
	struct pizwg_hub_known *k, *old;
	unsigned int noio;

	device_lock_assert(&hdev->dev);
	if (!hdev->maxchild)
		return;
	noio = memalloc_noio_save();
	k = kzalloc(sizeof(*k), GFP_KERNEL);
	if (!k)
		goto out;
	strscpy(k->name, dev_name(&hdev->dev), sizeof(k->name));
	strscpy(k->intf, dev_name(&intf->dev), sizeof(k->intf));
	k->udev = hdev;
	k->num_ports = hdev->maxchild;
	k->switching = PIZWG_SWITCHING_UNKNOWN;
	if (!usb_autopm_get_interface(intf)) {
		if (pizwg_hub_read_switching(hdev, &k->switching))
			k->switching = PIZWG_SWITCHING_UNKNOWN;
		usb_autopm_put_interface(intf);
	}

	/* Bounded by the hubs bound now: each is forgotten at its unbind. */
	spin_lock(&pizwg_hubs_known_lock);
	old = pizwg_hub_known_find(k->name);
	if (old)
		list_replace(&old->node, &k->node);
	else
		list_add(&k->node, &pizwg_hubs_known);
	spin_unlock(&pizwg_hubs_known_lock);
	kfree(old);
out:
	memalloc_noio_restore(noio);
}

/* The hub driver is leaving @hdev (or, NULL, the module is): forget it. */
void pizwg_hub_forget(struct usb_device *hdev)
{
	struct pizwg_hub_known *k, *tmp;

	spin_lock(&pizwg_hubs_known_lock);
	list_for_each_entry_safe(k, tmp, &pizwg_hubs_known, node) {
		if (hdev && strcmp(k->name, dev_name(&hdev->dev)))
			continue;
		list_del(&k->node);
		kfree(k);
	}
	spin_unlock(&pizwg_hubs_known_lock);
}

static int pizwg_hub_scan_one(struct usb_device *udev, void *unused)
{
	struct usb_interface *intf;

	usb_lock_device(udev);
	/* maxchild is set while the hub driver is bound (hub_configure). */
	if (udev->maxchild > 0 && udev->actconfig &&
	    udev->actconfig->desc.bNumInterfaces) {
		intf = udev->actconfig->interface[0];
		if (intf->dev.driver)
			pizwg_hub_bound_locked(udev, intf);
	}
	usb_unlock_device(udev);
	return 0;
}

/*
 * Learns the hubs bound already. After the bus notifier is registered, so
 * that no binding falls between the two.
 */
void pizwg_hub_scan(void)
{
	usb_for_each_dev(NULL, pizwg_hub_scan_one);
}

static int pizwg_hub_open(struct usb_device *udev, struct pizwg_hub *hub)
{
	struct pizwg_hub_known *k;
	struct usb_interface *intf;
	bool known;
	int ret;

	intf = pizwg_hub_intf(udev);
	if (!intf)
		return -ENODEV;
	strscpy(hub->name, dev_name(&udev->dev), sizeof(hub->name));
	strscpy(hub->intf, dev_name(&intf->dev), sizeof(hub->intf));
	hub->num_ports = udev->maxchild;

	/* Read when the hub driver bound, unless that failed. */
	spin_lock(&pizwg_hubs_known_lock);
	k = pizwg_hub_known_find(hub->name);
	known = k && k->udev == udev &&
		k->switching != PIZWG_SWITCHING_UNKNOWN;
	if (known)
		hub->switching = k->switching;
	spin_unlock(&pizwg_hubs_known_lock);
	ret = 0;
	if (known)
		goto out;
	ret = usb_autopm_get_interface(intf);
	if (ret)
		goto out;
	ret = pizwg_hub_read_switching(udev, &hub->switching);
	usb_autopm_put_interface(intf);
out:
	usb_put_intf(intf);
	return ret;
}

/*
 * Finds a hub by name and fills in what is needed to switch its ports,
 * without any USB I/O: the off paths (lease expiry, re-probes, unload) must
 * not depend on reading a descriptor from a hub that may be failing.
 */
int pizwg_hub_find(const char *name, struct pizwg_hub *hub)
{
	struct pizwg_hub_lookup lookup = { .name = name };
	struct usb_interface *intf;

	usb_for_each_dev(&lookup, pizwg_hub_match);
	if (!lookup.found)
		return -ENODEV;
	intf = pizwg_hub_intf(lookup.found);
	if (!intf) {
		usb_put_dev(lookup.found);
		return -ENODEV;
	}
	strscpy(hub->name, dev_name(&lookup.found->dev), sizeof(hub->name));
	strscpy(hub->intf, dev_name(&intf->dev), sizeof(hub->intf));
	hub->num_ports = lookup.found->maxchild;
	hub->switching = PIZWG_SWITCHING_NONE;	/* not read */
	usb_put_intf(intf);
	hub->udev = lookup.found;
	return 0;
}

/* The hub device named @name, referenced, found without taking its lock. */
struct usb_device *pizwg_hub_dev(const char *name)
{
	struct pizwg_hub_lookup lookup = { .name = name };

	usb_for_each_dev(&lookup, pizwg_hub_match);
	return lookup.found;
}

int pizwg_hub_get(const char *name, struct pizwg_hub *hub)
{
	struct pizwg_hub_lookup lookup = { .name = name };
	int ret;

	usb_for_each_dev(&lookup, pizwg_hub_match);
	if (!lookup.found)
		return -ENODEV;
	ret = pizwg_hub_open(lookup.found, hub);
	if (ret) {
		usb_put_dev(lookup.found);
		return ret == -ENODEV ? ret : -EIO;
	}
	hub->udev = lookup.found;
	return 0;
}

void pizwg_hub_put(struct pizwg_hub *hub)
{
	usb_put_dev(hub->udev);
	hub->udev = NULL;
}

struct pizwg_hub_collect {
	struct usb_device **hubs;
	unsigned int count;
	unsigned int size;
};

static int pizwg_hub_collect_one(struct usb_device *udev, void *data)
{
	struct pizwg_hub_collect *c = data;

	if (!pizwg_is_hub(udev))
		return 0;
	if (c->count == c->size)
		return -ENOSPC;
	c->hubs[c->count++] = usb_get_dev(udev);
	return 0;
}

static int pizwg_hub_count_one(struct usb_device *udev, void *data)
{
	unsigned int *count = data;

	if (pizwg_is_hub(udev))
		(*count)++;
	return 0;
}

/* A referenced snapshot of every hub; hubs plugged in meanwhile may miss it. */
int pizwg_hub_list(struct usb_device ***hubs, unsigned int *count)
{
	struct pizwg_hub_collect c = { 0 };

	usb_for_each_dev(&c.size, pizwg_hub_count_one);
	c.size += 4;
	c.hubs = kcalloc(c.size, sizeof(*c.hubs), GFP_KERNEL);
	if (!c.hubs)
		return -ENOMEM;
	usb_for_each_dev(&c, pizwg_hub_collect_one);
	*hubs = c.hubs;
	*count = c.count;
	return 0;
}

void pizwg_hub_list_free(struct usb_device **hubs, unsigned int count)
{
	while (count--)
		usb_put_dev(hubs[count]);
	kfree(hubs);
}

static void pizwg_port_read_child(struct usb_device *udev, u32 port,
				  char *child, size_t size)
{
	struct usb_device *c;

	child[0] = '\0';
	usb_lock_device(udev);
	c = usb_hub_find_child(udev, port);
	if (c)
		strscpy(child, dev_name(&c->dev), size);
	usb_unlock_device(udev);
}

static int pizwg_hub_read_ports(struct usb_device *udev,
				struct pizwg_hub_info *info)
{
	u16 power_bit = USB_PORT_STAT_POWER;
	struct pizwg_port_info *p;
	u16 status;
	u32 i;
	int ret;

	if (pizwg_hub_superspeed(udev))
		power_bit = USB_SS_PORT_STAT_POWER;
	for (i = 0; i < info->num_ports; i++) {
		p = &info->ports[i];
		p->number = i + 1;
		ret = pizwg_port_read_status(udev, p->number, &status);
		if (ret)
			return ret;
		p->power = status & power_bit;
		p->power_known = true;
		p->connected = status & USB_PORT_STAT_CONNECTION;
		pizwg_port_read_child(udev, p->number, p->child,
				      sizeof(p->child));
	}
	return 0;
}

struct pizwg_hub_children {
	struct usb_device *hub;
	struct pizwg_hub_info *info;
};

/* A device attached to one of the hub's ports: that port's child. */
static int pizwg_hub_child_one(struct usb_device *udev, void *data)
{
	struct pizwg_hub_children *c = data;
	struct pizwg_port_info *p;

	if (udev->parent != c->hub || udev->portnum < 1 ||
	    udev->portnum > c->info->num_ports ||
	    udev->state == USB_STATE_NOTATTACHED)
		return 0;
	p = &c->info->ports[udev->portnum - 1];
	p->connected = true;
	strscpy(p->child, dev_name(&udev->dev), sizeof(p->child));
	return 0;
}

/*
 * The ports as far as they are known without asking the hub: powered (the
 * hub driver powers every port; port.c puts in the intended state of the
 * ports it switched), connected when a child device exists. Children are
 * found by walking the bus (each device names its parent and port), not
 * under the hub's lock, which enumeration holds for long.
 */
static void pizwg_hub_recorded_ports(struct usb_device *udev,
				     struct pizwg_hub_info *info)
{
	struct pizwg_hub_children c = { .hub = udev, .info = info };
	u32 i;

	for (i = 0; i < info->num_ports; i++) {
		info->ports[i].number = i + 1;
		info->ports[i].power = true;
	}
	usb_for_each_dev(&c, pizwg_hub_child_one);
}

/*
 * @live (a CAP_NET_ADMIN caller): the hub's port status is read now, which
 * may resume the hub. Otherwise nothing is asked of the hub and no USB
 * device lock is taken: its switching mode is the one read when the hub
 * driver bound (PIZWG_SWITCHING_UNKNOWN if that failed or has not happened
 * yet), and the ports are as pizwg_hub_recorded_ports() says, marked as
 * not read.
 */
int pizwg_hub_read_info(struct usb_device *udev, struct pizwg_hub_info *info,
			bool live)
{
	struct pizwg_hub hub;
	struct usb_interface *intf;
	int ret;

	memset(info, 0, sizeof(*info));
	info->live = live;
	if (live) {
		ret = pizwg_hub_open(udev, &hub);
		if (ret)
			return ret;
	} else if (pizwg_hub_known(dev_name(&udev->dev), udev, &hub)) {
		/* Not learnt (yet): what the device says, nothing read. */
		strscpy(hub.name, dev_name(&udev->dev), sizeof(hub.name));
		hub.intf[0] = '\0';
		hub.num_ports = READ_ONCE(udev->maxchild);
		hub.switching = PIZWG_SWITCHING_UNKNOWN;
	}
	strscpy(info->name, hub.name, sizeof(info->name));
	strscpy(info->devpath, udev->devpath[0] ? udev->devpath : "0",
		sizeof(info->devpath));
	info->busnum = udev->bus->busnum;
	info->vendor_id = le16_to_cpu(udev->descriptor.idVendor);
	info->product_id = le16_to_cpu(udev->descriptor.idProduct);
	info->num_ports = min_t(u32, hub.num_ports, USB_MAXCHILDREN);
	info->switching = hub.switching;
	if (hub.intf[0])
		pizwg_hub_read_peer(hub.name, hub.intf, info->peer,
				    sizeof(info->peer));
	if (!live) {
		pizwg_hub_recorded_ports(udev, info);
		return 0;
	}

	intf = pizwg_hub_intf(udev);
	if (!intf)
		return -ENODEV;
	ret = usb_autopm_get_interface(intf);
	if (!ret) {
		ret = pizwg_hub_read_ports(udev, info);
		usb_autopm_put_interface(intf);
	}
	usb_put_intf(intf);
	return ret;
}

/*
 * Port claims, as usbfs's USBDEVFS_CLAIM_PORT makes them: on a port we own
 * the hub driver does not switch power back on after a connect change, and
 * does not configure a device that shows up there. The owner is a token of
 * ours, compared by the USB core and never dereferenced.
 */
static struct pizwg_claim_token {
	char unused;
} pizwg_claim_token;

#define PIZWG_OWNER ((struct usb_dev_state *)&pizwg_claim_token)

/* The caller holds @hdev's lock, so the hub driver cannot leave meanwhile. */
int pizwg_hub_claim_locked(struct usb_device *hdev, u32 port, bool claim)
{
	device_lock_assert(&hdev->dev);
	/* maxchild is 0 unless the hub driver is bound (hub_disconnect). */
	if (port < 1 || port > hdev->maxchild)
		return -ENODEV;
	if (claim)
		return usb_hub_claim_port(hdev, port, PIZWG_OWNER);
	return usb_hub_release_port(hdev, port, PIZWG_OWNER);
}

int pizwg_hub_claim(const struct pizwg_hub *hub, u32 port, bool claim)
{
	int ret;

	usb_lock_device(hub->udev);
	ret = pizwg_hub_claim_locked(hub->udev, port, claim);
	usb_unlock_device(hub->udev);
	return ret;
}

/*
 * Cuts a port's power with a plain ClearPortFeature(PORT_POWER), for when
 * the hub driver is leaving the hub: its "disable" attribute cannot be
 * used then (it takes the lock the caller holds), and the hub driver leaves
 * ports powered when it goes. The caller holds @hdev's lock.
 */
int pizwg_hub_power_off_locked(struct usb_device *hdev, u32 port)
{
	int ret;

	device_lock_assert(&hdev->dev);
	if (hdev->state == USB_STATE_NOTATTACHED)
		return 0;	/* unplugged: nothing powers it */
	ret = usb_control_msg(hdev, usb_sndctrlpipe(hdev, 0),
			      USB_REQ_CLEAR_FEATURE, USB_RT_PORT,
			      USB_PORT_FEAT_POWER, port, NULL, 0,
			      USB_CTRL_SET_TIMEOUT);
	return ret < 0 ? ret : 0;
}

/*
 * The other half of a USB3 port (@hub's port @port): its hub's name into
 * @peer and its number into @peer_port, or an empty name when it has none.
 */
void pizwg_hub_read_port_peer(const struct pizwg_hub *hub, u32 port,
			      char *peer, size_t size, u32 *peer_port)
{
	char path[PIZWG_PATH_MAX], name[PIZWG_NAME_MAX];
	const char *num;
	struct file *f;
	int len;

	peer[0] = '\0';
	*peer_port = 0;
	len = snprintf(path, sizeof(path), "bus/usb/devices/%s/%s-port%u/peer",
		       hub->intf, hub->name, port);
	if (len + sizeof("/../..") > sizeof(path))
		return;
	f = file_open_root_mnt(pizwg_sysfs, path, O_PATH | O_DIRECTORY, 0);
	if (IS_ERR(f))
		return;
	/* The peer port's device is named HUB-portN. */
	snprintf(name, sizeof(name), "%pd", f->f_path.dentry);
	num = strrchr(name, 't');
	if (!num || kstrtou32(num + 1, 10, peer_port))
		*peer_port = 0;
	filp_close(f, NULL);
	if (!*peer_port)
		return;
	strscpy(path + len, "/../..", sizeof(path) - len);
	f = file_open_root_mnt(pizwg_sysfs, path, O_PATH | O_DIRECTORY, 0);
	if (IS_ERR(f)) {
		*peer_port = 0;
		return;
	}
	snprintf(peer, size, "%pd", f->f_path.dentry);
	filp_close(f, NULL);
}

/* Writes "1" (off) or "0" (on) to a port's disable attribute. */
static int pizwg_port_write_disable(const char *path, bool on)
{
	const struct cred *old;
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	old = override_creds(pizwg_kernel_cred);
	f = file_open_root_mnt(pizwg_sysfs, path, O_WRONLY, 0);
	if (IS_ERR(f)) {
		revert_creds(old);
		return PTR_ERR(f);
	}
	n = kernel_write(f, on ? "0" : "1", 1, &pos);
	filp_close(f, NULL);
	revert_creds(old);
	if (n < 0)
		return n;
	return n == 1 ? 0 : -EIO;
}

/* An error of the port's own half: a port gone is its hub gone. */
static int pizwg_own_err(int ret)
{
	return ret == -ENOENT ? -ENODEV : ret;
}

/*
 * An error of the other half of a USB3 port: none (no peer link) is fine;
 * its hub leaving meanwhile (disable_store()'s -ENODEV) is worth a retry,
 * which then finds it gone.
 */
static int pizwg_peer_err(int ret)
{
	if (ret == -ENOENT)
		return 0;
	return ret == -ENODEV ? -EIO : ret;
}

/*
 * Switches @hub's @port and, on a USB3 hub pair, the other half of that
 * physical port, in the USB core's order (usb_port_runtime_resume() and
 * _suspend()): the SuperSpeed half is powered first and unpowered last, so
 * that a USB3 device never sees USB2 power alone and connects degraded.
 * "on" that fails midway switches the half it powered back off; "off"
 * switches both halves whatever the first one did, and reports the other
 * half's error first (-ENODEV would mean nothing is left to switch).
 */
int pizwg_hub_switch(const struct pizwg_hub *hub, u32 port, bool on)
{
	char own[PIZWG_PATH_MAX], peer[PIZWG_PATH_MAX];
	int len, own_ret, peer_ret;

	if (WARN_ON_ONCE(!hub->udev))
		return -EINVAL;
	len = snprintf(own, sizeof(own), "bus/usb/devices/%s/%s-port%u/",
		       hub->intf, hub->name, port);
	if (len + sizeof("peer/disable") > sizeof(own))
		return -ENAMETOOLONG;
	memcpy(peer, own, len);
	strscpy(peer + len, "peer/disable", sizeof(peer) - len);
	strscpy(own + len, "disable", sizeof(own) - len);

	if (!on) {
		/* Off: the USB2 half first. */
		if (pizwg_hub_superspeed(hub->udev)) {
			peer_ret = pizwg_port_write_disable(peer, false);
			own_ret = pizwg_port_write_disable(own, false);
		} else {
			own_ret = pizwg_port_write_disable(own, false);
			peer_ret = pizwg_port_write_disable(peer, false);
		}
		return pizwg_peer_err(peer_ret) ?: pizwg_own_err(own_ret);
	}
	/* On: the SuperSpeed half first. */
	if (pizwg_hub_superspeed(hub->udev)) {
		own_ret = pizwg_own_err(pizwg_port_write_disable(own, true));
		if (own_ret)
			return own_ret;
		peer_ret = pizwg_peer_err(pizwg_port_write_disable(peer, true));
		if (peer_ret)
			pizwg_port_write_disable(own, false);
		return peer_ret;
	}
	peer_ret = pizwg_port_write_disable(peer, true);
	if (pizwg_peer_err(peer_ret))
		return pizwg_peer_err(peer_ret);
	own_ret = pizwg_own_err(pizwg_port_write_disable(own, true));
	if (own_ret && !peer_ret)
		pizwg_port_write_disable(peer, false);
	return own_ret;
}
