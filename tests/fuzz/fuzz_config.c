// SPDX-License-Identifier: GPL-2.0-only
/*
 * config_parse_string() (userspace/pizwgd/config.h) on any file content
 * config_load() would pass it: at most CONF_SIZE_MAX bytes without a NUL.
 * A refusal is one clean line in @err naming the file; an accepted one
 * holds 1..CONF_GATEWAYS_MAX sections within their bounds, and
 * config_resolve_vrrp() then completes it against a fixed host network
 * (eth0, 10.0.0.1/24) or refuses it the same way.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "../unit/fake_conf_host.h"
#include "config.h"
#include "fuzz.h"

#define FILE_NAME "fuzz.conf"

/* One line, no control character but tab, whatever the file held */
static void check_err(int ret, const char *err)
{
	const unsigned char *c;

	FUZZ_CHECK(ret == -EINVAL);
	FUZZ_CHECK(strnlen(err, CONF_ERR_MAX) < CONF_ERR_MAX);
	FUZZ_CHECK(!strncmp(err, FILE_NAME ":", strlen(FILE_NAME ":")));
	for (c = (const unsigned char *)err; *c; c++)
		FUZZ_CHECK((*c >= 0x20 || *c == '\t') && *c != 0x7f);
}

static void check_gateway(const struct pizwg_gateway_config *g)
{
	FUZZ_CHECK(g->name[0]);
	FUZZ_CHECK(strnlen(g->name, sizeof(g->name)) <= CONF_NAME_MAX);
	FUZZ_CHECK(g->line);
	FUZZ_CHECK(g->stick.port >= 1 && g->stick.port <= 31);
	FUZZ_CHECK(g->stick.hub[0]);
	FUZZ_CHECK(g->tls.cert[0] == '/' && g->tls.key[0] == '/' &&
		   g->tls.ca[0] == '/');
	FUZZ_CHECK(g->session.on_end != CONF_END_EXEC ||
		   g->session.program[0] == '/');
	FUZZ_CHECK(g->vrrp.n_peers <= CONF_PEERS_MAX);
	FUZZ_CHECK(!g->vrrp.enabled || g->vrrp.vrid);
	FUZZ_CHECK(!g->vrrp.enabled || g->vrrp.advert_interval);
}

static void check_config(const struct pizwg_config *c)
{
	unsigned int i;

	FUZZ_CHECK(c->n_gateways >= 1 && c->n_gateways <= CONF_GATEWAYS_MAX);
	for (i = 0; i < c->n_gateways; i++)
		check_gateway(&c->gateways[i]);
}

static void check_resolved(const struct pizwg_config *c)
{
	const struct pizwg_gateway_config *g;
	unsigned int i;

	for (i = 0; i < c->n_gateways; i++) {
		g = &c->gateways[i];
		if (!g->vrrp.enabled)
			continue;
		FUZZ_CHECK(g->vrrp.interface[0]);
		FUZZ_CHECK(g->vrrp.has_vip);
		FUZZ_CHECK(g->vrrp.priority);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pizwg_config conf;
	char err[CONF_ERR_MAX];
	char *text;
	int ret;

	fake_host_addr = htonl(0x0a000001);
	fake_host_prefix = 24;
	if (size > CONF_SIZE_MAX || memchr(data, '\0', size))
		return -1;
	text = malloc(size + 1);
	FUZZ_CHECK(text);
	memcpy(text, data, size);
	text[size] = '\0';
	ret = config_parse_string(text, FILE_NAME, &conf, err, sizeof(err));
	free(text);
	if (ret) {
		check_err(ret, err);
		return 0;
	}
	check_config(&conf);
	ret = config_resolve_vrrp(&conf, &fake_host, err, sizeof(err));
	if (ret) {
		check_err(ret, err);
		return 0;
	}
	check_config(&conf);
	check_resolved(&conf);
	return 0;
}
