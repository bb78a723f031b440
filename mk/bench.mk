# SPDX-License-Identifier: GPL-2.0-only
#
# Benchmarks (tests/bench): pizwgd against ser2net and socat, side by side in
# one VM boot, the latency of getting the stick's tty after power-on, and
# failover: pizwgd, keepalived and mixed pairs (tests/bench/failover).
#   make bench        build, run tests/bench/run in the VM (Linux 6.12),
#                     print the table and write it to tests/bench/RESULTS.md
#   make bench-build  only the client programs, $(BUILD)/bench/*
# Not part of `make check`: it measures, it does not pass or fail (it fails
# only when a contender breaks). It takes about 10 minutes on a 2-core machine.

BENCH_DIR := $(BUILD)/bench
BENCH_BINS := $(BENCH_DIR)/relay-client $(BENCH_DIR)/event-latency
BENCH_SSL_CFLAGS := $(shell pkg-config --cflags libssl libcrypto)
BENCH_SSL_LIBS := $(shell pkg-config --libs libssl libcrypto)

.PHONY: bench bench-build
bench-build: $(BENCH_BINS)

bench: all bench-build
	tests/deps
	tests/bench/bench

$(US_OBJ)/tests/bench/relay-client.o: US_CPPFLAGS += $(BENCH_SSL_CFLAGS)
$(US_OBJ)/tests/bench/event-latency.o: US_CPPFLAGS += -Iuserspace/pizwgd

$(BENCH_DIR)/relay-client: $(US_OBJ)/tests/bench/relay-client.o
	@mkdir -p $(@D)
	$(CC) $(US_LDFLAGS) -o $@ $^ $(BENCH_SSL_LIBS)

# pizwgd's own serial_open() and the netlink library pizwgd uses.
$(BENCH_DIR)/event-latency: $(US_OBJ)/tests/bench/event-latency.o \
		$(US_OBJ)/userspace/pizwgd/serial.o \
		$(patsubst %.c,$(US_OBJ)/%.o,$(GENL_SRCS))
	@mkdir -p $(@D)
	$(CC) $(US_LDFLAGS) -o $@ $^ $(US_PKG_LIBS)

-include $(wildcard $(BUILD)/obj/tests/bench/*.d)
