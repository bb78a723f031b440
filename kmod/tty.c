// SPDX-License-Identifier: GPL-2.0-only
/*
 * CDC-ACM ttys, followed through a USB bus notifier.
 *
 * usb_bus_type is not exported, so the bus is taken from the first USB
 * device we see; until one exists, a usbcore notifier waits for it (the host
 * controller driver may load after us at boot).
 *
 * A tty appears when the cdc_acm driver is bound to an interface: it creates
 * the tty as a child of the control interface during probe. It vanishes when
 * cdc_acm is unbound from either of its two interfaces, which may happen in
 * either order, so rather than looking for the tty at unbind time we hold a
 * reference to every tty we know and, after any unbind on the bus, report the
 * ones that are no longer registered.
 *
 * Notifiers run with USB device locks held: here we only copy identities
 * and queue events; event.c sends them from a work item.
 *
 * The same notifier tells port.c when the hub driver binds to a hub (it has
 * just powered every port) or is about to leave one (leases on it end).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/slab.h>
#include <linux/usb.h>
#include <linux/workqueue.h>

#include "pizwg_internal.h"

struct pizwg_tty {
	struct list_head node;
	struct device *dev;	/* referenced */
	struct pizwg_tty_info info;
};

static LIST_HEAD(pizwg_ttys);
static DEFINE_MUTEX(pizwg_ttys_lock);

static DEFINE_MUTEX(pizwg_attach_lock);
static typeof(((struct device *)NULL)->bus) pizwg_usb_bus;

/* Whether @dev is a USB interface bound to the driver named @driver. */
static bool pizwg_is_intf_of(struct device *dev, const char *driver)
{
	return dev->type && dev->type->name &&
	       !strcmp(dev->type->name, "usb_interface") &&
	       dev->driver && !strcmp(dev->driver->name, driver);
}

static bool pizwg_is_acm_intf(struct device *dev)
{
	return pizwg_is_intf_of(dev, "cdc_acm");
}

/* The hub whose hub driver binding @dev is, or NULL. */
static struct usb_device *pizwg_hub_of_intf(struct device *dev)
{
	if (!pizwg_is_intf_of(dev, "hub"))
		return NULL;
	return interface_to_usbdev(to_usb_interface(dev));
}

static bool pizwg_is_tty(struct device *dev)
{
	return dev->class && !strcmp(dev->class->name, "tty");
}

static void pizwg_tty_fill(struct device *tty, struct pizwg_tty_info *info)
{
	struct usb_interface *intf = to_usb_interface(tty->parent);
	struct usb_device *udev = interface_to_usbdev(intf);

	strscpy(info->name, dev_name(tty), sizeof(info->name));
	info->major = MAJOR(tty->devt);
	info->minor = MINOR(tty->devt);
	info->busnum = udev->bus->busnum;
	strscpy(info->devpath, udev->devpath, sizeof(info->devpath));
	strscpy(info->device, dev_name(&udev->dev), sizeof(info->device));
	if (udev->parent)
		strscpy(info->hub, dev_name(&udev->parent->dev),
			sizeof(info->hub));
	info->port = udev->portnum;
	info->vendor_id = le16_to_cpu(udev->descriptor.idVendor);
	info->product_id = le16_to_cpu(udev->descriptor.idProduct);
	strscpy(info->serial, udev->serial ?: "", sizeof(info->serial));
	strscpy(info->manufacturer, udev->manufacturer ?: "",
		sizeof(info->manufacturer));
	strscpy(info->product, udev->product ?: "", sizeof(info->product));
}

static struct pizwg_tty *pizwg_tty_lookup(struct device *dev)
{
	struct pizwg_tty *t;

	lockdep_assert_held(&pizwg_ttys_lock);
	list_for_each_entry(t, &pizwg_ttys, node)
		if (t->dev == dev)
			return t;
	return NULL;
}

/* device_for_each_child() callback; @data points to "notify or not". */
static int pizwg_tty_add(struct device *dev, void *data)
{
	bool notify = *(bool *)data;
	struct pizwg_tty *t;
	u64 now = ktime_get_ns();

	if (!pizwg_is_tty(dev))
		return 0;
	t = kzalloc(sizeof(*t), GFP_NOIO);
	if (!t)
		return 0;
	pizwg_tty_fill(dev, &t->info);

	mutex_lock(&pizwg_ttys_lock);
	if (pizwg_tty_lookup(dev)) {
		mutex_unlock(&pizwg_ttys_lock);
		kfree(t);
		return 0;
	}
	t->dev = get_device(dev);
	list_add_tail(&t->node, &pizwg_ttys);
	mutex_unlock(&pizwg_ttys_lock);

	if (notify)
		pizwg_event_tty(PIZWG_CMD_TTY_ADDED, &t->info,
				pizwg_port_tty_cause(t->info.hub, t->info.port,
						     true),
				now);
	return 0;
}

static int pizwg_tty_scan_intf(struct device *dev, void *data)
{
	if (pizwg_is_acm_intf(dev))
		device_for_each_child(dev, data, pizwg_tty_add);
	return 0;
}

/*
 * cdc_acm claims two interfaces and the tty hangs off the control one, which
 * is not necessarily the one whose binding we were told about.
 */
static void pizwg_tty_scan_udev(struct usb_device *udev, bool notify)
{
	device_for_each_child(&udev->dev, &notify, pizwg_tty_scan_intf);
}

static int pizwg_tty_scan_one(struct usb_device *udev, void *unused)
{
	pizwg_tty_scan_udev(udev, false);
	return 0;
}

/* Reports and forgets every known tty that has been unregistered. */
static void pizwg_tty_reap(void)
{
	struct pizwg_tty *t, *tmp;
	LIST_HEAD(gone);
	u64 now = ktime_get_ns();

	mutex_lock(&pizwg_ttys_lock);
	list_for_each_entry_safe(t, tmp, &pizwg_ttys, node)
		if (!device_is_registered(t->dev))
			list_move_tail(&t->node, &gone);
	mutex_unlock(&pizwg_ttys_lock);

	list_for_each_entry_safe(t, tmp, &gone, node) {
		pizwg_event_tty(PIZWG_CMD_TTY_REMOVED, &t->info,
				pizwg_port_tty_cause(t->info.hub, t->info.port,
						     false),
				now);
		put_device(t->dev);
		kfree(t);
	}
}

static int pizwg_usb_bus_notify(struct notifier_block *nb,
				unsigned long action, void *data)
{
	struct device *dev = data;
	struct usb_device *hub;

	switch (action) {
	case BUS_NOTIFY_BOUND_DRIVER:
		if (pizwg_is_acm_intf(dev))
			pizwg_tty_scan_udev(interface_to_usbdev(to_usb_interface(dev)),
					    true);
		/* The hub driver has just powered every port of this hub. */
		hub = pizwg_hub_of_intf(dev);
		if (hub) {
			/* Claims first: they race the hub driver's first event. */
			pizwg_port_hub_bound(hub);
			pizwg_hub_bound_locked(hub, to_usb_interface(dev));
		}
		break;
	case BUS_NOTIFY_UNBIND_DRIVER:
		hub = pizwg_hub_of_intf(dev);
		if (hub) {
			pizwg_port_hub_unbind(hub);
			pizwg_hub_forget(hub);
		}
		break;
	case BUS_NOTIFY_UNBOUND_DRIVER:
	case BUS_NOTIFY_DEL_DEVICE:
		pizwg_tty_reap();
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block pizwg_usb_bus_nb = {
	.notifier_call = pizwg_usb_bus_notify,
};

static int pizwg_find_bus(struct usb_device *udev, void *unused)
{
	pizwg_usb_bus = udev->dev.bus;
	return 1;
}

/* Starts following the USB bus once a USB device shows us where it is. */
static void pizwg_tty_attach(void)
{
	mutex_lock(&pizwg_attach_lock);
	if (!pizwg_usb_bus) {
		usb_for_each_dev(NULL, pizwg_find_bus);
		if (pizwg_usb_bus && bus_register_notifier(pizwg_usb_bus,
							   &pizwg_usb_bus_nb)) {
			pr_err("cannot watch the USB bus\n");
			pizwg_usb_bus = NULL;
		}
		/* After registering, so that no tty falls between the two. */
		if (pizwg_usb_bus) {
			usb_for_each_dev(NULL, pizwg_tty_scan_one);
			pizwg_hub_scan();
		}
		/* And no hub binding: ports meant to be off are switched off. */
		if (pizwg_usb_bus)
			pizwg_port_apply_all();
	}
	mutex_unlock(&pizwg_attach_lock);
}

static void pizwg_attach_work_fn(struct work_struct *work)
{
	pizwg_tty_attach();
}

static DECLARE_WORK(pizwg_attach_work, pizwg_attach_work_fn);

static int pizwg_usb_notify(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	if (action == USB_DEVICE_ADD && !READ_ONCE(pizwg_usb_bus))
		schedule_work(&pizwg_attach_work);
	return NOTIFY_OK;
}

static struct notifier_block pizwg_usb_nb = {
	.notifier_call = pizwg_usb_notify,
};

int pizwg_tty_init(void)
{
	usb_register_notify(&pizwg_usb_nb);
	pizwg_tty_attach();
	return 0;
}

void pizwg_tty_exit(void)
{
	struct pizwg_tty *t, *tmp;

	usb_unregister_notify(&pizwg_usb_nb);
	cancel_work_sync(&pizwg_attach_work);
	if (pizwg_usb_bus)
		bus_unregister_notifier(pizwg_usb_bus, &pizwg_usb_bus_nb);

	mutex_lock(&pizwg_ttys_lock);
	list_for_each_entry_safe(t, tmp, &pizwg_ttys, node) {
		list_del(&t->node);
		put_device(t->dev);
		kfree(t);
	}
	mutex_unlock(&pizwg_ttys_lock);
}

int pizwg_tty_snapshot(struct pizwg_tty_info **ttys, unsigned int *count)
{
	struct pizwg_tty_info *arr;
	struct pizwg_tty *t;
	unsigned int n = 0;

	mutex_lock(&pizwg_ttys_lock);
	list_for_each_entry(t, &pizwg_ttys, node)
		n++;
	/* No reclaim I/O here: notifiers take this lock under device locks. */
	arr = kcalloc(n ?: 1, sizeof(*arr), GFP_NOIO);
	if (!arr) {
		mutex_unlock(&pizwg_ttys_lock);
		return -ENOMEM;
	}
	n = 0;
	/* Not one unregistered already: a new tty may have its number. */
	list_for_each_entry(t, &pizwg_ttys, node)
		if (device_is_registered(t->dev))
			arr[n++] = t->info;
	mutex_unlock(&pizwg_ttys_lock);
	*ttys = arr;
	*count = n;
	return 0;
}

int pizwg_tty_find(const char *name, struct pizwg_tty_info *info)
{
	struct pizwg_tty *t;
	int ret = -ENODEV;

	mutex_lock(&pizwg_ttys_lock);
	list_for_each_entry(t, &pizwg_ttys, node) {
		/* An unregistered one may share its name with a new one. */
		if (!strcmp(t->info.name, name) &&
		    device_is_registered(t->dev)) {
			*info = t->info;
			ret = 0;
			break;
		}
	}
	mutex_unlock(&pizwg_ttys_lock);
	return ret;
}
