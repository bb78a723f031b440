// SPDX-License-Identifier: GPL-2.0-only
/*
 * Notifications are queued here from any process context (including USB
 * notifiers that run under device locks) and sent, in queue order, by one
 * work item. A work item never runs concurrently with itself, so the order
 * listeners see is the order in which things happened.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "pizwg_internal.h"

static LIST_HEAD(pizwg_events);
static DEFINE_SPINLOCK(pizwg_events_lock);
/*
 * Open once the family is registered (its group numbers are known): events
 * queued before wait, and go out when it opens.
 */
static bool pizwg_events_open;
static bool pizwg_events_closed;

static void pizwg_event_work_fn(struct work_struct *work)
{
	struct pizwg_event *ev;

	for (;;) {
		spin_lock(&pizwg_events_lock);
		ev = list_first_entry_or_null(&pizwg_events,
					      struct pizwg_event, node);
		if (ev)
			list_del(&ev->node);
		spin_unlock(&pizwg_events_lock);
		if (!ev)
			break;
		pizwg_nl_notify(ev);
		kfree(ev);
	}
}

static DECLARE_WORK(pizwg_event_work, pizwg_event_work_fn);

static void pizwg_event_queue(struct pizwg_event *ev)
{
	bool open;

	spin_lock(&pizwg_events_lock);
	if (pizwg_events_closed) {
		spin_unlock(&pizwg_events_lock);
		kfree(ev);
		return;
	}
	list_add_tail(&ev->node, &pizwg_events);
	open = pizwg_events_open;
	spin_unlock(&pizwg_events_lock);
	if (open)
		schedule_work(&pizwg_event_work);
}

static struct pizwg_event *pizwg_event_alloc(u8 cmd, enum pizwg_cause cause)
{
	struct pizwg_event *ev;

	/* Callers may hold USB device locks: no reclaim I/O. */
	ev = kzalloc(sizeof(*ev), GFP_NOIO);
	if (!ev)
		return NULL;
	ev->cmd = cmd;
	ev->cause = cause;
	return ev;
}

void pizwg_event_tty(u8 cmd, const struct pizwg_tty_info *tty,
		     enum pizwg_cause cause, u64 timestamp)
{
	struct pizwg_event *ev = pizwg_event_alloc(cmd, cause);

	if (!ev)
		return;
	ev->timestamp = timestamp;
	ev->tty = *tty;
	pizwg_event_queue(ev);
}

void pizwg_event_port(const char *hub, u32 port, bool power, bool leased,
		      enum pizwg_cause cause)
{
	struct pizwg_event *ev = pizwg_event_alloc(PIZWG_CMD_PORT_CHANGED,
						   cause);

	if (!ev)
		return;
	ev->timestamp = ktime_get_ns();
	strscpy(ev->hub, hub, sizeof(ev->hub));
	ev->port = port;
	ev->power = power;
	ev->leased = leased;
	pizwg_event_queue(ev);
}

/* Waits until everything queued so far has been sent. */
void pizwg_event_flush(void)
{
	flush_work(&pizwg_event_work);
}

/* From now on events are sent, those queued so far first. */
void pizwg_event_start(void)
{
	spin_lock(&pizwg_events_lock);
	pizwg_events_open = true;
	spin_unlock(&pizwg_events_lock);
	schedule_work(&pizwg_event_work);
}

/*
 * Sends what is queued and drops whatever is queued after (all of it if
 * the family never came: init failed).
 */
void pizwg_event_exit(void)
{
	struct pizwg_event *ev, *tmp;
	bool open;

	spin_lock(&pizwg_events_lock);
	pizwg_events_closed = true;
	open = pizwg_events_open;
	spin_unlock(&pizwg_events_lock);
	if (open)
		flush_work(&pizwg_event_work);
	cancel_work_sync(&pizwg_event_work);
	spin_lock(&pizwg_events_lock);
	list_for_each_entry_safe(ev, tmp, &pizwg_events, node) {
		list_del(&ev->node);
		kfree(ev);
	}
	spin_unlock(&pizwg_events_lock);
}
