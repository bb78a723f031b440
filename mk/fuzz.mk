# SPDX-License-Identifier: GPL-2.0-only
#
# libFuzzer harnesses (tests/fuzz) of the parsers that read what others
# wrote: VRRP adverts, pizwgd.conf, kernel uevents, the module's netlink
# replies and notifications. Built with clang and ASan + UBSan.
#   make fuzz-build   $(BUILD)/fuzz/bin/fuzz_*
#   make fuzz         each harness for FUZZ_SECONDS (default 300) from seed
#                     FUZZ_SEED (default 0: a new one each run), its corpus
#                     kept under $(BUILD)/fuzz across runs
# `make check` runs each for 20 s from seed 1 (tests/fuzz/run, step fuzz).

FUZZ_CC := clang
FUZZ_SECONDS ?= 300
FUZZ_SEED ?= 0
FUZZ_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O1 -g -D_GNU_SOURCE \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_CPPFLAGS := -Ikmod/uapi -Iuserspace/lib -Iuserspace/pizwgd -Itests/fuzz
FUZZ_BIN := $(BUILD)/fuzz/bin
FUZZ_BINS := $(patsubst %,$(FUZZ_BIN)/fuzz_%,vrrp config uevent genl)
FUZZ_HDRS := $(wildcard tests/fuzz/*.h userspace/pizwgd/*.h userspace/lib/*.h \
	kmod/uapi/*.h)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	tests/fuzz/run --seconds $(FUZZ_SECONDS) --seed $(FUZZ_SEED) --keep

# One program per harness, built with the sources of the parser it feeds
# (.SECONDEXPANSION is on: mk/userspace.mk).
FUZZ_SRCS_vrrp := userspace/pizwgd/vrrp_packet.c
FUZZ_SRCS_uevent := userspace/pizwgd/uevent.c
FUZZ_SRCS_config := userspace/pizwgd/config.c
FUZZ_LIBS_config := $(shell pkg-config --libs inih)
# fuzz_genl includes pizwg_genl.c to reach its internals (and needs its -I)
FUZZ_LIBS_genl := $(shell pkg-config --cflags --libs libnl-genl-3.0)
$(FUZZ_BIN)/fuzz_genl: userspace/lib/pizwg_genl.c

$(FUZZ_BIN)/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_SRCS_$$*) $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRCS_$*) \
		$(FUZZ_LIBS_$*)
