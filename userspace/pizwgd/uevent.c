// SPDX-License-Identifier: GPL-2.0-only
/* The uevent parser of uevent.h: no I/O, no allocation, no global state. */
#include <errno.h>
#include <string.h>

#include "uevent.h"

/* udevd's messages start with this string, NUL included. */
#define UEVENT_UDEV_MAGIC "libudev"

enum uevent_field {
	FIELD_ACTION,
	FIELD_DEVPATH,
	FIELD_SUBSYSTEM,
	FIELD_DEVNAME,
	FIELD_MAJOR,
	FIELD_MINOR,
	FIELD_SEQNUM,
	FIELD_COUNT,
};

static const char *const field_keys[FIELD_COUNT] = {
	[FIELD_ACTION] = "ACTION",
	[FIELD_DEVPATH] = "DEVPATH",
	[FIELD_SUBSYSTEM] = "SUBSYSTEM",
	[FIELD_DEVNAME] = "DEVNAME",
	[FIELD_MAJOR] = "MAJOR",
	[FIELD_MINOR] = "MINOR",
	[FIELD_SEQNUM] = "SEQNUM",
};

static const char *const action_names[] = {
	[UEVENT_ADD] = "add",
	[UEVENT_REMOVE] = "remove",
	[UEVENT_CHANGE] = "change",
	[UEVENT_MOVE] = "move",
	[UEVENT_ONLINE] = "online",
	[UEVENT_OFFLINE] = "offline",
	[UEVENT_BIND] = "bind",
	[UEVENT_UNBIND] = "unbind",
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       is_digit(c) || c == '_';
}

static bool is_subsystem_char(char c)
{
	return is_key_char(c) || c == '-' || c == '.' || c == ':';
}

/* No control characters; bytes above 0x7f (UTF-8) are allowed. */
static bool is_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* Copies @src into @dst of @size bytes; false if it is empty or too long. */
static bool copy_bounded(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (!len || len >= size)
		return false;
	memcpy(dst, src, len + 1);
	return true;
}

/* Plain decimal: no sign, no leading zeros, no spaces, at most @max. */
static bool parse_decimal(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0, d;

	if (!*s || (s[0] == '0' && s[1]))
		return false;
	for (; *s; s++) {
		if (!is_digit(*s))
			return false;
		d = (uint64_t)(*s - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/*
 * A path of non-empty components without "." or "..": DEVPATH starts with
 * '/', DEVNAME (relative to /dev) does not.
 */
static bool is_clean_path(const char *s, bool absolute)
{
	const char *c, *end;
	size_t len;

	if ((*s == '/') != absolute || !is_printable(s))
		return false;
	for (c = absolute ? s + 1 : s;; c = end + 1) {
		end = strchrnul(c, '/');
		len = (size_t)(end - c);
		if (!len || (len == 1 && c[0] == '.') ||
		    (len == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (!*end)
			return true;
	}
}

static bool parse_action(const char *s, struct uevent *ev)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (s[i] < 'a' || s[i] > 'z')
			return false;
	if (!copy_bounded(ev->action_name, sizeof(ev->action_name), s))
		return false;
	ev->action = UEVENT_OTHER;
	for (i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++)
		if (!strcmp(s, action_names[i]))
			ev->action = (enum uevent_action)i;
	return true;
}

/* "ACTION@DEVPATH": the first string of the datagram. */
static bool parse_header(char *hdr, struct uevent *ev)
{
	char *at = strchr(hdr, '@');

	if (!at)
		return false;
	*at = '\0';
	return parse_action(hdr, ev) && is_clean_path(at + 1, true) &&
	       copy_bounded(ev->devpath, sizeof(ev->devpath), at + 1);
}

static bool parse_field(enum uevent_field f, const char *value,
			struct uevent *ev)
{
	uint64_t n;

	switch (f) {
	case FIELD_ACTION:
		return !strcmp(value, ev->action_name);
	case FIELD_DEVPATH:
		return !strcmp(value, ev->devpath);
	case FIELD_SUBSYSTEM:
		for (n = 0; value[n]; n++)
			if (!is_subsystem_char(value[n]))
				return false;
		return copy_bounded(ev->subsystem, sizeof(ev->subsystem),
				    value);
	case FIELD_DEVNAME:
		return is_clean_path(value, false) &&
		       copy_bounded(ev->devname, sizeof(ev->devname), value);
	case FIELD_MAJOR:
		/* The kernel names a device's numbers only when MAJOR != 0. */
		if (!parse_decimal(value, UEVENT_MAJOR_MAX, &n) || !n)
			return false;
		ev->major = (uint32_t)n;
		return true;
	case FIELD_MINOR:
		if (!parse_decimal(value, UEVENT_MINOR_MAX, &n))
			return false;
		ev->minor = (uint32_t)n;
		return true;
	case FIELD_SEQNUM:
		return parse_decimal(value, UINT64_MAX, &ev->seqnum);
	default:
		return false;
	}
}

/* One "KEY=VALUE"; @seen marks the fields already parsed. */
static bool parse_variable(char *var, bool seen[FIELD_COUNT], struct uevent *ev)
{
	char *eq = strchr(var, '=');
	size_t klen, i;

	if (!eq)
		return false;
	klen = (size_t)(eq - var);
	if (!klen || klen >= UEVENT_KEY_MAX)
		return false;
	for (i = 0; i < klen; i++)
		if (!is_key_char(var[i]))
			return false;
	*eq = '\0';
	if (!is_printable(eq + 1))
		return false;
	for (i = 0; i < FIELD_COUNT; i++) {
		if (strcmp(var, field_keys[i]))
			continue;
		if (seen[i])
			return false;
		seen[i] = true;
		return parse_field((enum uevent_field)i, eq + 1, ev);
	}
	return true; /* a variable we do not need */
}

static bool fields_complete(const bool seen[FIELD_COUNT])
{
	return seen[FIELD_ACTION] && seen[FIELD_DEVPATH] &&
	       seen[FIELD_SUBSYSTEM] && seen[FIELD_SEQNUM] &&
	       seen[FIELD_MAJOR] == seen[FIELD_MINOR] &&
	       (!seen[FIELD_DEVNAME] || seen[FIELD_MAJOR]);
}

int uevent_parse(const void *buf, size_t len, struct uevent *ev)
{
	char msg[UEVENT_MSG_MAX];
	bool seen[FIELD_COUNT] = { false };
	size_t off, n;

	memset(ev, 0, sizeof(*ev));
	if (len >= sizeof(UEVENT_UDEV_MAGIC) &&
	    !memcmp(buf, UEVENT_UDEV_MAGIC, sizeof(UEVENT_UDEV_MAGIC)))
		return -ENOMSG;
	/* A truncated datagram does not end with its last variable's NUL. */
	if (!len || len > sizeof(msg) || ((const char *)buf)[len - 1])
		return -EPROTO;
	memcpy(msg, buf, len);

	n = strlen(msg);
	if (!parse_header(msg, ev))
		goto bad;
	for (off = n + 1; off < len; off += n + 1) {
		n = strlen(msg + off);
		if (!n || !parse_variable(msg + off, seen, ev))
			goto bad;
	}
	if (!fields_complete(seen))
		goto bad;
	ev->has_devnum = seen[FIELD_MAJOR];
	return 0;
bad:
	memset(ev, 0, sizeof(*ev));
	return -EPROTO;
}
