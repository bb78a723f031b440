// SPDX-License-Identifier: GPL-2.0-only
/*
 * pizwgctl guard [--config FILE] [--write [--file PATH]]: the module's
 * "guard" parameter for the ports pizwgd serves.
 *
 * Reads pizwgd.conf (default /etc/pizwg/pizwgd.conf) with pizwgd's own
 * parser and prints the modprobe.d line that guards every gateway's stick
 * port (each HUB:PORT once, in file order):
 *
 *   options pizwg guard=1-1.4:2
 *
 * With --write it writes that line, under a comment saying where it came
 * from, to PATH (default /etc/modprobe.d/pizwg.conf): a new file in the
 * same directory, synced, mode 0644, then renamed over PATH, so PATH is
 * the old file or the new one, never half of either. The file is ours
 * whole: anything else in it is replaced. On a read-only root, run `rw`
 * first. Either way it warns (stderr, exit status unchanged) about every
 * other *.conf in modprobe's directories (with --file: PATH's directory,
 * if it is one of them) that sets pizwg's guard too, since modprobe passes
 * only the last one; a name shadowed by the same name in an earlier
 * directory is not read by modprobe, nor here.
 * The module reads the parameter when it is loaded: at the next
 * boot, or at an rmmod and modprobe with pizwgd stopped.
 *
 * Exit 0 done; 1 with one line on stderr when the configuration cannot be
 * read or the file cannot be written; 2 for a bad command line.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pizwgctl.h"
#include "../pizwgd/config.h"

#define GUARD_CONFIG "/etc/pizwg/pizwgd.conf"
#define GUARD_FILE "/etc/modprobe.d/pizwg.conf"

static const char guard_usage[] =
	"usage: " PROG " guard [--config FILE] [--write [--file PATH]]\n"
	"\n"
	"Prints the module's guard parameter for the stick ports in pizwgd's\n"
	"configuration (default " GUARD_CONFIG "), as a modprobe.d line.\n"
	"A guarded port is powered only while pizwgd holds it, from the\n"
	"module's load on.\n"
	"\n"
	"  --config FILE  read FILE instead\n"
	"  --write        write the line to " GUARD_FILE " (replaced\n"
	"                 whole and atomically; run rw first on a read-only\n"
	"                 root); it applies when the module is next loaded\n"
	"  --file PATH    with --write: write PATH instead\n"
	"  --help         print this help\n";

int guard_value(const struct pizwg_config *conf, char *out, size_t len)
{
	char entry[PIZWG_NAME_MAX + 16];
	size_t used = 0;
	unsigned int i, j;
	bool dup;
	int n;

	if (!len)
		return -ENOSPC;
	out[0] = '\0';
	for (i = 0; i < conf->n_gateways; i++) {
		const struct pizwg_stick_config *s = &conf->gateways[i].stick;

		dup = false;
		for (j = 0; j < i; j++)
			dup |= !strcmp(conf->gateways[j].stick.hub, s->hub) &&
			       conf->gateways[j].stick.port == s->port;
		if (dup)
			continue;
		snprintf(entry, sizeof(entry), "%s%s:%u", used ? "," : "",
			 s->hub, s->port);
		n = snprintf(out + used, len - used, "%s", entry);
		if (n < 0 || (size_t)n >= len - used)
			return -ENOSPC;
		used += n;
	}
	return 0;
}

int guard_line(const struct pizwg_config *conf, char *out, size_t len)
{
	char value[CONF_GATEWAYS_MAX * (PIZWG_NAME_MAX + 16)];
	int n;

	if (guard_value(conf, value, sizeof(value)))
		return -ENOSPC;
	n = snprintf(out, len, "options pizwg guard=%s\n", value);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

/* @c, or '?' for a control character: paths go into comments and logs. */
static char clean_char(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f ? '?' : c;
}

char *guard_file_text(const struct pizwg_config *conf, const char *config)
{
	char line[CONF_GATEWAYS_MAX * (PIZWG_NAME_MAX + 16) + 32];
	char *text, *name, *c;

	if (guard_line(conf, line, sizeof(line)))
		return NULL;
	/* The path goes into a comment: no line break may end it early. */
	name = strdup(config);
	if (!name)
		return NULL;
	for (c = name; *c; c++)
		*c = clean_char(*c);
	if (asprintf(&text,
		     "# Written by pizwgctl guard --write from %s.\n"
		     "# The ports pizwgd serves are powered only while it holds them,\n"
		     "# from the module's load on. Rewritten whole by that command.\n"
		     "%s",
		     name, line) < 0)
		text = NULL;
	free(name);
	return text;
}

/* The directory part of @path into @dir ("." when it has none). */
static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

static int write_all(int fd, const char *text)
{
	size_t left = strlen(text);
	ssize_t n;

	while (left) {
		n = write(fd, text, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		text += n;
		left -= n;
	}
	return 0;
}

int guard_write_file(const char *path, const char *text, char *err,
		     size_t errlen)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 16];
	int fd, dfd, ret;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	dir_of(path, dir, sizeof(dir));
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot create a file beside %s: %s%s",
			 path, strerror(-ret),
			 ret == -EROFS ? " (read-only root: run rw first)" : "");
		return ret;
	}
	ret = write_all(fd, text);
	if (!ret && fchmod(fd, 0644))
		ret = -errno;
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		snprintf(err, errlen, "cannot write %s: %s", path,
			 strerror(-ret));
		return ret;
	}
	/* The rename is durable once the directory is synced. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd))
		ret = -errno;
	if (dfd >= 0)
		close(dfd);
	if (ret)
		snprintf(err, errlen, "wrote %s, but cannot sync %s: %s", path,
			 dir, strerror(-ret));
	return ret;
}

/*
 * As kmod reads modprobe.d: a line whose first non-blank character is '#'
 * is a comment ('#' elsewhere is just a character, passed on), and a line
 * ending in '\\' goes on in the next (the caller joins them). A
 * pizwg.guard= on the kernel command line, which modprobe also passes, is
 * guard_cmdline_sets_guard()'s.
 */
bool guard_sets_guard(const char *line)
{
	const char *p = line;
	size_t n;
	int word = 0;

	p += strspn(p, " \t");
	if (*p == '#')
		return false;
	for (;;) {
		p += strspn(p, " \t\r\n");
		n = strcspn(p, " \t\r\n");
		if (!n)
			return false;
		if ((word == 0 && (n != 7 || strncmp(p, "options", 7))) ||
		    (word == 1 && (n != 5 || strncmp(p, "pizwg", 5))))
			return false;
		if (word >= 2 && n >= 6 && !strncmp(p, "guard=", 6))
			return true;
		p += n;
		word++;
	}
}

/* Whether @name is a modprobe.d file name: it ends in ".conf". */
static bool conf_name(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && !strcmp(name + n - 5, ".conf") && name[0] != '.';
}

#define GUARD_SCAN_MAX (1 << 20)	/* bytes read of one file, at most */

/*
 * Whether the regular file @dfd/@name has a guard line. Opened without
 * following it into a FIFO or a device: only a regular file is read.
 */
static bool file_sets_guard(int dfd, const char *name)
{
	char *line = NULL, *joined = NULL, *tmp;
	size_t cap = 0, jlen = 0, total = 0;
	bool found = false;
	struct stat st;
	ssize_t n;
	FILE *f;
	int fd;

	/* Not even opened unless a regular file (a device's open can act). */
	if (fstatat(dfd, name, &st, 0) || !S_ISREG(st.st_mode))
		return false;
	fd = openat(dfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return false;
	}
	f = fdopen(fd, "re");
	if (!f) {
		close(fd);
		return false;
	}
	while (!found && total < GUARD_SCAN_MAX &&
	       (n = getline(&line, &cap, f)) > 0) {
		total += n;
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		tmp = realloc(joined, jlen + n + 1);
		if (!tmp)
			break;
		joined = tmp;
		memcpy(joined + jlen, line, n + 1);
		jlen += n;
		/* As kmod: a backslash ending the line joins the next, itself gone. */
		if (jlen && joined[jlen - 1] == '\\') {
			joined[--jlen] = '\0';
			continue;
		}
		found = guard_sets_guard(joined);
		jlen = 0;
	}
	if (!found && jlen)
		found = guard_sets_guard(joined);
	free(line);
	free(joined);
	fclose(f);
	return found;
}

/* Prints @s with control characters as '?'. */
static void put_clean(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(clean_char(*s), out);
}

int guard_others(const char *const *dirs, const char *ours, FILE *out)
{
	const char *base = strrchr(ours, '/');
	char path[PATH_MAX], real_ours[PATH_MAX], real[PATH_MAX];
	char **seen = NULL, **tmp;
	size_t nseen = 0, i;
	struct dirent *e;
	int found = 0, dfd;
	bool shadowed;
	DIR *d;

	if (!realpath(ours, real_ours))
		snprintf(real_ours, sizeof(real_ours), "%s", ours);
	/* kmod reads a name once: the first directory that has it wins. */
	base = base ? base + 1 : ours;
	for (; *dirs; dirs++) {
		d = opendir(*dirs);
		if (!d)
			continue;	/* most of them do not exist */
		dfd = dirfd(d);
		while ((e = readdir(d))) {
			if (!conf_name(e->d_name) ||
			    snprintf(path, sizeof(path), "%s/%s", *dirs,
				     e->d_name) >= (int)sizeof(path))
				continue;
			shadowed = !strcmp(e->d_name, base);
			for (i = 0; i < nseen && !shadowed; i++)
				shadowed = !strcmp(seen[i], e->d_name);
			if (shadowed)
				continue;
			tmp = realloc(seen, (nseen + 1) * sizeof(*seen));
			if (tmp) {
				seen = tmp;
				seen[nseen] = strdup(e->d_name);
				if (seen[nseen])
					nseen++;
			}
			if (realpath(path, real) && !strcmp(real, real_ours))
				continue;
			if (!file_sets_guard(dfd, e->d_name))
				continue;
			fprintf(out, "%s: guard: warning: ", PROG);
			put_clean(out, path);
			fprintf(out, " sets pizwg's guard too; modprobe passes the last one it reads: remove it there\n");
			found++;
		}
		closedir(d);
	}
	for (i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	return found;
}

/*
 * Whether a kernel command line sets pizwg's guard: modprobe passes the
 * module the "pizwg.guard=..." words of /proc/cmdline after modprobe.d's
 * options, and of two values the module keeps the last, so the command
 * line's wins. A bare "pizwg.guard" is passed too (and fails the load).
 * Words are split at white space outside double quotes; a word may start
 * with a quote ("pizwg.guard=usb1:1" quoted whole).
 */
bool guard_cmdline_sets_guard(const char *cmdline)
{
	bool quoted = false, start = true;
	const char *p, *w;

	for (p = cmdline; *p; p++) {
		if (start) {
			w = p + (*p == '"');
			if (!strncmp(w, "pizwg.guard", 11) &&
			    (w[11] == '=' || w[11] == '\0' || w[11] == '"' ||
			     isspace((unsigned char)w[11])))
				return true;
		}
		start = false;
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && isspace((unsigned char)*p))
			start = true;
	}
	return false;
}

/* A warning on @out if the kernel command line in @path sets the guard. */
int guard_cmdline(const char *path, FILE *out)
{
	char buf[4096 + 2];
	size_t n;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (!guard_cmdline_sets_guard(buf))
		return 0;
	fprintf(out, "%s: guard: warning: the kernel command line sets pizwg.guard, which modprobe passes after this file's line, so it wins: remove it from the boot loader's configuration\n",
		PROG);
	return 1;
}

int cmd_guard(int argc, char **argv, struct ctl_opts *opts)
{
	/* Where modprobe reads its configuration (modprobe.d(5)). */
	static const char *const modprobe_dirs[] = {
		"/etc/modprobe.d", "/run/modprobe.d",
		"/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d",
		"/lib/modprobe.d", NULL,
	};
	const char *file_dirs[2] = { NULL, NULL };
	char file_dir[PATH_MAX];
	const char *config = GUARD_CONFIG, *file = NULL;
	struct pizwg_config *conf;
	char err[CTL_ERR_MAX + CONF_PATH_MAX];
	char line[CONF_GATEWAYS_MAX * (PIZWG_NAME_MAX + 16) + 32];
	bool write_it = false;
	char *text = NULL;
	int i, ret = CTL_EXIT_FAIL;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(guard_usage, stdout);
			return CTL_EXIT_OK;
		} else if (!strcmp(argv[i], "--write")) {
			write_it = true;
		} else if (!strcmp(argv[i], "--json")) {
			opts->json = true;
		} else if ((!strcmp(argv[i], "--config") ||
			    !strcmp(argv[i], "--file")) && i + 1 < argc) {
			*(argv[i][2] == 'c' ? &config : &file) = argv[i + 1];
			i++;
		} else if (!strcmp(argv[i], "--config") ||
			   !strcmp(argv[i], "--file")) {
			snprintf(err, sizeof(err), "%s needs a value", argv[i]);
			return usage_error("guard", err);
		} else {
			snprintf(err, sizeof(err), "unknown argument \"%s\"",
				 argv[i]);
			return usage_error("guard", err);
		}
	}
	if (opts->json)
		return usage_error("guard", "--json is not supported here");
	if (file && !write_it)
		return usage_error("guard", "--file applies to --write only");

	conf = malloc(sizeof(*conf));
	if (!conf) {
		fprintf(stderr, "%s: guard: out of memory\n", PROG);
		return CTL_EXIT_FAIL;
	}
	if (config_load(config, conf, err, sizeof(err))) {
		fprintf(stderr, "%s: guard: %s\n", PROG, err);
		goto out;
	}
	text = guard_file_text(conf, config);
	if (!text || guard_line(conf, line, sizeof(line))) {
		fprintf(stderr, "%s: guard: out of memory\n", PROG);
		goto out;
	}
	/*
	 * Another file with a guard would override ours, or be overridden:
	 * say so (the exit status stays 0). With --file, its own directory,
	 * if it is one of modprobe's (another is no business of modprobe).
	 */
	if (file) {
		char real_dir[PATH_MAX], real_mp[PATH_MAX];

		dir_of(file, file_dir, sizeof(file_dir));
		for (i = 0; modprobe_dirs[i]; i++)
			if (realpath(file_dir, real_dir) &&
			    realpath(modprobe_dirs[i], real_mp) &&
			    !strcmp(real_dir, real_mp))
				file_dirs[0] = file_dir;
	}
	if (!file || file_dirs[0]) {
		guard_others(file ? file_dirs : modprobe_dirs,
			     file ? file : GUARD_FILE, stderr);
		guard_cmdline("/proc/cmdline", stderr);
	}
	if (!write_it) {
		fputs(line, stdout);
		ret = CTL_EXIT_OK;
		goto out;
	}
	if (guard_write_file(file ? file : GUARD_FILE, text, err,
			     sizeof(err))) {
		fprintf(stderr, "%s: guard: %s\n", PROG, err);
		goto out;
	}
	printf("wrote %s: %s", file ? file : GUARD_FILE, line);
	printf("it applies when pizwg.ko is next loaded (at boot, or stop pizwgd, rmmod pizwg, modprobe pizwg)\n");
	ret = CTL_EXIT_OK;
out:
	free(text);
	free(conf);
	return ret;
}
