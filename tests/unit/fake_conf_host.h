/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A host network for config_resolve_vrrp() (config.h) without one: the
 * default route leaves through eth0, whose primary address is
 * fake_host_addr/fake_host_prefix (network order), set by the test; any
 * other interface does not exist. Shared by tests/unit/test_config.c and
 * tests/fuzz/fuzz_config.c.
 */
#ifndef PIZWG_FAKE_CONF_HOST_H
#define PIZWG_FAKE_CONF_HOST_H

#include <stdio.h>
#include <string.h>

#include "config.h"

static uint32_t fake_host_addr;
static uint8_t fake_host_prefix;

static int fake_default_if(char *ifname, size_t len, char *why, size_t n)
{
	(void)why;
	(void)n;
	snprintf(ifname, len, "eth0");
	return 0;
}

static int fake_addr_of(const char *ifname, uint32_t *addr, uint8_t *prefix,
			char *why, size_t n)
{
	if (strcmp(ifname, "eth0")) {
		snprintf(why, n, "no such interface");
		return -1;
	}
	*addr = fake_host_addr;
	*prefix = fake_host_prefix;
	return 0;
}

static const struct conf_host fake_host = {
	.default_if = fake_default_if,
	.addr_of = fake_addr_of,
};

#endif
