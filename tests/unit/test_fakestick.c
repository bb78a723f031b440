// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fake stick's Z-Wave Serial API core (tests/fakestick/zwave.c): the
 * streaming parser's events for valid, damaged, short, long, split,
 * back-to-back and truncated frames and for the bytes between frames; the
 * frame builder; and the stick's answers, byte for byte.
 */
#include "unit.h"
#include "zwave.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A request for GetControllerVersion, as a host sends it. */
static const uint8_t get_version[] = { 0x01, 0x03, 0x00, 0x15, 0xe9 };

static const uint8_t version_response[] = {
	0x01, 0x10, 0x01, 0x15,
	'Z', '-', 'W', 'a', 'v', 'e', ' ', '7', '.', '1', '8', 0x00,
	0x01,
	0x98,
};

static const uint8_t init_data_response[] = {
	0x01, 0x25, 0x01, 0x02,
	0x08, 0x00, 0x1d,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x07, 0x00,
	0xca,
};

static const uint8_t memory_id_response[] = {
	0x01, 0x08, 0x01, 0x20, 0xc0, 0xff, 0xee, 0x01, 0x01, 0x07,
};

/* Up to this many events from one stream. */
#define MAX_EVENTS 1024

struct events {
	size_t n;
	struct zw_event ev[MAX_EVENTS];
};

/* Feeds @buf in one call per chunk, ending a chunk at each of @cuts. */
static void parse_chunks(struct zw_parser *p, const uint8_t *buf, size_t n,
			 const size_t *cuts, size_t ncuts, struct events *out)
{
	size_t start = 0, c, end, used;

	for (c = 0; c <= ncuts; c++) {
		end = c < ncuts ? cuts[c] : n;
		while (start < end) {
			used = zw_parse(p, buf + start, end - start,
					&out->ev[out->n]);
			CHECK(used >= 1 && used <= end - start);
			start += used;
			if (out->ev[out->n].type != ZW_EV_NONE) {
				CHECK(out->n < MAX_EVENTS - 1);
				out->n++;
			} else {
				CHECK_INT(start, end);
			}
		}
	}
}

static void parse_all(const uint8_t *buf, size_t n, struct events *out)
{
	struct zw_parser p;

	zw_parser_init(&p);
	out->n = 0;
	parse_chunks(&p, buf, n, NULL, 0, out);
}

static bool same_frame(const struct zw_frame *a, const struct zw_frame *b)
{
	return a->type == b->type && a->func == b->func && a->len == b->len &&
	       !memcmp(a->payload, b->payload, a->len);
}

static bool same_event(const struct zw_event *a, const struct zw_event *b)
{
	if (a->type != b->type || a->byte != b->byte)
		return false;
	if (a->type != ZW_EV_FRAME && a->type != ZW_EV_BAD_CHECKSUM)
		return true;
	return a->want_checksum == b->want_checksum &&
	       same_frame(&a->frame, &b->frame);
}

static void check_same_events(const struct events *got,
			      const struct events *want)
{
	size_t i;

	CHECK_INT(got->n, want->n);
	for (i = 0; i < got->n; i++)
		CHECK(same_event(&got->ev[i], &want->ev[i]));
}

static void fill_payload(uint8_t *buf, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 3));
}

static void checksum_is_ff_xor_len_through_payload(void)
{
	static const uint8_t bytes[] = { 0x03, 0x00, 0x15 };

	CHECK_INT(zw_checksum(bytes, sizeof(bytes)), 0xe9);
	CHECK_INT(zw_checksum(NULL, 0), 0xff);
	CHECK_INT(zw_checksum(version_response + 1,
			      sizeof(version_response) - 2), 0x98);
}

static void build_get_version_request(void)
{
	uint8_t out[ZW_FRAME_MAX];

	CHECK_INT(zw_build_frame(out, sizeof(out), ZW_REQUEST,
				 ZW_FUNC_GET_VERSION, NULL, 0), 5);
	CHECK(!memcmp(out, get_version, sizeof(get_version)));
}

static void build_frame_with_payload(void)
{
	static const uint8_t payload[] = { 0xc0, 0xff, 0xee, 0x01, 0x01 };
	uint8_t out[ZW_FRAME_MAX];

	CHECK_INT(zw_build_frame(out, sizeof(out), ZW_RESPONSE,
				 ZW_FUNC_MEMORY_GET_ID, payload,
				 sizeof(payload)),
		  sizeof(memory_id_response));
	CHECK(!memcmp(out, memory_id_response, sizeof(memory_id_response)));
}

static void build_of_252_payload_bytes_has_len_255(void)
{
	uint8_t payload[ZW_PAYLOAD_MAX], out[ZW_FRAME_MAX];

	fill_payload(payload, sizeof(payload), 1);
	CHECK_INT(zw_build_frame(out, sizeof(out), ZW_REQUEST, 0x13, payload,
				 ZW_PAYLOAD_MAX), 257);
	CHECK_INT(out[0], ZW_SOF);
	CHECK_INT(out[1], 255);
	CHECK_INT(out[256], zw_checksum(out + 1, 255));
}

static void build_refuses_payload_over_252_bytes(void)
{
	uint8_t payload[ZW_PAYLOAD_MAX + 1] = { 0 }, out[ZW_FRAME_MAX + 8];

	CHECK_INT(zw_build_frame(out, sizeof(out), ZW_REQUEST, 0x13, payload,
				 sizeof(payload)), 0);
}

static void build_refuses_a_buffer_too_small(void)
{
	uint8_t out[5];

	CHECK_INT(zw_build_frame(out, 4, ZW_REQUEST, 0x15, NULL, 0), 0);
	CHECK_INT(zw_build_frame(out, 5, ZW_REQUEST, 0x15, out, 1), 0);
	CHECK_INT(zw_build_frame(out, 5, ZW_REQUEST, 0x15, NULL, 0), 5);
}

static void get_version_request_is_one_frame_event_at_its_last_byte(void)
{
	struct zw_parser p;
	struct zw_event ev;
	size_t i;

	zw_parser_init(&p);
	for (i = 0; i < sizeof(get_version) - 1; i++)
		CHECK_INT(zw_parse_byte(&p, get_version[i], &ev), ZW_EV_NONE);
	CHECK_INT(zw_parse_byte(&p, get_version[i], &ev), ZW_EV_FRAME);
	CHECK_INT(ev.type, ZW_EV_FRAME);
	CHECK_INT(ev.frame.type, ZW_REQUEST);
	CHECK_INT(ev.frame.func, ZW_FUNC_GET_VERSION);
	CHECK_INT(ev.frame.len, 0);
	CHECK_INT(ev.byte, 0xe9);
	CHECK_INT(ev.want_checksum, 0xe9);
}

static void every_payload_length_and_type_parses_back_from_build(void)
{
	static const uint8_t types[] = { ZW_REQUEST, ZW_RESPONSE, 0x02, 0xff };
	uint8_t buf[ZW_FRAME_MAX];
	struct zw_frame want;
	struct events got;
	size_t len, t, n;

	for (t = 0; t < ARRAY_SIZE(types); t++) {
		for (len = 0; len <= ZW_PAYLOAD_MAX; len++) {
			memset(&want, 0, sizeof(want));
			want.type = types[t];
			want.func = (uint8_t)(len * 3);
			want.len = len;
			fill_payload(want.payload, len, len + t);
			n = zw_build(buf, sizeof(buf), &want);
			CHECK_INT(n, len + 5);
			parse_all(buf, n, &got);
			CHECK_INT(got.n, 1);
			CHECK_INT(got.ev[0].type, ZW_EV_FRAME);
			CHECK(same_frame(&got.ev[0].frame, &want));
		}
	}
}

static void len_3_is_a_frame_without_payload(void)
{
	static const uint8_t buf[] = { 0x01, 0x03, 0x01, 0x42, 0xbf };
	struct events got;

	parse_all(buf, sizeof(buf), &got);
	CHECK_INT(got.n, 1);
	CHECK_INT(got.ev[0].type, ZW_EV_FRAME);
	CHECK_INT(got.ev[0].frame.type, ZW_RESPONSE);
	CHECK_INT(got.ev[0].frame.func, 0x42);
	CHECK_INT(got.ev[0].frame.len, 0);
}

static void len_255_carries_252_payload_bytes(void)
{
	uint8_t buf[ZW_FRAME_MAX];
	struct zw_parser p;
	struct zw_event ev;
	size_t i;

	buf[0] = ZW_SOF;
	buf[1] = 0xff;
	buf[2] = ZW_REQUEST;
	buf[3] = 0x13;
	fill_payload(buf + 4, ZW_PAYLOAD_MAX, 9);
	buf[256] = zw_checksum(buf + 1, 255);
	zw_parser_init(&p);
	for (i = 0; i < 256; i++)
		CHECK_INT(zw_parse_byte(&p, buf[i], &ev), ZW_EV_NONE);
	CHECK_INT(zw_parse_byte(&p, buf[256], &ev), ZW_EV_FRAME);
	CHECK_INT(ev.frame.len, ZW_PAYLOAD_MAX);
	CHECK(!memcmp(ev.frame.payload, buf + 4, ZW_PAYLOAD_MAX));
	CHECK(!zw_parser_busy(&p));
}

static void len_0_1_2_are_bad_lengths_that_consume_the_len_byte(void)
{
	struct zw_parser p;
	struct zw_event ev;
	unsigned int len;

	for (len = 0; len < ZW_LEN_MIN; len++) {
		zw_parser_init(&p);
		CHECK_INT(zw_parse_byte(&p, ZW_SOF, &ev), ZW_EV_NONE);
		CHECK_INT(zw_parse_byte(&p, len, &ev), ZW_EV_BAD_LENGTH);
		CHECK_INT(ev.byte, len);
		CHECK(!zw_parser_busy(&p));
		CHECK_INT(zw_parse_byte(&p, ZW_ACK, &ev), ZW_EV_ACK);
	}
}

/* LEN 1 is not taken for a new SOF: what follows is read between frames. */
static void len_1_does_not_start_a_new_frame(void)
{
	static const uint8_t buf[] = { 0x01, 0x01, 0x03, 0x00, 0x15, 0xe9 };
	static const enum zw_event_type want[] = {
		ZW_EV_BAD_LENGTH, ZW_EV_GARBAGE, ZW_EV_GARBAGE, ZW_EV_NAK,
		ZW_EV_GARBAGE,
	};
	struct events got;
	size_t i;

	parse_all(buf, sizeof(buf), &got);
	CHECK_INT(got.n, ARRAY_SIZE(want));
	for (i = 0; i < got.n; i++)
		CHECK_INT(got.ev[i].type, want[i]);
}

static void every_wrong_checksum_is_a_bad_checksum_with_the_frame(void)
{
	uint8_t buf[] = { 0x01, 0x05, 0x00, 0x15, 0xaa, 0x55, 0x00 };
	struct events got;
	unsigned int sum;
	uint8_t want;

	want = zw_checksum(buf + 1, 5);
	for (sum = 0; sum < 256; sum++) {
		if (sum == want)
			continue;
		buf[6] = sum;
		parse_all(buf, sizeof(buf), &got);
		CHECK_INT(got.n, 1);
		CHECK_INT(got.ev[0].type, ZW_EV_BAD_CHECKSUM);
		CHECK_INT(got.ev[0].byte, sum);
		CHECK_INT(got.ev[0].want_checksum, want);
		CHECK_INT(got.ev[0].frame.type, ZW_REQUEST);
		CHECK_INT(got.ev[0].frame.func, 0x15);
		CHECK_INT(got.ev[0].frame.len, 2);
		CHECK_INT(got.ev[0].frame.payload[0], 0xaa);
		CHECK_INT(got.ev[0].frame.payload[1], 0x55);
	}
}

static void every_flipped_bit_after_len_is_a_bad_checksum(void)
{
	uint8_t buf[sizeof(init_data_response)];
	struct events got;
	size_t i, bit;

	for (i = 2; i < sizeof(buf); i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(buf, init_data_response, sizeof(buf));
			buf[i] ^= 1 << bit;
			parse_all(buf, sizeof(buf), &got);
			CHECK_INT(got.n, 1);
			CHECK_INT(got.ev[0].type, ZW_EV_BAD_CHECKSUM);
		}
	}
}

static void parser_resumes_after_a_bad_checksum(void)
{
	static const uint8_t buf[] = {
		0x01, 0x03, 0x00, 0x15, 0xe8,
		0x01, 0x03, 0x00, 0x15, 0xe9,
	};
	struct events got;

	parse_all(buf, sizeof(buf), &got);
	CHECK_INT(got.n, 2);
	CHECK_INT(got.ev[0].type, ZW_EV_BAD_CHECKSUM);
	CHECK_INT(got.ev[1].type, ZW_EV_FRAME);
}

static void every_byte_between_frames_is_sof_control_or_garbage(void)
{
	struct zw_parser p;
	struct zw_event ev;
	enum zw_event_type want;
	unsigned int b;

	for (b = 0; b < 256; b++) {
		zw_parser_init(&p);
		switch (b) {
		case ZW_SOF:
			want = ZW_EV_NONE;
			break;
		case ZW_ACK:
			want = ZW_EV_ACK;
			break;
		case ZW_NAK:
			want = ZW_EV_NAK;
			break;
		case ZW_CAN:
			want = ZW_EV_CAN;
			break;
		default:
			want = ZW_EV_GARBAGE;
			break;
		}
		CHECK_INT(zw_parse_byte(&p, b, &ev), want);
		CHECK_INT(ev.type, want);
		if (want != ZW_EV_NONE)
			CHECK_INT(ev.byte, b);
		CHECK_INT(zw_parser_busy(&p), b == ZW_SOF);
	}
}

static void garbage_before_sof_is_reported_byte_by_byte_then_the_frame(void)
{
	static const uint8_t buf[] = { 0x00, 0xff, 0x42, 0x03,
				       0x01, 0x03, 0x00, 0x15, 0xe9 };
	struct events got;
	size_t i;

	parse_all(buf, sizeof(buf), &got);
	CHECK_INT(got.n, 5);
	for (i = 0; i < 4; i++) {
		CHECK_INT(got.ev[i].type, ZW_EV_GARBAGE);
		CHECK_INT(got.ev[i].byte, buf[i]);
	}
	CHECK_INT(got.ev[4].type, ZW_EV_FRAME);
	CHECK_INT(got.ev[4].frame.func, 0x15);
}

static void ack_nak_can_between_frames(void)
{
	static const uint8_t buf[] = {
		0x06, 0x01, 0x03, 0x00, 0x15, 0xe9, 0x15, 0x18, 0x06,
	};
	static const enum zw_event_type want[] = {
		ZW_EV_ACK, ZW_EV_FRAME, ZW_EV_NAK, ZW_EV_CAN, ZW_EV_ACK,
	};
	struct events got;
	size_t i;

	parse_all(buf, sizeof(buf), &got);
	CHECK_INT(got.n, ARRAY_SIZE(want));
	for (i = 0; i < got.n; i++)
		CHECK_INT(got.ev[i].type, want[i]);
}

static void control_bytes_inside_a_frame_are_data(void)
{
	uint8_t payload[] = { ZW_SOF, ZW_ACK, ZW_NAK, ZW_CAN, ZW_SOF };
	uint8_t buf[ZW_FRAME_MAX];
	struct events got;
	size_t n;

	n = zw_build_frame(buf, sizeof(buf), ZW_REQUEST, ZW_ACK, payload,
			   sizeof(payload));
	parse_all(buf, n, &got);
	CHECK_INT(got.n, 1);
	CHECK_INT(got.ev[0].type, ZW_EV_FRAME);
	CHECK_INT(got.ev[0].frame.func, ZW_ACK);
	CHECK_INT(got.ev[0].frame.len, sizeof(payload));
	CHECK(!memcmp(got.ev[0].frame.payload, payload, sizeof(payload)));
}

static void back_to_back_frames_in_one_buffer_are_two_events(void)
{
	uint8_t buf[sizeof(version_response) + sizeof(memory_id_response)];
	struct zw_parser p;
	struct zw_event ev;
	size_t used;

	memcpy(buf, version_response, sizeof(version_response));
	memcpy(buf + sizeof(version_response), memory_id_response,
	       sizeof(memory_id_response));
	zw_parser_init(&p);
	used = zw_parse(&p, buf, sizeof(buf), &ev);
	CHECK_INT(used, sizeof(version_response));
	CHECK_INT(ev.type, ZW_EV_FRAME);
	CHECK_INT(ev.frame.func, ZW_FUNC_GET_VERSION);
	CHECK_INT(zw_parse(&p, buf + used, sizeof(buf) - used, &ev),
		  sizeof(memory_id_response));
	CHECK_INT(ev.type, ZW_EV_FRAME);
	CHECK_INT(ev.frame.func, ZW_FUNC_MEMORY_GET_ID);
	CHECK_INT(ev.frame.len, 5);
}

static void parse_of_nothing_consumes_nothing(void)
{
	struct zw_parser p;
	struct zw_event ev = { .type = ZW_EV_ACK };

	zw_parser_init(&p);
	CHECK_INT(zw_parse(&p, get_version, 0, &ev), 0);
	CHECK_INT(ev.type, ZW_EV_NONE);
}

static void partial_frame_consumes_all_without_an_event(void)
{
	struct zw_parser p;
	struct zw_event ev;

	zw_parser_init(&p);
	CHECK_INT(zw_parse(&p, get_version, 4, &ev), 4);
	CHECK_INT(ev.type, ZW_EV_NONE);
	CHECK(zw_parser_busy(&p));
	CHECK_INT(zw_parse(&p, get_version + 4, 1, &ev), 1);
	CHECK_INT(ev.type, ZW_EV_FRAME);
}

/*
 * A stream of every kind of event; cut into two and three feeds at every
 * pair of points it must give the same events as fed byte by byte.
 */
static size_t mixed_stream(uint8_t *buf)
{
	static const uint8_t head[] = {
		0x00, 0x06, 0x01, 0x03, 0x00, 0x15, 0xe8, 0x15, 0x01, 0x02,
		0x18, 0x7f,
	};
	size_t n = 0;

	memcpy(buf, head, sizeof(head));
	n += sizeof(head);
	memcpy(buf + n, init_data_response, sizeof(init_data_response));
	n += sizeof(init_data_response);
	memcpy(buf + n, get_version, sizeof(get_version));
	n += sizeof(get_version);
	memcpy(buf + n, version_response, sizeof(version_response));
	n += sizeof(version_response);
	buf[n++] = ZW_ACK;
	return n;
}

static void byte_by_byte(const uint8_t *buf, size_t n, struct events *out)
{
	struct zw_parser p;
	size_t i;

	zw_parser_init(&p);
	out->n = 0;
	for (i = 0; i < n; i++)
		if (zw_parse_byte(&p, buf[i], &out->ev[out->n]) != ZW_EV_NONE)
			out->n++;
}

static void mixed_stream_gives_each_kind_of_event(void)
{
	static const enum zw_event_type want[] = {
		ZW_EV_GARBAGE, ZW_EV_ACK, ZW_EV_BAD_CHECKSUM, ZW_EV_NAK,
		ZW_EV_BAD_LENGTH, ZW_EV_CAN, ZW_EV_GARBAGE, ZW_EV_FRAME,
		ZW_EV_FRAME, ZW_EV_FRAME, ZW_EV_ACK,
	};
	uint8_t buf[128];
	struct events got;
	size_t i, n;

	n = mixed_stream(buf);
	byte_by_byte(buf, n, &got);
	CHECK_INT(got.n, ARRAY_SIZE(want));
	for (i = 0; i < got.n; i++)
		CHECK_INT(got.ev[i].type, want[i]);
}

static void every_split_across_feeds_gives_the_same_events(void)
{
	static struct events want, got;
	uint8_t buf[128];
	struct zw_parser p;
	size_t cuts[2], n;

	n = mixed_stream(buf);
	byte_by_byte(buf, n, &want);
	for (cuts[0] = 0; cuts[0] <= n; cuts[0]++) {
		for (cuts[1] = cuts[0]; cuts[1] <= n; cuts[1]++) {
			zw_parser_init(&p);
			got.n = 0;
			parse_chunks(&p, buf, n, cuts, 2, &got);
			check_same_events(&got, &want);
		}
	}
}

static void every_split_of_a_long_frame_gives_the_frame(void)
{
	static struct events got;
	uint8_t buf[ZW_FRAME_MAX];
	struct zw_frame want = { .type = ZW_REQUEST, .func = 0x13 };
	struct zw_parser p;
	size_t cut, n;

	want.len = ZW_PAYLOAD_MAX;
	fill_payload(want.payload, want.len, 5);
	n = zw_build(buf, sizeof(buf), &want);
	for (cut = 0; cut <= n; cut++) {
		zw_parser_init(&p);
		got.n = 0;
		parse_chunks(&p, buf, n, &cut, 1, &got);
		CHECK_INT(got.n, 1);
		CHECK_INT(got.ev[0].type, ZW_EV_FRAME);
		CHECK(same_frame(&got.ev[0].frame, &want));
	}
}

/* Without a timeout a cut frame reads the next frame as its own bytes. */
static void truncated_frame_swallows_the_next_until_len_is_reached(void)
{
	static const uint8_t buf[] = {
		0x01, 0x05, 0x00, 0x15,
		0x01, 0x03, 0x00, 0x15, 0xe9,
	};
	struct events got;

	parse_all(buf, sizeof(buf), &got);
	CHECK_INT(got.n, 3);
	CHECK_INT(got.ev[0].type, ZW_EV_BAD_CHECKSUM);
	CHECK_INT(got.ev[0].frame.len, 2);
	CHECK_INT(got.ev[0].frame.payload[0], 0x01);
	CHECK_INT(got.ev[0].frame.payload[1], 0x03);
	CHECK_INT(got.ev[0].byte, 0x00);
	CHECK_INT(got.ev[0].want_checksum, 0xed);
	CHECK_INT(got.ev[1].type, ZW_EV_NAK);
	CHECK_INT(got.ev[2].type, ZW_EV_GARBAGE);
}

static void abort_drops_a_truncated_frame_and_the_next_parses(void)
{
	static struct events got;
	struct zw_parser p;
	struct zw_event ev;
	size_t cut;

	for (cut = 1; cut < sizeof(version_response); cut++) {
		zw_parser_init(&p);
		CHECK_INT(zw_parse(&p, version_response, cut, &ev), cut);
		CHECK_INT(ev.type, ZW_EV_NONE);
		CHECK(zw_parser_busy(&p));
		CHECK(zw_parser_abort(&p));
		CHECK(!zw_parser_busy(&p));
		got.n = 0;
		parse_chunks(&p, get_version, sizeof(get_version), NULL, 0,
			     &got);
		CHECK_INT(got.n, 1);
		CHECK_INT(got.ev[0].type, ZW_EV_FRAME);
		CHECK_INT(got.ev[0].frame.func, ZW_FUNC_GET_VERSION);
	}
}

static void abort_between_frames_drops_nothing(void)
{
	struct zw_parser p;
	struct zw_event ev;

	zw_parser_init(&p);
	CHECK(!zw_parser_abort(&p));
	zw_parse(&p, get_version, sizeof(get_version), &ev);
	CHECK_INT(ev.type, ZW_EV_FRAME);
	CHECK(!zw_parser_abort(&p));
}

static void zeroed_parser_hunts_for_sof(void)
{
	struct zw_parser p;
	struct zw_event ev;

	memset(&p, 0, sizeof(p));
	CHECK(!zw_parser_busy(&p));
	CHECK_INT(zw_parse(&p, get_version, sizeof(get_version), &ev), 5);
	CHECK_INT(ev.type, ZW_EV_FRAME);
}

static size_t answer_to(const uint8_t *req, size_t n, uint8_t *out,
			size_t size)
{
	struct events got;

	parse_all(req, n, &got);
	CHECK_INT(got.n, 1);
	return zw_answer(&got.ev[0], out, size);
}

static void check_ack_then(const uint8_t *out, size_t n, const uint8_t *resp,
			   size_t resp_len)
{
	CHECK_INT(n, 1 + resp_len);
	CHECK_INT(out[0], ZW_ACK);
	CHECK(!memcmp(out + 1, resp, resp_len));
}

static void get_version_is_answered_with_ack_and_z_wave_7_18(void)
{
	uint8_t out[ZW_ANSWER_MAX];
	size_t n;

	n = answer_to(get_version, sizeof(get_version), out, sizeof(out));
	check_ack_then(out, n, version_response, sizeof(version_response));
}

static void get_init_data_is_answered_with_node_1_and_chip_7(void)
{
	static const uint8_t req[] = { 0x01, 0x03, 0x00, 0x02, 0xfe };
	uint8_t out[ZW_ANSWER_MAX];
	size_t n;

	n = answer_to(req, sizeof(req), out, sizeof(out));
	check_ack_then(out, n, init_data_response,
		       sizeof(init_data_response));
}

static void memory_get_id_is_answered_with_home_c0ffee01_node_1(void)
{
	static const uint8_t req[] = { 0x01, 0x03, 0x00, 0x20, 0xdc };
	uint8_t out[ZW_ANSWER_MAX];
	size_t n;

	n = answer_to(req, sizeof(req), out, sizeof(out));
	check_ack_then(out, n, memory_id_response,
		       sizeof(memory_id_response));
}

static void requests_with_payload_are_answered_the_same(void)
{
	static const uint8_t req[] = { 0x01, 0x05, 0x00, 0x15, 0x01, 0x03,
				       0xed };
	uint8_t out[ZW_ANSWER_MAX];
	size_t n;

	n = answer_to(req, sizeof(req), out, sizeof(out));
	check_ack_then(out, n, version_response, sizeof(version_response));
}

static void every_other_function_is_only_acked(void)
{
	uint8_t req[ZW_FRAME_MAX], out[ZW_ANSWER_MAX];
	unsigned int func;
	size_t n;

	for (func = 0; func < 256; func++) {
		if (func == ZW_FUNC_GET_VERSION ||
		    func == ZW_FUNC_GET_INIT_DATA ||
		    func == ZW_FUNC_MEMORY_GET_ID)
			continue;
		n = zw_build_frame(req, sizeof(req), ZW_REQUEST, func, NULL,
				   0);
		CHECK_INT(answer_to(req, n, out, sizeof(out)), 1);
		CHECK_INT(out[0], ZW_ACK);
	}
}

static void responses_and_other_types_are_only_acked(void)
{
	uint8_t req[ZW_FRAME_MAX], out[ZW_ANSWER_MAX];
	unsigned int type;
	size_t n;

	for (type = 1; type < 256; type++) {
		n = zw_build_frame(req, sizeof(req), type,
				   ZW_FUNC_GET_VERSION, NULL, 0);
		CHECK_INT(answer_to(req, n, out, sizeof(out)), 1);
		CHECK_INT(out[0], ZW_ACK);
	}
}

static void bad_checksum_is_answered_with_nak(void)
{
	static const uint8_t req[] = { 0x01, 0x03, 0x00, 0x15, 0x00 };
	uint8_t out[ZW_ANSWER_MAX];

	CHECK_INT(answer_to(req, sizeof(req), out, sizeof(out)), 1);
	CHECK_INT(out[0], ZW_NAK);
}

static void control_garbage_and_bad_length_get_no_answer(void)
{
	static const enum zw_event_type quiet[] = {
		ZW_EV_NONE, ZW_EV_BAD_LENGTH, ZW_EV_ACK, ZW_EV_NAK, ZW_EV_CAN,
		ZW_EV_GARBAGE,
	};
	struct zw_event ev;
	uint8_t out[ZW_ANSWER_MAX];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(quiet); i++) {
		memset(&ev, 0, sizeof(ev));
		ev.type = quiet[i];
		CHECK_INT(zw_answer(&ev, out, sizeof(out)), 0);
	}
}

static void answer_that_does_not_fit_is_refused(void)
{
	uint8_t out[ZW_ANSWER_MAX];

	CHECK_INT(answer_to(get_version, sizeof(get_version), out,
			    sizeof(version_response)), 0);
	CHECK_INT(answer_to(get_version, sizeof(get_version), out, 0), 0);
	CHECK_INT(answer_to(get_version, sizeof(get_version), out,
			    sizeof(version_response) + 1),
		  sizeof(version_response) + 1);
}

static void answers_parse_as_ack_then_a_valid_response(void)
{
	static const uint8_t funcs[] = { ZW_FUNC_GET_VERSION,
					 ZW_FUNC_GET_INIT_DATA,
					 ZW_FUNC_MEMORY_GET_ID };
	uint8_t req[ZW_FRAME_MAX], out[ZW_ANSWER_MAX];
	uint8_t payload[ZW_PAYLOAD_MAX];
	struct events got;
	size_t i, n;
	int len;

	for (i = 0; i < ARRAY_SIZE(funcs); i++) {
		n = zw_build_frame(req, sizeof(req), ZW_REQUEST, funcs[i],
				   NULL, 0);
		n = answer_to(req, n, out, sizeof(out));
		parse_all(out, n, &got);
		CHECK_INT(got.n, 2);
		CHECK_INT(got.ev[0].type, ZW_EV_ACK);
		CHECK_INT(got.ev[1].type, ZW_EV_FRAME);
		CHECK_INT(got.ev[1].frame.type, ZW_RESPONSE);
		CHECK_INT(got.ev[1].frame.func, funcs[i]);
		len = zw_response_payload(funcs[i], payload);
		CHECK_INT(got.ev[1].frame.len, len);
		CHECK(!memcmp(got.ev[1].frame.payload, payload, len));
	}
}

static void response_payload_of_unknown_function_is_minus_1(void)
{
	uint8_t payload[ZW_PAYLOAD_MAX];

	CHECK_INT(zw_response_payload(0x13, payload), -1);
	CHECK_INT(zw_response_payload(0x00, payload), -1);
	CHECK_INT(zw_response_payload(0xff, payload), -1);
}

static void event_names(void)
{
	CHECK_STR(zw_event_name(ZW_EV_NONE), "none");
	CHECK_STR(zw_event_name(ZW_EV_FRAME), "frame");
	CHECK_STR(zw_event_name(ZW_EV_BAD_CHECKSUM), "bad checksum");
	CHECK_STR(zw_event_name(ZW_EV_BAD_LENGTH), "bad length");
	CHECK_STR(zw_event_name(ZW_EV_ACK), "ack");
	CHECK_STR(zw_event_name(ZW_EV_NAK), "nak");
	CHECK_STR(zw_event_name(ZW_EV_CAN), "can");
	CHECK_STR(zw_event_name(ZW_EV_GARBAGE), "garbage");
	CHECK_STR(zw_event_name(ZW_EV_GARBAGE + 1), "unknown");
}

static const struct unit_test tests[] = {
	UNIT_TEST(checksum_is_ff_xor_len_through_payload),
	UNIT_TEST(build_get_version_request),
	UNIT_TEST(build_frame_with_payload),
	UNIT_TEST(build_of_252_payload_bytes_has_len_255),
	UNIT_TEST(build_refuses_payload_over_252_bytes),
	UNIT_TEST(build_refuses_a_buffer_too_small),
	UNIT_TEST(get_version_request_is_one_frame_event_at_its_last_byte),
	UNIT_TEST(every_payload_length_and_type_parses_back_from_build),
	UNIT_TEST(len_3_is_a_frame_without_payload),
	UNIT_TEST(len_255_carries_252_payload_bytes),
	UNIT_TEST(len_0_1_2_are_bad_lengths_that_consume_the_len_byte),
	UNIT_TEST(len_1_does_not_start_a_new_frame),
	UNIT_TEST(every_wrong_checksum_is_a_bad_checksum_with_the_frame),
	UNIT_TEST(every_flipped_bit_after_len_is_a_bad_checksum),
	UNIT_TEST(parser_resumes_after_a_bad_checksum),
	UNIT_TEST(every_byte_between_frames_is_sof_control_or_garbage),
	UNIT_TEST(garbage_before_sof_is_reported_byte_by_byte_then_the_frame),
	UNIT_TEST(ack_nak_can_between_frames),
	UNIT_TEST(control_bytes_inside_a_frame_are_data),
	UNIT_TEST(back_to_back_frames_in_one_buffer_are_two_events),
	UNIT_TEST(parse_of_nothing_consumes_nothing),
	UNIT_TEST(partial_frame_consumes_all_without_an_event),
	UNIT_TEST(mixed_stream_gives_each_kind_of_event),
	UNIT_TEST(every_split_across_feeds_gives_the_same_events),
	UNIT_TEST(every_split_of_a_long_frame_gives_the_frame),
	UNIT_TEST(truncated_frame_swallows_the_next_until_len_is_reached),
	UNIT_TEST(abort_drops_a_truncated_frame_and_the_next_parses),
	UNIT_TEST(abort_between_frames_drops_nothing),
	UNIT_TEST(zeroed_parser_hunts_for_sof),
	UNIT_TEST(get_version_is_answered_with_ack_and_z_wave_7_18),
	UNIT_TEST(get_init_data_is_answered_with_node_1_and_chip_7),
	UNIT_TEST(memory_get_id_is_answered_with_home_c0ffee01_node_1),
	UNIT_TEST(requests_with_payload_are_answered_the_same),
	UNIT_TEST(every_other_function_is_only_acked),
	UNIT_TEST(responses_and_other_types_are_only_acked),
	UNIT_TEST(bad_checksum_is_answered_with_nak),
	UNIT_TEST(control_garbage_and_bad_length_get_no_answer),
	UNIT_TEST(answer_that_does_not_fit_is_refused),
	UNIT_TEST(answers_parse_as_ack_then_a_valid_response),
	UNIT_TEST(response_payload_of_unknown_function_is_minus_1),
	UNIT_TEST(event_names),
};

int main(void)
{
	return unit_main("test_fakestick", tests, ARRAY_SIZE(tests));
}
