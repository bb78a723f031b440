// SPDX-License-Identifier: GPL-2.0-only
/*
 * pizwgctl: look at and switch USB hub port power through pizwg.ko, and
 * watch its events. A table of subcommands, one file each, as in
 * wireguard-tools.
 *
 *   pizwgctl [--json] COMMAND [ARGS]
 *   pizwgctl --help | --version
 *
 * --json may also follow COMMAND. Exit codes: 0 done, 1 refused or failed
 * (one line on stderr naming the reason), 2 usage error (one line on
 * stderr, with a hint to --help).
 */
#include <stdio.h>
#include <string.h>

#include "pizwgctl.h"

#ifndef PIZWG_VERSION
#error "build with -DPIZWG_VERSION=\"x.y.z\""
#endif

static const struct subcommand subcommands[] = {
	{ "hubs", cmd_hubs, "list USB hubs and their ports" },
	{ "ttys", cmd_ttys, "list CDC-ACM ttys and their USB identity" },
	{ "power", cmd_power, "switch a hub port on, off, or cycle it" },
	{ "monitor", cmd_monitor, "print tty and port events as they happen" },
	{ "status", cmd_status, "pizwgd's state, from its metrics file" },
	{ "guard", cmd_guard, "the module's guard line for pizwgd's stick ports" },
};

static void print_usage(void)
{
	size_t i;

	printf("usage: %s [--json] COMMAND [ARGS]\n"
	       "       %s --help | --version\n"
	       "\n"
	       "Looks at and switches USB hub port power through the pizwg\n"
	       "kernel module, and watches its events.\n"
	       "\n"
	       "Commands:\n", PROG, PROG);
	for (i = 0; i < ARRAY_SIZE(subcommands); i++)
		printf("  %-9s %s\n", subcommands[i].name,
		       subcommands[i].summary);
	printf("\n"
	       "  --json     print JSON instead of text\n"
	       "  --help     print this help (after COMMAND: the command's)\n"
	       "  --version  print the version\n"
	       "\n"
	       "Exit status: 0 done, 1 refused or failed, 2 usage error.\n");
}

static const struct subcommand *find_subcommand(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(subcommands); i++)
		if (!strcmp(name, subcommands[i].name))
			return &subcommands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	struct ctl_opts opts = { 0 };
	const struct subcommand *cmd;
	char msg[CTL_ERR_MAX];
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			print_usage();
			return CTL_EXIT_OK;
		}
		if (!strcmp(argv[i], "--version")) {
			printf("%s %s\n", PROG, PIZWG_VERSION);
			return CTL_EXIT_OK;
		}
		if (strcmp(argv[i], "--json")) {
			snprintf(msg, sizeof(msg), "unknown option \"%s\"",
				 argv[i]);
			return usage_error(NULL, msg);
		}
		opts.json = true;
	}
	if (i == argc)
		return usage_error(NULL, "missing COMMAND");
	cmd = find_subcommand(argv[i]);
	if (!cmd) {
		snprintf(msg, sizeof(msg), "unknown command \"%s\"", argv[i]);
		return usage_error(NULL, msg);
	}
	return cmd->run(argc - i, argv + i, &opts);
}
