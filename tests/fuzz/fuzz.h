/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the libFuzzer harnesses of tests/fuzz share. Each harness feeds one
 * parser the fuzzer's bytes as the parser would get them from the wire or a
 * file, and checks what the parser's header promises about its output; a
 * broken promise aborts with the condition, which libFuzzer reports as a
 * crash and saves the input. The sanitizers catch the rest.
 */
#ifndef PIZWG_FUZZ_H
#define PIZWG_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)                                                      \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: broken promise: %s\n",        \
				__FILE__, __LINE__, #cond);                   \
			abort();                                              \
		}                                                             \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
