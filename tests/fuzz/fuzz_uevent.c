// SPDX-License-Identifier: GPL-2.0-only
/*
 * uevent_parse() (userspace/pizwgd/uevent.h) on any datagram: a copy of
 * exactly @size bytes, so a read past the end is caught. On success every
 * field keeps the bounds the header states.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "uevent.h"

static void check_event(const struct uevent *ev)
{
	FUZZ_CHECK(ev->action <= UEVENT_OTHER);
	FUZZ_CHECK(strnlen(ev->action_name, UEVENT_ACTION_MAX) <
		   UEVENT_ACTION_MAX);
	FUZZ_CHECK(ev->action_name[0]);
	FUZZ_CHECK(strnlen(ev->devpath, UEVENT_DEVPATH_MAX) <
		   UEVENT_DEVPATH_MAX);
	FUZZ_CHECK(ev->devpath[0] == '/');
	FUZZ_CHECK(strnlen(ev->subsystem, UEVENT_SUBSYSTEM_MAX) <
		   UEVENT_SUBSYSTEM_MAX);
	FUZZ_CHECK(strnlen(ev->devname, UEVENT_DEVNAME_MAX) <
		   UEVENT_DEVNAME_MAX);
	FUZZ_CHECK(ev->has_devnum || !ev->devname[0]);
	FUZZ_CHECK(ev->major <= UEVENT_MAJOR_MAX);
	FUZZ_CHECK(ev->minor <= UEVENT_MINOR_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uevent ev;
	uint8_t *buf;
	int ret;

	buf = malloc(size ? size : 1);
	FUZZ_CHECK(buf);
	memcpy(buf, data, size);
	ret = uevent_parse(buf, size, &ev);
	FUZZ_CHECK(ret == 0 || ret == -ENOMSG || ret == -EPROTO);
	if (!ret)
		check_event(&ev);
	free(buf);
	return 0;
}
