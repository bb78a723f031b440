// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Z-Wave Serial API framing of the fake stick: parser, builders and
 * answers. See zwave.h for the wire format and the parser's events.
 */
#include <string.h>

#include "zwave.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define ZW_VERSION_STRING "Z-Wave 7.18" /* sent with its NUL */
#define ZW_LIBRARY_STATIC_CONTROLLER 0x01
#define ZW_INIT_DATA_VERSION 0x08
#define ZW_INIT_DATA_CAPABILITIES 0x00
#define ZW_NODEMASK_LEN 29 /* 232 nodes, one bit each */
#define ZW_CHIP_TYPE 0x07 /* 700 series */
#define ZW_CHIP_VERSION 0x00
#define ZW_NODE_ID 0x01

void zw_parser_init(struct zw_parser *p)
{
	memset(p, 0, sizeof(*p));
	p->state = ZW_HUNT;
}

static enum zw_event_type hunt(uint8_t byte)
{
	switch (byte) {
	case ZW_ACK:
		return ZW_EV_ACK;
	case ZW_NAK:
		return ZW_EV_NAK;
	case ZW_CAN:
		return ZW_EV_CAN;
	default:
		return ZW_EV_GARBAGE;
	}
}

static void start_frame(struct zw_parser *p, uint8_t len)
{
	memset(&p->frame, 0, sizeof(p->frame));
	p->frame.len = len - 3;
	p->got = 0;
	p->sum = 0xff ^ len;
	p->state = ZW_TYPE;
}

static enum zw_event_type end_frame(struct zw_parser *p, uint8_t checksum,
				    struct zw_event *ev)
{
	ev->type = checksum == p->sum ? ZW_EV_FRAME : ZW_EV_BAD_CHECKSUM;
	ev->byte = checksum;
	ev->want_checksum = p->sum;
	ev->frame = p->frame;
	p->state = ZW_HUNT;
	return ev->type;
}

/* One byte of a data frame after LEN. */
static enum zw_event_type frame_byte(struct zw_parser *p, uint8_t byte,
				     struct zw_event *ev)
{
	if (p->state == ZW_CHECKSUM)
		return end_frame(p, byte, ev);

	p->sum ^= byte;
	switch (p->state) {
	case ZW_TYPE:
		p->frame.type = byte;
		p->state = ZW_FUNC;
		break;
	case ZW_FUNC:
		p->frame.func = byte;
		p->state = p->frame.len ? ZW_PAYLOAD : ZW_CHECKSUM;
		break;
	default:
		p->frame.payload[p->got++] = byte;
		if (p->got == p->frame.len)
			p->state = ZW_CHECKSUM;
		break;
	}
	ev->type = ZW_EV_NONE;
	return ZW_EV_NONE;
}

enum zw_event_type zw_parse_byte(struct zw_parser *p, uint8_t byte,
				 struct zw_event *ev)
{
	switch (p->state) {
	case ZW_HUNT:
		if (byte == ZW_SOF) {
			p->state = ZW_LEN;
			ev->type = ZW_EV_NONE;
			return ZW_EV_NONE;
		}
		memset(ev, 0, sizeof(*ev));
		ev->type = hunt(byte);
		ev->byte = byte;
		return ev->type;
	case ZW_LEN:
		if (byte < ZW_LEN_MIN) {
			memset(ev, 0, sizeof(*ev));
			ev->type = ZW_EV_BAD_LENGTH;
			ev->byte = byte;
			p->state = ZW_HUNT;
			return ev->type;
		}
		start_frame(p, byte);
		ev->type = ZW_EV_NONE;
		return ZW_EV_NONE;
	default:
		return frame_byte(p, byte, ev);
	}
}

size_t zw_parse(struct zw_parser *p, const uint8_t *buf, size_t n,
		struct zw_event *ev)
{
	size_t i;

	ev->type = ZW_EV_NONE;
	for (i = 0; i < n; i++)
		if (zw_parse_byte(p, buf[i], ev) != ZW_EV_NONE)
			return i + 1;
	return n;
}

bool zw_parser_busy(const struct zw_parser *p)
{
	return p->state != ZW_HUNT;
}

bool zw_parser_abort(struct zw_parser *p)
{
	bool busy = zw_parser_busy(p);

	p->state = ZW_HUNT;
	return busy;
}

uint8_t zw_checksum(const uint8_t *buf, size_t n)
{
	uint8_t sum = 0xff;
	size_t i;

	for (i = 0; i < n; i++)
		sum ^= buf[i];
	return sum;
}

size_t zw_build_frame(uint8_t *out, size_t size, uint8_t type, uint8_t func,
		      const uint8_t *payload, size_t len)
{
	if (len > ZW_PAYLOAD_MAX || len + 5 > size)
		return 0;
	out[0] = ZW_SOF;
	out[1] = len + 3;
	out[2] = type;
	out[3] = func;
	if (len)
		memcpy(out + 4, payload, len);
	out[len + 4] = zw_checksum(out + 1, len + 3);
	return len + 5;
}

size_t zw_build(uint8_t *out, size_t size, const struct zw_frame *f)
{
	return zw_build_frame(out, size, f->type, f->func, f->payload, f->len);
}

static int version_payload(uint8_t *out)
{
	static const char version[] = ZW_VERSION_STRING;

	memcpy(out, version, sizeof(version));
	out[sizeof(version)] = ZW_LIBRARY_STATIC_CONTROLLER;
	return sizeof(version) + 1;
}

static int init_data_payload(uint8_t *out)
{
	out[0] = ZW_INIT_DATA_VERSION;
	out[1] = ZW_INIT_DATA_CAPABILITIES;
	out[2] = ZW_NODEMASK_LEN;
	memset(out + 3, 0, ZW_NODEMASK_LEN);
	out[3] = 1 << (ZW_NODE_ID - 1);
	out[3 + ZW_NODEMASK_LEN] = ZW_CHIP_TYPE;
	out[4 + ZW_NODEMASK_LEN] = ZW_CHIP_VERSION;
	return 5 + ZW_NODEMASK_LEN;
}

static int memory_id_payload(uint8_t *out)
{
	/* 0xC0FFEE01, big endian */
	static const uint8_t home_id[] = { 0xc0, 0xff, 0xee, 0x01 };

	memcpy(out, home_id, sizeof(home_id));
	out[sizeof(home_id)] = ZW_NODE_ID;
	return sizeof(home_id) + 1;
}

int zw_response_payload(uint8_t func, uint8_t *out)
{
	switch (func) {
	case ZW_FUNC_GET_VERSION:
		return version_payload(out);
	case ZW_FUNC_GET_INIT_DATA:
		return init_data_payload(out);
	case ZW_FUNC_MEMORY_GET_ID:
		return memory_id_payload(out);
	default:
		return -1;
	}
}

static size_t answer_frame(const struct zw_frame *f, uint8_t *out, size_t size)
{
	uint8_t payload[ZW_PAYLOAD_MAX];
	size_t n;
	int len;

	out[0] = ZW_ACK;
	if (f->type != ZW_REQUEST)
		return 1;
	len = zw_response_payload(f->func, payload);
	if (len < 0)
		return 1;
	n = zw_build_frame(out + 1, size - 1, ZW_RESPONSE, f->func, payload,
			   len);
	return n ? n + 1 : 0;
}

size_t zw_answer(const struct zw_event *ev, uint8_t *out, size_t size)
{
	if (!size)
		return 0;
	switch (ev->type) {
	case ZW_EV_FRAME:
		return answer_frame(&ev->frame, out, size);
	case ZW_EV_BAD_CHECKSUM:
		out[0] = ZW_NAK;
		return 1;
	default:
		return 0;
	}
}

const char *zw_event_name(enum zw_event_type type)
{
	static const char *const names[] = {
		[ZW_EV_NONE] = "none",
		[ZW_EV_FRAME] = "frame",
		[ZW_EV_BAD_CHECKSUM] = "bad checksum",
		[ZW_EV_BAD_LENGTH] = "bad length",
		[ZW_EV_ACK] = "ack",
		[ZW_EV_NAK] = "nak",
		[ZW_EV_CAN] = "can",
		[ZW_EV_GARBAGE] = "garbage",
	};

	if ((size_t)type >= ARRAY_SIZE(names) || !names[type])
		return "unknown";
	return names[type];
}
