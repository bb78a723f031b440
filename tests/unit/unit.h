/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal unit test harness: one program per tests/unit/test_*.c, one
 * function per behaviour, named for it. unit_main() runs them in order and
 * prints one TAP line per test, "ok - <prog>: <test>" or
 * "not ok - <prog>: <test>" followed by "# <file>:<line>: <what>", which
 * `make unit` and tests/check count. A failed check ends its test; the
 * others still run.
 */
#ifndef PIZWG_UNIT_H
#define PIZWG_UNIT_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

#define UNIT_TEST(fn) { #fn, fn }

static jmp_buf unit_jmp;
static char unit_why[4096];

static inline void unit_fail(const char *file, int line, const char *fmt,
			     const char *a, const char *b)
{
	int n;

	n = snprintf(unit_why, sizeof(unit_why), "%s:%d: ", file, line);
	snprintf(unit_why + n, sizeof(unit_why) - n, fmt, a, b);
	longjmp(unit_jmp, 1);
}

#define CHECK(cond)                                                           \
	do {                                                                  \
		if (!(cond))                                                  \
			unit_fail(__FILE__, __LINE__, "%s%s", #cond, "");     \
	} while (0)

/* Strings compared exactly; a NULL string never matches. */
#define CHECK_STR(got, want)                                                  \
	do {                                                                  \
		const char *got_ = (got);                                     \
		const char *want_ = (want);                                   \
		if (!got_ || strcmp(got_, want_))                             \
			unit_fail(__FILE__, __LINE__,                         \
				  "got <<%s>>, want <<%s>>",                  \
				  got_ ? got_ : "(null)", want_);             \
	} while (0)

#define CHECK_INT(got, want)                                                  \
	do {                                                                  \
		long long got_ = (got);                                       \
		long long want_ = (want);                                     \
		char why_[64];                                                \
		if (got_ != want_) {                                          \
			snprintf(why_, sizeof(why_), "is %lld, want %lld",    \
				 got_, want_);                                \
			unit_fail(__FILE__, __LINE__, "%s %s", #got, why_);   \
		}                                                             \
	} while (0)

/* @why as TAP diagnostics: every line of it behind "# " */
static inline void unit_diag(const char *why)
{
	fputs("# ", stdout);
	for (; *why; why++) {
		putchar(*why);
		if (*why == '\n')
			fputs("# ", stdout);
	}
	putchar('\n');
}

static inline int unit_main(const char *prog, const struct unit_test *tests,
			    size_t n)
{
	/* static: locals changed after setjmp() are lost by longjmp() */
	static size_t i;
	static int failed;

	for (i = 0; i < n; i++) {
		if (setjmp(unit_jmp)) {
			printf("not ok - %s: %s\n", prog, tests[i].name);
			unit_diag(unit_why);
			failed++;
			continue;
		}
		tests[i].fn();
		printf("ok - %s: %s\n", prog, tests[i].name);
	}
	fflush(stdout);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Test vectors: @hex into @out (abort if longer than @max); its length. */
static inline size_t unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = strlen(hex) / 2;
	size_t i;

	if (n > max)
		abort();
	for (i = 0; i < n; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			abort();
		out[i] = b;
	}
	return n;
}

/* @p as hex, in one of two alternating static buffers (two per printf). */
static inline const char *tohex(const uint8_t *p, size_t n)
{
	static char buf[2][1024];
	static int which;
	char *s = buf[which ^= 1];
	size_t i;

	for (i = 0; i < n && 2 * i + 2 < sizeof(buf[0]); i++)
		sprintf(s + 2 * i, "%02x", p[i]);
	s[2 * i] = '\0';
	return s;
}

#endif /* PIZWG_UNIT_H */
