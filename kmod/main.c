// SPDX-License-Identifier: GPL-2.0-only
/*
 * pizwg: USB hub port power and CDC-ACM tty events over generic netlink.
 *
 * One file per concern: hub.c talks to USB hubs, port.c decides and leases,
 * tty.c follows CDC-ACM ttys, event.c queues notifications, netlink.c is the
 * generic netlink family. kmod/uapi/pizwg.h documents the contract.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include "pizwg_internal.h"

static int __init pizwg_init(void)
{
	int ret;

	ret = pizwg_hub_init();
	if (ret)
		return ret;
	ret = pizwg_port_init();
	if (ret)
		goto err_hub;
	ret = pizwg_tty_init();
	if (ret)
		goto err_port;
	/* Last: a request may come as soon as the family exists. */
	ret = pizwg_nl_init();
	if (ret)
		goto err_tty;
	pizwg_event_start();
	return 0;

err_tty:
	pizwg_tty_exit();
err_port:
	pizwg_port_exit();
	pizwg_event_exit();
err_hub:
	pizwg_hub_exit();
	return ret;
}

/*
 * Leased ports are switched off while the tty watcher and the family are
 * still there, so listeners hear about it; then the watchers go, then the
 * queue is drained, and only then the family.
 */
static void __exit pizwg_exit(void)
{
	pizwg_port_exit();
	pizwg_tty_exit();
	pizwg_event_exit();
	pizwg_nl_exit();
	pizwg_hub_exit();
}

module_init(pizwg_init);
module_exit(pizwg_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("USB hub port power and CDC-ACM tty events over generic netlink");
MODULE_AUTHOR("The PiZWG developers");
MODULE_VERSION("0.1.0");
MODULE_ALIAS_GENL_FAMILY(PIZWG_GENL_NAME);
