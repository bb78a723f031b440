// SPDX-License-Identifier: GPL-2.0-only
/*
 * The libusb backend of power.h, for kernels without pizwg.ko.
 *
 * Switching. A port is switched through the kernel's own attribute
 * /sys/bus/usb/devices/HUB/HUB-INTF/HUB-portN/disable (Linux >= 6.0), and
 * its USB3/USB2 peer port with it: the kernel disconnects the child and
 * keeps the port off, as pizwg.ko does. Older kernels lack the attribute;
 * there ClearPortFeature(PORT_POWER) goes to the hub through libusb. Alone,
 * that leaves the kernel with a stale child and its ttyACM where the host
 * controller reports no disconnect (dummy_hcd), and elsewhere the hub
 * driver, seeing the connection drop, powers the port again
 * (hub_port_connect(): "maybe switch power back on"). So the fallback
 * claims the port (USBDEVFS_CLAIM_PORT: the hub driver leaves the power of
 * a claimed port alone), removes the child through its sysfs "remove"
 * attribute and then cuts the power; to switch on, it ends the claim first
 * (the kernel would not configure a device on a claimed port) and then
 * powers the port. The claim lasts while pizwgd runs. After that, the
 * kernel still counts the port as powered: a reset of the hub, a resume
 * that lost power, or a connection change on the port powers it again.
 *
 * Unless forced, only ports of hubs whose descriptor reports per-port power
 * switching (the LPSM bits of wHubCharacteristics) are switched; the hub
 * class descriptor is not in sysfs, so a GetHubDescriptor request reads it
 * through libusb. A hub is opened by its usbfs node /dev/bus/usb/BBB/DDD
 * (busnum and devnum from sysfs) and handed to libusb_wrap_sys_device(), so
 * libusb neither scans the bus nor starts a hotplug thread.
 *
 * Ttys. Kernel uevents (NETLINK_KOBJECT_UEVENT, group 1: no udev needed)
 * say when a ttyACM comes and goes. The kernel broadcasts the uevents of
 * USB and tty devices, which carry no namespace tag, only into network
 * namespaces owned by the initial user namespace (lib/kobject_uevent.c,
 * Linux >= 4.18): a pizwgd in the initial network namespace, or in one made
 * by `ip netns add`, hears them; one in a container with a user namespace
 * of its own hears nothing. There (and wherever the owner cannot be
 * established) the backend polls /sys/class/tty every 200 ms instead and
 * reports the differences. Either way, the identity of a removed tty (hub,
 * port, USB ids) comes from a table of the ttys seen before: its sysfs
 * entry is gone when the removal is read. A tty is told from a later one
 * of the same name by the inode of its sysfs directory: a removal read
 * after get_ttys() returned the next ttyACM0 is not taken for the removal
 * of that one (the gateway compares names). A removal has cause REQUEST when
 * this backend switched the tty's port off after the tty appeared and at
 * most 5 s before, else UNPLUG; an addition has cause REQUEST when the port
 * was switched on here and no tty appeared on it since, else EXTERNAL, as
 * with pizwg.ko.
 *
 * No leases: see power.h.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libusb.h>
#include <limits.h>
#include <linux/netlink.h>
#include <linux/nsfs.h>
#include <linux/usb/ch11.h>
#include <linux/usb/ch9.h>
#include <linux/usbdevice_fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "power.h"
#include "uevent.h"

#define SYS_USB "/sys/bus/usb/devices"
#define SYS_TTY "/sys/class/tty"
#define USBFS "/dev/bus/usb"

#define USB_OFF_WAIT_MS 3000
#define USB_POLL_MS 200
#define USB_CTRL_TIMEOUT_MS 5000
#define NSEC_PER_SEC 1000000000ull
#define USB_CAUSE_WINDOW_NS (5 * NSEC_PER_SEC)
/* cdc-acm's ACM_TTY_MINORS */
#define USB_TTYS_MAX 256
/* ports this backend switched; pizwgd serves at most a few sticks */
#define USB_PORTS_MAX 64
/* The inode number of the initial user namespace (include/linux/proc_ns.h). */
#define PROC_USER_INIT_INO 0xEFFFFFFDU

struct usb_tty {
	struct pizwg_tty tty;
	/* of its sysfs directory: new with every tty the kernel registers */
	uint64_t ino;
	uint64_t seen_ns; /* when it was first seen */
	bool announced; /* a TTY_ADDED was sent, or it was there at open */
};

/* A port this backend switched. */
struct usb_port {
	char hub[PIZWG_NAME_MAX];
	uint32_t number;
	uint64_t off_ns; /* when it was last switched off; 0: never */
	bool on_requested; /* switched on here, no tty on it seen since */
	int claim_fd; /* the usbfs fd claiming it (fallback), or -1 */
	bool told_raw; /* we said it is switched by the fallback */
};

/* A port to switch: the one asked for, or its USB3/USB2 peer. */
struct usb_target {
	char hub[PIZWG_NAME_MAX];
	uint32_t port;
	char dir[PATH_MAX]; /* its sysfs directory; "" without one */
};

struct usb_hub {
	char name[PIZWG_NAME_MAX];
	uint32_t busnum;
	uint32_t devnum;
	uint32_t maxchild;
	bool superspeed;
};

struct power_usb {
	struct power p;
	libusb_context *usb; /* created on first use */
	int fd; /* the uevent socket, or the polling timerfd */
	bool polling;
	size_t nttys;
	struct usb_tty ttys[USB_TTYS_MAX];
	size_t nports;
	struct usb_port ports[USB_PORTS_MAX];
};

static struct power_usb *usb_of(struct power *p)
{
	return (struct power_usb *)p;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* --- sysfs ---------------------------------------------------------------- */

/* A path into @buf of PATH_MAX bytes; false if it does not fit. */
static bool __attribute__((format(printf, 2, 3)))
path_fmt(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	return n >= 0 && n < PATH_MAX;
}

/* @src into a name field of PIZWG_NAME_MAX bytes, cut if need be. */
static void name_copy(char dst[PIZWG_NAME_MAX], const char *src)
{
	size_t n = strnlen(src, PIZWG_NAME_MAX - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* A name of /sys/bus/usb/devices: "usbB" (a root hub) or "B-P[.P]...". */
static bool usb_name_valid(const char *s)
{
	const char *c;

	if (strlen(s) >= PIZWG_NAME_MAX)
		return false;
	if (!strncmp(s, "usb", 3))
		return all_digits(s + 3);
	for (c = s; *c >= '0' && *c <= '9'; c++)
		;
	if (c == s || *c != '-')
		return false;
	do {
		s = c + 1;
		for (c = s; *c >= '0' && *c <= '9'; c++)
			;
		if (c == s)
			return false;
	} while (*c == '.');
	return !*c;
}

static bool tty_name_valid(const char *s)
{
	return strlen(s) < PIZWG_NAME_MAX && !strncmp(s, "ttyACM", 6) &&
	       all_digits(s + 6);
}

/* The attribute @dir/@name without its newline, cut to fit @size. */
static int sysfs_read(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, ret = 0;

	if (!path_fmt(path, "%s/%s", dir, name))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		ret = -errno;
	close(fd);
	if (ret)
		return ret;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/* An unsigned number in @base, at most @max. */
static int sysfs_read_u32(const char *dir, const char *name, int base,
			  uint32_t max, uint32_t *out)
{
	unsigned long v;
	char buf[32], *end;
	int ret;

	ret = sysfs_read(dir, name, buf, sizeof(buf));
	if (ret)
		return ret;
	if (!isxdigit((unsigned char)buf[0]))
		return -EPROTO;
	errno = 0;
	v = strtoul(buf, &end, base);
	if (errno || *end || v > max)
		return -EPROTO;
	*out = (uint32_t)v;
	return 0;
}

static int sysfs_write(const char *path, const char *value)
{
	size_t len = strlen(value);
	ssize_t n;
	int fd, ret;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	ret = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
	close(fd);
	return ret;
}

static bool sysfs_exists(const char *path)
{
	return !access(path, F_OK);
}

/* The name of the device on @port of @hub: "B-P" below usbB, else "HUB.P". */
static void usb_child_name(const char *hub, uint32_t port, char *buf,
			   size_t size)
{
	if (!strncmp(hub, "usb", 3))
		snprintf(buf, size, "%s-%u", hub + 3, port);
	else
		snprintf(buf, size, "%s.%u", hub, port);
}

static int usb_hub_find(const char *name, struct usb_hub *h, char *err,
			size_t errlen)
{
	char dir[PATH_MAX], proto[8];
	uint32_t cls = 0;
	int ret;

	memset(h, 0, sizeof(*h));
	if (!usb_name_valid(name) || !path_fmt(dir, SYS_USB "/%s", name) ||
	    !sysfs_exists(dir)) {
		snprintf(err, errlen, "no such hub");
		return -ENODEV;
	}
	name_copy(h->name, name);
	sysfs_read_u32(dir, "bDeviceClass", 16, 0xff, &cls);
	/* no maxchild attribute, or 0: not a hub bound to the hub driver */
	sysfs_read_u32(dir, "maxchild", 10, USB_MAXCHILDREN, &h->maxchild);
	if (cls != USB_CLASS_HUB && !h->maxchild) {
		snprintf(err, errlen, "%s is not a hub", name);
		return -ENODEV;
	}
	ret = sysfs_read_u32(dir, "busnum", 10, 999, &h->busnum);
	if (!ret)
		ret = sysfs_read_u32(dir, "devnum", 10, 999, &h->devnum);
	if (ret) {
		snprintf(err, errlen, "cannot read the bus address of %s: %s",
			 name, strerror(-ret));
		return ret == -ENOENT ? -ENODEV : ret;
	}
	h->superspeed =
		!sysfs_read(dir, "bDeviceProtocol", proto, sizeof(proto)) &&
		strtoul(proto, NULL, 16) == USB_HUB_PR_SS;
	return 0;
}

/* HUB/INTF/HUB-portN into @buf of PATH_MAX bytes, whatever INTF is. */
static int usb_port_dir(const char *hub, uint32_t port, char *buf)
{
	char dir[PATH_MAX];
	struct dirent *e;
	struct stat st;
	int ret = -ENOENT;
	DIR *d;

	if (!path_fmt(dir, SYS_USB "/%s", hub))
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (!strchr(e->d_name, ':'))
			continue;
		if (!path_fmt(buf, "%s/%s/%s-port%u", dir, e->d_name, hub,
			      port))
			continue;
		if (!stat(buf, &st) && S_ISDIR(st.st_mode)) {
			ret = 0;
			break;
		}
	}
	closedir(d);
	if (ret)
		buf[0] = '\0';
	return ret;
}

/* The peer of the port in @dir, from its "peer" link: ".../HUB-portN". */
static bool usb_port_peer(const char *dir, struct usb_target *peer)
{
	char path[PATH_MAX], link[PATH_MAX], *base, *sep;
	uint32_t port;
	ssize_t n;

	if (!path_fmt(path, "%s/peer", dir))
		return false;
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	sep = strstr(base, "-port");
	if (!sep || !all_digits(sep + 5))
		return false;
	port = (uint32_t)strtoul(sep + 5, NULL, 10);
	*sep = '\0';
	if (!usb_name_valid(base) || !port || port > USB_MAXCHILDREN)
		return false;
	name_copy(peer->hub, base);
	peer->port = port;
	memcpy(peer->dir, path, sizeof(peer->dir));
	return true;
}

/* The port asked for and, where the kernel linked one, its peer. */
static size_t usb_targets(const char *hub, uint32_t port,
			  struct usb_target t[2])
{
	memset(t, 0, 2 * sizeof(*t));
	name_copy(t[0].hub, hub);
	t[0].port = port;
	if (usb_port_dir(hub, port, t[0].dir))
		return 1;
	return usb_port_peer(t[0].dir, &t[1]) ? 2 : 1;
}

/* --- libusb ------------------------------------------------------------- */

static int usb_errno(int r)
{
	switch (r) {
	case LIBUSB_ERROR_INVALID_PARAM:
		return -EINVAL;
	case LIBUSB_ERROR_ACCESS:
		return -EACCES;
	case LIBUSB_ERROR_NO_DEVICE:
		return -ENODEV;
	case LIBUSB_ERROR_NOT_FOUND:
		return -ENOENT;
	case LIBUSB_ERROR_BUSY:
		return -EBUSY;
	case LIBUSB_ERROR_TIMEOUT:
		return -ETIMEDOUT;
	case LIBUSB_ERROR_OVERFLOW:
		return -EOVERFLOW;
	case LIBUSB_ERROR_PIPE:
		return -EPIPE;
	case LIBUSB_ERROR_INTERRUPTED:
		return -EINTR;
	case LIBUSB_ERROR_NO_MEM:
		return -ENOMEM;
	case LIBUSB_ERROR_NOT_SUPPORTED:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

static int usb_context(struct power_usb *u)
{
	int r;

	if (u->usb)
		return 0;
	/* We open hubs ourselves: no bus scan, no hotplug thread. */
	libusb_set_option(NULL, LIBUSB_OPTION_NO_DEVICE_DISCOVERY);
	r = libusb_init(&u->usb);
	if (r) {
		u->usb = NULL;
		return usb_errno(r);
	}
	return 0;
}

/* The hub's usbfs node, opened read-write. */
static int usb_hub_open(const struct usb_hub *h)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), USBFS "/%03u/%03u", h->busnum, h->devnum);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* One control request on the usbfs @fd; the bytes transferred or -errno. */
static int usb_control(struct power_usb *u, int fd, uint8_t type,
		       uint8_t request, uint16_t value, uint16_t index,
		       unsigned char *data, uint16_t len)
{
	libusb_device_handle *h;
	int r;

	r = usb_context(u);
	if (r)
		return r;
	r = libusb_wrap_sys_device(u->usb, (intptr_t)fd, &h);
	if (r)
		return usb_errno(r);
	r = libusb_control_transfer(h, type, request, value, index, data, len,
				    USB_CTRL_TIMEOUT_MS);
	/* A wrapped handle leaves its fd open. */
	libusb_close(h);
	return r < 0 ? usb_errno(r) : r;
}

/* Whether the hub switches each port's power on its own (LPSM). */
static int usb_hub_individual(struct power_usb *u, const struct usb_hub *h,
			      bool *individual, char *err, size_t errlen)
{
	uint8_t type = h->superspeed ? USB_DT_SS_HUB : USB_DT_HUB;
	unsigned char desc[64];
	uint16_t chars;
	int fd, r;

	fd = usb_hub_open(h);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open " USBFS "/%03u/%03u: %s",
			 h->busnum, h->devnum, strerror(-fd));
		return fd;
	}
	r = usb_control(u, fd, USB_DIR_IN | USB_RT_HUB, USB_REQ_GET_DESCRIPTOR,
			type << 8, 0, desc, sizeof(desc));
	close(fd);
	if (r >= 0 && (r < USB_DT_HUB_NONVAR_SIZE || desc[1] != type))
		r = -EPROTO;
	if (r < 0) {
		snprintf(err, errlen, "cannot read the hub descriptor: %s",
			 strerror(-r));
		return r;
	}
	chars = (uint16_t)(desc[3] | desc[4] << 8);
	*individual = (chars & HUB_CHAR_LPSM) == HUB_CHAR_INDV_PORT_LPSM;
	return 0;
}

#define USB_RAW_NOTICE                                                     \
	"no disable attribute (Linux < 6.0): switching with a port claim " \
	"and Set/ClearPortFeature(PORT_POWER)"

/* --- switching ---------------------------------------------------------- */

static struct usb_port *usb_port_find(struct power_usb *u, const char *hub,
				      uint32_t number)
{
	size_t i;

	for (i = 0; i < u->nports; i++)
		if (u->ports[i].number == number &&
		    !strcmp(u->ports[i].hub, hub))
			return &u->ports[i];
	return NULL;
}

static struct usb_port *usb_port_get(struct power_usb *u, const char *hub,
				     uint32_t number)
{
	struct usb_port *p = usb_port_find(u, hub, number);

	if (p || u->nports == USB_PORTS_MAX)
		return p;
	p = &u->ports[u->nports++];
	name_copy(p->hub, hub);
	p->number = number;
	p->claim_fd = -1;
	return p;
}

/* Ends the fallback's claim on the port, if it holds one. */
static void usb_port_unclaim(struct usb_port *p)
{
	if (p->claim_fd >= 0)
		close(p->claim_fd);
	p->claim_fd = -1;
}

static int usb_write_disable(const struct usb_target *t, bool on, char *err,
			     size_t errlen)
{
	char path[PATH_MAX];
	int ret;

	ret = path_fmt(path, "%s/disable", t->dir) ?
		      sysfs_write(path, on ? "0" : "1") :
		      -ENAMETOOLONG;
	if (ret)
		snprintf(err, errlen, "writing %s to %s port %u's disable: %s",
			 on ? "0" : "1", t->hub, t->port, strerror(-ret));
	return ret;
}

/*
 * The fallback (see the top). Off: claim the port, remove its child, cut
 * the power. On: end the claim first (the kernel does not configure a
 * device that enumerates on a claimed port), then power it.
 */
static int usb_switch_raw(struct power_usb *u, const struct usb_target *t,
			  struct usb_port *p, bool on, char *err, size_t errlen)
{
	char child[PIZWG_NAME_MAX + 16], path[PATH_MAX];
	unsigned int number = t->port;
	struct usb_hub h;
	int fd, ret;

	ret = usb_hub_find(t->hub, &h, err, errlen);
	if (ret)
		return ret;
	fd = p->claim_fd;
	if (fd < 0) {
		fd = usb_hub_open(&h);
		if (fd < 0) {
			snprintf(err, errlen, "cannot open %s's usbfs node: %s",
				 t->hub, strerror(-fd));
			return fd;
		}
	}
	if (!on && p->claim_fd < 0) {
		if (ioctl(fd, USBDEVFS_CLAIM_PORT, &number)) {
			ret = -errno;
			snprintf(err, errlen, "cannot claim %s port %u%s: %s",
				 t->hub, t->port,
				 ret == -EBUSY ? " (another program has it)" :
						 "",
				 strerror(-ret));
			close(fd);
			return ret;
		}
		p->claim_fd = fd;
	}
	if (on && fd == p->claim_fd)
		ioctl(fd, USBDEVFS_RELEASE_PORT, &number);
	if (!on) {
		usb_child_name(t->hub, t->port, child, sizeof(child));
		ret = path_fmt(path, SYS_USB "/%s/remove", child) ?
			      sysfs_write(path, "1") :
			      -ENAMETOOLONG;
		if (ret && ret != -ENOENT)
			log_warn("", "cannot remove %s: %s", child,
				 strerror(-ret));
	}
	ret = usb_control(u, fd, USB_DIR_OUT | USB_RT_PORT,
			  on ? USB_REQ_SET_FEATURE : USB_REQ_CLEAR_FEATURE,
			  USB_PORT_FEAT_POWER, (uint16_t)t->port, NULL, 0);
	if (on && fd == p->claim_fd)
		usb_port_unclaim(p);
	else if (on)
		close(fd);
	if (ret < 0) {
		snprintf(err, errlen, "%s on %s port %u: %s",
			 on ? "SetPortFeature(PORT_POWER)" :
			      "ClearPortFeature(PORT_POWER)",
			 t->hub, t->port, strerror(-ret));
		return ret;
	}
	return 0;
}

/* Switch every target, through "disable" where the kernel has it. */
static int usb_switch(struct power_usb *u, const struct usb_target *t,
		      struct usb_port **p, size_t n, bool on, char *err,
		      size_t errlen)
{
	char path[PATH_MAX];
	bool attr;
	size_t i;
	int ret;

	attr = t[0].dir[0] && path_fmt(path, "%s/disable", t[0].dir) &&
	       sysfs_exists(path);
	if (!attr && !p[0]->told_raw) {
		log_notice("", "%s port %u: %s", t[0].hub, t[0].port,
			   USB_RAW_NOTICE);
		p[0]->told_raw = true;
	}
	for (i = 0; i < n; i++) {
		if (attr)
			ret = usb_write_disable(&t[i], on, err, errlen);
		else
			ret = usb_switch_raw(u, &t[i], p[i], on, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

/* Off has taken effect once the devices on the ports are gone. */
static int usb_wait_gone(const struct usb_target *t, size_t n, char *err,
			 size_t errlen)
{
	char child[PIZWG_NAME_MAX + 16], path[PATH_MAX];
	unsigned int waited = 0;
	size_t i = 0;

	while (i < n) {
		usb_child_name(t[i].hub, t[i].port, child, sizeof(child));
		if (!path_fmt(path, SYS_USB "/%s", child) ||
		    !sysfs_exists(path)) {
			i++;
			continue;
		}
		if (waited >= USB_OFF_WAIT_MS) {
			snprintf(err, errlen,
				 "%s is still there %u ms after switching off",
				 child, USB_OFF_WAIT_MS);
			return -ETIMEDOUT;
		}
		sleep_ms(10);
		waited += 10;
	}
	return 0;
}

static int usb_port_off(struct power_usb *u, const struct usb_target *t,
			struct usb_port **p, size_t n, char *err, size_t errlen)
{
	uint64_t now = now_ns();
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		p[i]->off_ns = now;
		p[i]->on_requested = false;
	}
	ret = usb_switch(u, t, p, n, false, err, errlen);
	return ret ? ret : usb_wait_gone(t, n, err, errlen);
}

static int usb_port_on(struct power_usb *u, const struct usb_target *t,
		       struct usb_port **p, size_t n, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i]->on_requested = true;
	return usb_switch(u, t, p, n, true, err, errlen);
}

static int usb_set_port(struct power *pw, const char *hub, uint32_t port,
			enum pizwg_action action, bool force, char *err,
			size_t errlen)
{
	struct power_usb *u = usb_of(pw);
	struct usb_target t[2];
	struct usb_port *p[2];
	bool individual;
	struct usb_hub h;
	size_t n, i;
	int ret;

	err[0] = '\0';
	ret = usb_hub_find(hub, &h, err, errlen);
	if (ret)
		return ret;
	if (port < 1 || port > h.maxchild) {
		snprintf(err, errlen, "port out of range for this hub");
		return -EINVAL;
	}
	if (!force) {
		ret = usb_hub_individual(u, &h, &individual, err, errlen);
		if (ret)
			return ret;
		if (!individual) {
			snprintf(err, errlen,
				 "hub has no per-port power switching");
			return -EOPNOTSUPP;
		}
	}
	n = usb_targets(hub, port, t);
	for (i = 0; i < n; i++) {
		p[i] = usb_port_get(u, t[i].hub, t[i].port);
		if (!p[i]) {
			snprintf(err, errlen, "too many ports switched");
			return -ENOSPC;
		}
	}
	switch (action) {
	case PIZWG_ACTION_OFF:
		return usb_port_off(u, t, p, n, err, errlen);
	case PIZWG_ACTION_ON:
		return usb_port_on(u, t, p, n, err, errlen);
	case PIZWG_ACTION_CYCLE:
		ret = usb_port_off(u, t, p, n, err, errlen);
		if (ret)
			return ret;
		sleep_ms(PIZWG_OFF_MS_DEFAULT);
		return usb_port_on(u, t, p, n, err, errlen);
	default:
		snprintf(err, errlen, "unknown action %u", action);
		return -EINVAL;
	}
}

/* --- ttys --------------------------------------------------------------- */

static int usb_tty_read_device(const char *ttydir, struct usb_tty *t)
{
	char path[PATH_MAX], dev[PATH_MAX], *base, *parent, *dot;
	struct pizwg_tty *y = &t->tty;
	uint32_t v;
	int ret;

	/* the tty's device is a USB interface; its parent the USB device */
	if (!path_fmt(path, "%s/device/..", ttydir))
		return -ENAMETOOLONG;
	if (!realpath(path, dev))
		return -errno;
	base = strrchr(dev, '/');
	if (!base || !usb_name_valid(base + 1))
		return -ENODEV;
	name_copy(y->device, base + 1);
	*base = '\0';
	parent = strrchr(dev, '/');
	if (!parent || !usb_name_valid(parent + 1))
		return -ENODEV;
	name_copy(y->hub, parent + 1);
	*base = '/';

	ret = sysfs_read_u32(dev, "busnum", 10, UINT32_MAX, &y->busnum);
	if (!ret)
		ret = sysfs_read(dev, "devpath", y->devpath,
				 sizeof(y->devpath));
	if (!ret)
		ret = sysfs_read_u32(dev, "idVendor", 16, 0xffff, &v);
	if (ret)
		return ret;
	y->vendor_id = (uint16_t)v;
	ret = sysfs_read_u32(dev, "idProduct", 16, 0xffff, &v);
	if (ret)
		return ret;
	y->product_id = (uint16_t)v;

	/* the port on the hub: the last element of the devpath */
	dot = strrchr(y->devpath, '.');
	dot = dot ? dot + 1 : y->devpath;
	if (!all_digits(dot))
		return -EPROTO;
	y->port = (uint32_t)strtoul(dot, NULL, 10);
	if (!y->port || y->port > USB_MAXCHILDREN)
		return -EPROTO;

	y->has_serial =
		!sysfs_read(dev, "serial", y->serial, sizeof(y->serial));
	y->has_manufacturer = !sysfs_read(dev, "manufacturer", y->manufacturer,
					  sizeof(y->manufacturer));
	y->has_product =
		!sysfs_read(dev, "product", y->product, sizeof(y->product));
	return 0;
}

/* The tty @name whose sysfs directory is @ttydir, with its USB identity. */
static int usb_tty_read(const char *ttydir, const char *name, struct usb_tty *t)
{
	unsigned long major, minor;
	char buf[32], *colon;
	struct stat st;

	memset(t, 0, sizeof(*t));
	if (!tty_name_valid(name))
		return -EINVAL;
	name_copy(t->tty.name, name);
	if (stat(ttydir, &st))
		return -errno;
	t->ino = st.st_ino;
	if (sysfs_read(ttydir, "dev", buf, sizeof(buf)))
		return -ENODEV;
	colon = strchr(buf, ':');
	if (!colon || colon == buf || !all_digits(colon + 1))
		return -EPROTO;
	*colon = '\0';
	if (!all_digits(buf))
		return -EPROTO;
	major = strtoul(buf, NULL, 10);
	minor = strtoul(colon + 1, NULL, 10);
	if (major > UEVENT_MAJOR_MAX || minor > UEVENT_MINOR_MAX)
		return -EPROTO;
	t->tty.major = (uint32_t)major;
	t->tty.minor = (uint32_t)minor;
	return usb_tty_read_device(ttydir, t);
}

static int usb_tty_cmp(const void *a, const void *b)
{
	const struct usb_tty *x = a, *y = b;

	return strverscmp(x->tty.name, y->tty.name);
}

/* Every ttyACM of a USB device now: a malloc()ed array of *n. */
static int usb_scan(struct usb_tty **out, size_t *n)
{
	struct usb_tty *ttys, t;
	char dir[PATH_MAX];
	struct dirent *e;
	size_t count = 0;
	DIR *d;

	*out = NULL;
	*n = 0;
	ttys = calloc(USB_TTYS_MAX, sizeof(*ttys));
	if (!ttys)
		return -ENOMEM;
	d = opendir(SYS_TTY);
	if (!d) {
		free(ttys);
		return -errno;
	}
	while ((e = readdir(d)) && count < USB_TTYS_MAX) {
		if (!tty_name_valid(e->d_name))
			continue;
		/* a tty going away meanwhile is simply not there */
		if (path_fmt(dir, SYS_TTY "/%s", e->d_name) &&
		    !usb_tty_read(dir, e->d_name, &t))
			ttys[count++] = t;
	}
	closedir(d);
	qsort(ttys, count, sizeof(*ttys), usb_tty_cmp);
	*out = ttys;
	*n = count;
	return 0;
}

/* The same tty, registered once by the kernel, not one of the same name? */
static bool usb_tty_same(const struct usb_tty *a, const struct usb_tty *b)
{
	return a->ino == b->ino && a->tty.major == b->tty.major &&
	       a->tty.minor == b->tty.minor &&
	       !strcmp(a->tty.name, b->tty.name) &&
	       !strcmp(a->tty.device, b->tty.device);
}

/*
 * Is @t itself (not a later tty of its name) still registered? The kernel
 * removes a device's "dev" attribute before it sends the removal uevent
 * (device_del()), so a tty being removed never passes for alive.
 */
static bool usb_tty_alive(const struct usb_tty *t)
{
	char dir[PATH_MAX], dev[PATH_MAX];
	struct stat st;

	return path_fmt(dir, SYS_TTY "/%s", t->tty.name) &&
	       path_fmt(dev, "%s/dev", dir) && !stat(dir, &st) &&
	       st.st_ino == t->ino && sysfs_exists(dev);
}

static struct usb_tty *usb_table_find(struct power_usb *u, const char *name)
{
	size_t i;

	for (i = 0; i < u->nttys; i++)
		if (!strcmp(u->ttys[i].tty.name, name))
			return &u->ttys[i];
	return NULL;
}

static void usb_table_del(struct power_usb *u, struct usb_tty *t)
{
	*t = u->ttys[--u->nttys];
}

/*
 * A tty returned by get_ttys() replaces an earlier one of its name in the
 * table: the caller knows the new one now, and the kernel's removal of the
 * earlier one, if still queued, must not read as the new one's. Its
 * TTY_ADDED is still sent when its uevent arrives, for other gateways.
 */
static void usb_table_supersede(struct power_usb *u, const struct usb_tty *t)
{
	struct usb_tty *old = usb_table_find(u, t->tty.name);

	if (!old || usb_tty_same(old, t))
		return;
	*old = *t;
	old->seen_ns = now_ns();
	old->announced = false;
}

static int usb_get_ttys(struct power *pw, struct pizwg_tty **ttys, size_t *n)
{
	struct usb_tty *scan;
	size_t count, i;
	int ret;

	*ttys = NULL;
	*n = 0;
	ret = usb_scan(&scan, &count);
	if (ret || !count) {
		free(scan);
		return ret;
	}
	*ttys = calloc(count, sizeof(**ttys));
	if (!*ttys) {
		free(scan);
		return -ENOMEM;
	}
	for (i = 0; i < count; i++) {
		(*ttys)[i] = scan[i].tty;
		usb_table_supersede(usb_of(pw), &scan[i]);
	}
	*n = count;
	free(scan);
	return 0;
}

/* --- events ------------------------------------------------------------- */

static void usb_emit(enum pizwg_event_type type, const struct usb_tty *t,
		     uint32_t cause, uint64_t now, power_event_fn fn, void *arg)
{
	struct pizwg_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.timestamp_ns = now;
	ev.cause = cause;
	ev.tty = t->tty;
	fn(&ev, arg);
}

static int usb_removed(struct power_usb *u, struct usb_tty *t, uint64_t now,
		       power_event_fn fn, void *arg)
{
	struct usb_port *p = usb_port_find(u, t->tty.hub, t->tty.port);
	uint32_t cause = PIZWG_CAUSE_UNPLUG;

	if (p && p->off_ns && t->seen_ns <= p->off_ns &&
	    now - p->off_ns <= USB_CAUSE_WINDOW_NS)
		cause = PIZWG_CAUSE_REQUEST;
	usb_emit(PIZWG_EVENT_TTY_REMOVED, t, cause, now, fn, arg);
	usb_table_del(u, t);
	return 1;
}

static int usb_added(struct power_usb *u, struct usb_tty *t, uint64_t now,
		     power_event_fn fn, void *arg)
{
	struct usb_tty *known = usb_table_find(u, t->tty.name);
	uint32_t cause = PIZWG_CAUSE_EXTERNAL;
	struct usb_port *p;
	int count = 0;

	if (known && !usb_tty_same(known, t)) { /* its removal was lost */
		count += usb_removed(u, known, now, fn, arg);
		known = NULL;
	}
	if (known && known->announced)
		return count;
	if (!known) {
		t->seen_ns = now;
		known = t;
		/* beyond the table, its removal will not be reported */
		if (u->nttys < USB_TTYS_MAX) {
			known = &u->ttys[u->nttys++];
			*known = *t;
		}
	}
	known->announced = true;
	p = usb_port_find(u, known->tty.hub, known->tty.port);
	if (p && p->on_requested) {
		p->on_requested = false;
		cause = PIZWG_CAUSE_REQUEST;
	}
	usb_emit(PIZWG_EVENT_TTY_ADDED, known, cause, now, fn, arg);
	return count + 1;
}

/* Reports the differences between the table and sysfs now. */
static int usb_resync(struct power_usb *u, power_event_fn fn, void *arg)
{
	uint64_t now = now_ns();
	struct usb_tty *scan;
	size_t n, i, j;
	int count = 0, ret;

	ret = usb_scan(&scan, &n);
	if (ret)
		return ret;
	for (i = 0; i < u->nttys;) {
		for (j = 0; j < n; j++)
			if (usb_tty_same(&u->ttys[i], &scan[j]))
				break;
		if (j < n)
			i++;
		else
			count += usb_removed(u, &u->ttys[i], now, fn, arg);
	}
	for (j = 0; j < n; j++)
		count += usb_added(u, &scan[j], now, fn, arg);
	free(scan);
	return count;
}

static int usb_uevent(struct power_usb *u, const struct uevent *ev,
		      uint64_t now, power_event_fn fn, void *arg)
{
	char dir[PATH_MAX];
	struct usb_tty t, *old;

	if (strcmp(ev->subsystem, "tty") || !tty_name_valid(ev->devname))
		return 0;
	switch (ev->action) {
	case UEVENT_ADD:
		/* gone again already: its removal follows */
		if (!path_fmt(dir, "/sys%s", ev->devpath) ||
		    usb_tty_read(dir, ev->devname, &t))
			return 0;
		return usb_added(u, &t, now, fn, arg);
	case UEVENT_REMOVE:
		old = usb_table_find(u, ev->devname);
		/* The removal of an earlier tty of the name: see get_ttys. */
		if (!old || usb_tty_alive(old))
			return 0;
		return usb_removed(u, old, now, fn, arg);
	default:
		return 0;
	}
}

static int usb_read_uevents(struct power_usb *u, power_event_fn fn, void *arg)
{
	char buf[UEVENT_MSG_MAX + 1];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct sockaddr_nl sa;
	struct msghdr msg = {
		.msg_name = &sa,
		.msg_namelen = sizeof(sa),
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	int count = 0, malformed = 0, ret;
	bool lost = false;
	struct uevent ev;
	ssize_t n;

	for (;;) {
		msg.msg_namelen = sizeof(sa);
		n = recvmsg(u->fd, &msg, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			lost = true;
			continue;
		}
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			return -errno;
		/* only the kernel speaks with port id 0 */
		if (sa.nl_pid)
			continue;
		ret = (msg.msg_flags & MSG_TRUNC) ?
			      -EPROTO :
			      uevent_parse(buf, (size_t)n, &ev);
		if (ret == -ENOMSG)
			continue;
		if (ret) {
			malformed++;
			continue;
		}
		count += usb_uevent(u, &ev, now_ns(), fn, arg);
	}
	if (malformed)
		log_warn("", "skipped %d malformed kernel uevent%s", malformed,
			 malformed == 1 ? "" : "s");
	if (lost) {
		log_warn("", "kernel uevents were lost: re-reading the ttys");
		ret = usb_resync(u, fn, arg);
		if (ret < 0)
			return ret;
		count += ret;
	}
	return count;
}

static int usb_process_events(struct power *pw, power_event_fn fn, void *arg)
{
	struct power_usb *u = usb_of(pw);
	uint64_t expirations;

	if (!u->polling)
		return usb_read_uevents(u, fn, arg);
	if (read(u->fd, &expirations, sizeof(expirations)) < 0)
		return errno == EAGAIN ? 0 : -errno;
	return usb_resync(u, fn, arg);
}

static int usb_event_fd(struct power *pw)
{
	return usb_of(pw)->fd;
}

/*
 * Do device uevents reach this network namespace? Only if the initial user
 * namespace owns it; when that cannot be found out, assume not and poll.
 */
static bool usb_uevents_reach_us(void)
{
	bool yes = false;
	struct stat st;
	int net, owner;

	net = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (net < 0)
		return false;
	owner = ioctl(net, NS_GET_USERNS);
	if (owner >= 0) {
		yes = !fstat(owner, &st) && st.st_ino == PROC_USER_INIT_INO;
		close(owner);
	}
	close(net);
	return yes;
}

static int usb_uevent_socket(void)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1, /* the kernel's, not udev's (2) */
	};
	int fd, size = 1 << 20, ret;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -errno;
	/* Plugging in a hub full of devices is a burst of uevents. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

static int usb_poll_timer(void)
{
	struct itimerspec its = {
		.it_interval.tv_nsec = USB_POLL_MS * 1000000L,
		.it_value.tv_nsec = USB_POLL_MS * 1000000L,
	};
	int fd, ret;

	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (timerfd_settime(fd, 0, &its, NULL)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

static void usb_close(struct power *pw)
{
	struct power_usb *u = usb_of(pw);
	size_t i;

	/* Ports switched off stay off; the claims on them end here. */
	for (i = 0; i < u->nports; i++)
		usb_port_unclaim(&u->ports[i]);
	if (u->fd >= 0)
		close(u->fd);
	if (u->usb)
		libusb_exit(u->usb);
	free(u);
}

static const struct power_ops usb_ops = {
	.name = "libusb",
	.set_port = usb_set_port,
	.get_ttys = usb_get_ttys,
	.event_fd = usb_event_fd,
	.process_events = usb_process_events,
	.close = usb_close,
};

int power_usb_open(struct power **out)
{
	struct power_usb *u = calloc(1, sizeof(*u));
	struct usb_tty *scan;
	uint64_t now;
	size_t n, i;
	int ret;

	if (!u)
		return -ENOMEM;
	u->p.ops = &usb_ops;
	u->fd = -1;
	if (usb_uevents_reach_us()) {
		u->fd = usb_uevent_socket();
		if (u->fd < 0)
			log_warn("",
				 "kernel uevent socket: %s; polling instead",
				 strerror(-u->fd));
	}
	if (u->fd < 0) {
		u->polling = true;
		u->fd = usb_poll_timer();
		if (u->fd < 0) {
			ret = u->fd;
			free(u);
			return ret;
		}
	}
	/* What is there now, after the socket is bound: nothing falls between. */
	ret = usb_scan(&scan, &n);
	if (ret) {
		usb_close(&u->p);
		return ret;
	}
	now = now_ns();
	for (i = 0; i < n; i++) {
		scan[i].seen_ns = now;
		scan[i].announced = true;
		u->ttys[u->nttys++] = scan[i];
	}
	free(scan);
	if (u->polling)
		log_info("", "ttys: polling " SYS_TTY " every %u ms (%s)",
			 USB_POLL_MS,
			 "no kernel uevents reach this network namespace");
	else
		log_info("", "ttys: kernel uevents");
	*out = &u->p;
	return 0;
}
