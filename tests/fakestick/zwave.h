/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Z-Wave Serial API framing, as a controller sees it: a streaming parser
 * fed one byte at a time, frame builders, and the answers of the fake stick.
 * Pure functions of their arguments: no I/O, no globals, no allocation.
 *
 * On the wire (Z-Wave Host API specification):
 *
 *   data frame  SOF 0x01, LEN, TYPE, FUNC, PAYLOAD..., CHECKSUM
 *               LEN counts the bytes after itself, checksum included, so
 *               LEN = payload length + 3, 3..255; TYPE 0x00 request, 0x01
 *               response; CHECKSUM = 0xFF ^ LEN ^ TYPE ^ FUNC ^ PAYLOAD...
 *   control     ACK 0x06 (frame received), NAK 0x15 (frame damaged),
 *               CAN 0x18 (frame dropped: collision)
 *
 * Parser events, one at most per byte:
 *
 *   ZW_EV_FRAME         a data frame whose checksum matches (any TYPE)
 *   ZW_EV_BAD_CHECKSUM  a complete data frame whose checksum does not;
 *                       the frame is still filled in, with both checksums
 *   ZW_EV_BAD_LENGTH    SOF followed by LEN 0, 1 or 2: too short for TYPE,
 *                       FUNC and CHECKSUM. The LEN byte is consumed and the
 *                       parser hunts for SOF again, as Silicon Labs' own
 *                       serial API does
 *   ZW_EV_ACK, ZW_EV_NAK, ZW_EV_CAN
 *                       the control byte, seen between data frames
 *   ZW_EV_GARBAGE       any other byte between data frames
 *
 * Inside a data frame every byte is data, 0x01 and 0x06 included: a frame
 * cut short swallows whatever follows until LEN bytes have arrived. The
 * fake stick gives up on a frame 1500 ms after its SOF (ZW_FRAME_TIMEOUT_MS,
 * the reception timeout of Silicon Labs' serial API code); the parser knows
 * no time, so its caller calls zw_parser_abort() when that passes.
 */
#ifndef PIZWG_FAKESTICK_ZWAVE_H
#define PIZWG_FAKESTICK_ZWAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZW_SOF 0x01
#define ZW_ACK 0x06
#define ZW_NAK 0x15
#define ZW_CAN 0x18

#define ZW_REQUEST 0x00
#define ZW_RESPONSE 0x01

#define ZW_LEN_MIN 3
#define ZW_LEN_MAX 255
#define ZW_PAYLOAD_MAX (ZW_LEN_MAX - 3)
/* SOF + LEN + TYPE + FUNC + payload + CHECKSUM */
#define ZW_FRAME_MAX (ZW_PAYLOAD_MAX + 5)
/* ACK + response frame: the most zw_answer() writes */
#define ZW_ANSWER_MAX (1 + ZW_FRAME_MAX)

#define ZW_FRAME_TIMEOUT_MS 1500

/* Serial API functions the fake stick answers. */
#define ZW_FUNC_GET_INIT_DATA 0x02 /* SerialApiGetInitData */
#define ZW_FUNC_GET_VERSION 0x15 /* GetControllerVersion */
#define ZW_FUNC_MEMORY_GET_ID 0x20 /* MemoryGetId */

enum zw_event_type {
	ZW_EV_NONE,
	ZW_EV_FRAME,
	ZW_EV_BAD_CHECKSUM,
	ZW_EV_BAD_LENGTH,
	ZW_EV_ACK,
	ZW_EV_NAK,
	ZW_EV_CAN,
	ZW_EV_GARBAGE,
};

struct zw_frame {
	uint8_t type;
	uint8_t func;
	uint8_t len; /* of payload */
	uint8_t payload[ZW_PAYLOAD_MAX];
};

struct zw_event {
	enum zw_event_type type;
	/*
	 * The byte itself for ACK, NAK, CAN and GARBAGE; LEN for BAD_LENGTH;
	 * the CHECKSUM received for FRAME and BAD_CHECKSUM.
	 */
	uint8_t byte;
	uint8_t want_checksum; /* FRAME, BAD_CHECKSUM */
	struct zw_frame frame; /* FRAME, BAD_CHECKSUM */
};

enum zw_parser_state {
	ZW_HUNT, /* between frames */
	ZW_LEN,
	ZW_TYPE,
	ZW_FUNC,
	ZW_PAYLOAD,
	ZW_CHECKSUM,
};

/* Zero-initialised (or zw_parser_init()) it hunts for SOF. */
struct zw_parser {
	enum zw_parser_state state;
	uint8_t got; /* payload bytes so far */
	uint8_t sum; /* running checksum */
	struct zw_frame frame;
};

void zw_parser_init(struct zw_parser *p);

/*
 * Feeds one byte. Returns the event it completes, also stored in @ev; for
 * ZW_EV_NONE (a data frame under way) only @ev->type is set.
 */
enum zw_event_type zw_parse_byte(struct zw_parser *p, uint8_t byte,
				 struct zw_event *ev);

/*
 * Feeds bytes up to and including the first that completes an event.
 * Returns how many it consumed; @ev->type is ZW_EV_NONE if it took them all
 * without completing one. Call again with the rest.
 */
size_t zw_parse(struct zw_parser *p, const uint8_t *buf, size_t n,
		struct zw_event *ev);

/* Whether a data frame is under way (SOF seen, frame not complete). */
bool zw_parser_busy(const struct zw_parser *p);

/*
 * Drops a data frame under way (the reception timeout) and hunts for SOF
 * again. Returns whether there was one.
 */
bool zw_parser_abort(struct zw_parser *p);

/* 0xFF XOR every byte of @buf. */
uint8_t zw_checksum(const uint8_t *buf, size_t n);

/*
 * Writes the data frame (TYPE, FUNC, PAYLOAD) to @out. Returns its size,
 * @len + 5, or 0 if @len exceeds ZW_PAYLOAD_MAX or the frame @size.
 */
size_t zw_build_frame(uint8_t *out, size_t size, uint8_t type, uint8_t func,
		      const uint8_t *payload, size_t len);

/* Writes the frame @f to @out, as zw_build_frame(). */
size_t zw_build(uint8_t *out, size_t size, const struct zw_frame *f);

/*
 * The payload of the fake stick's response to a request for @func: a 700
 * series static controller, "Z-Wave 7.18", home id 0xC0FFEE01, node 1 the
 * only node. Returns its length, or -1 for a function the stick does not
 * answer. @out holds ZW_PAYLOAD_MAX bytes.
 *
 *   0x15 GetControllerVersion  "Z-Wave 7.18\0", library type 0x01
 *   0x02 SerialApiGetInitData  version 0x08, capabilities 0x00, 29,
 *                              29 bytes of node bitmask (node 1: 0x01 0...),
 *                              chip type 0x07, chip version 0x00
 *   0x20 MemoryGetId           home id C0 FF EE 01 (big endian), node id 1
 */
int zw_response_payload(uint8_t func, uint8_t *out);

/*
 * What the fake stick sends back for the event @ev, into @out: ACK for a
 * data frame, followed by the response frame for a request it knows; NAK
 * for a bad checksum; nothing for anything else (incoming ACK, NAK, CAN,
 * garbage and bad lengths are ignored). Returns the number of bytes, at
 * most ZW_ANSWER_MAX, or 0 if they do not fit @size.
 */
size_t zw_answer(const struct zw_event *ev, uint8_t *out, size_t size);

/* "frame", "bad checksum", ..., for logs. */
const char *zw_event_name(enum zw_event_type type);

#endif /* PIZWG_FAKESTICK_ZWAVE_H */
