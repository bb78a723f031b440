# SPDX-License-Identifier: GPL-2.0-only
#
# pizwgd, its unit tests (config, HKDF, kTLS) and the kTLS probe.
#   make pizwgd           $(BUILD)/bin/pizwgd and $(BUILD)/asan/bin/pizwgd
#   make unit             runs test_config, test_hkdf and test_ktls too
#   $(BUILD)/tests/ktls-probe   a TLS 1.3 loopback session through TLS_RX,
#                         printing TAP; needs the tls module, e.g. in the VM:
#                         tests/vm/run -- sh -c 'modprobe tls && build/tests/ktls-probe'

PIZWGD_PKGS := libnl-genl-3.0 libssl libcrypto inih libusb-1.0
PIZWGD_PKG_CFLAGS := $(shell pkg-config --cflags $(PIZWGD_PKGS))
PIZWGD_PKG_LIBS := $(shell pkg-config --libs $(PIZWGD_PKGS))

PIZWGD_SRCS := $(wildcard userspace/pizwgd/*.c) $(GENL_SRCS)
PIZWGD_OBJS := $(patsubst %.c,$(US_OBJ)/%.o,$(PIZWGD_SRCS))
PIZWGD_AOBJS := $(patsubst %.c,$(US_AOBJ)/%.o,$(PIZWGD_SRCS))
# everything of pizwgd but main(), for the unit tests
PIZWGD_CORE_AOBJS := $(filter-out %/pizwgd/main.o,$(PIZWGD_AOBJS))
KTLS_PROBE := $(BUILD)/tests/ktls-probe

.PHONY: pizwgd
all: pizwgd
userspace-asan: $(BUILD)/asan/bin/pizwgd
pizwgd: $(BUILD)/bin/pizwgd $(BUILD)/asan/bin/pizwgd
check-build: $(KTLS_PROBE)

UNIT_BINS += $(UNIT_DIR)/test_config $(UNIT_DIR)/test_hkdf $(UNIT_DIR)/test_ktls
# the VRRP state machine and advertisement codec (vrrp.c, vrrp_packet.c)
UNIT_BINS += $(UNIT_DIR)/test_vrrp $(UNIT_DIR)/test_vrrp_packet
$(US_AOBJ)/tests/unit/test_vrrp.o $(US_AOBJ)/tests/unit/test_vrrp_packet.o: \
	US_CPPFLAGS += -Iuserspace/pizwgd
-include $(wildcard $(BUILD)/asan/obj/tests/unit/test_vrrp*.d)
# the event loop (loop.c): stale events of a batch, hangups
UNIT_BINS += $(UNIT_DIR)/test_loop
$(US_AOBJ)/tests/unit/test_loop.o: US_CPPFLAGS += -Iuserspace/pizwgd
-include $(wildcard $(BUILD)/asan/obj/tests/unit/test_loop.d)
# sd_notify (sdnotify.c) against notification sockets of its own
UNIT_BINS += $(UNIT_DIR)/test_sdnotify
$(US_AOBJ)/tests/unit/test_sdnotify.o: US_CPPFLAGS += -Iuserspace/pizwgd
-include $(wildcard $(BUILD)/asan/obj/tests/unit/test_sdnotify.d)
# the log queue (logq.c) and log.c on a pipe nobody reads
UNIT_BINS += $(UNIT_DIR)/test_log
$(US_AOBJ)/tests/unit/test_log.o: US_CPPFLAGS += -Iuserspace/pizwgd
-include $(wildcard $(BUILD)/asan/obj/tests/unit/test_log.d)
# the kernel uevent parser of the libusb backend (uevent.c)
UNIT_BINS += $(UNIT_DIR)/test_uevent
$(US_AOBJ)/tests/unit/test_uevent.o: US_CPPFLAGS += -Iuserspace/pizwgd
-include $(wildcard $(BUILD)/asan/obj/tests/unit/test_uevent.d)
# the metrics formatter, writer and certificate expiry (metrics.c)
UNIT_BINS += $(UNIT_DIR)/test_metrics
$(US_AOBJ)/tests/unit/test_metrics.o: US_CPPFLAGS += -Iuserspace/pizwgd
-include $(wildcard $(BUILD)/asan/obj/tests/unit/test_metrics.d)
# a two-gateway metrics file for tests/metrics/test-promtool
METRICS_SAMPLE := $(BUILD)/tests/metrics-sample
check-build: $(METRICS_SAMPLE)
$(US_OBJ)/tests/metrics/metrics-sample.o: US_CPPFLAGS += -Iuserspace/pizwgd
$(METRICS_SAMPLE): $(US_OBJ)/tests/metrics/metrics-sample.o \
		$(US_OBJ)/userspace/pizwgd/metrics.o \
		$(US_OBJ)/userspace/pizwgd/vrrp_packet.o
	@mkdir -p $(@D)
	$(CC) $(US_LDFLAGS) -o $@ $^ $(PIZWGD_PKG_LIBS)
-include $(wildcard $(BUILD)/obj/tests/metrics/*.d)

$(PIZWGD_OBJS) $(PIZWGD_AOBJS) $(US_OBJ)/tests/ktls/ktls-probe.o \
$(patsubst %,$(US_AOBJ)/tests/unit/test_%.o,config hkdf ktls): \
	US_CPPFLAGS += -Iuserspace/pizwgd $(PIZWGD_PKG_CFLAGS)
$(US_OBJ)/userspace/pizwgd/main.o $(US_AOBJ)/userspace/pizwgd/main.o: \
	US_CPPFLAGS += -DPIZWG_VERSION='"$(VERSION)"'
$(US_OBJ)/userspace/pizwgd/main.o $(US_AOBJ)/userspace/pizwgd/main.o: \
	$(US_VERSION_FILE)
# The config test also parses the example config, from wherever it is run,
# and checks key, certificate and program files in a directory under /run:
# pizwgd wants them and every directory above them root's alone, which the
# checkout's own parents need not be (/var/tmp and /tmp are world-writable).
$(US_AOBJ)/tests/unit/test_config.o: \
	US_CPPFLAGS += -DCONFIG_EXAMPLE='"$(CURDIR)/userspace/pizwgd.conf.example"' \
		-DCONFIG_TEST_DIR='"/run/pizwg-unit"'

$(BUILD)/bin/pizwgd: $(PIZWGD_OBJS)
	@mkdir -p $(@D)
	$(CC) $(US_LDFLAGS) -o $@ $^ $(PIZWGD_PKG_LIBS)

$(BUILD)/asan/bin/pizwgd: $(PIZWGD_AOBJS)
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) $(US_SANITIZE) -o $@ $^ $(PIZWGD_PKG_LIBS)

$(UNIT_DIR)/test_%: $(US_AOBJ)/tests/unit/test_%.o $(PIZWGD_CORE_AOBJS)
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) $(US_SANITIZE) -o $@ $^ $(PIZWGD_PKG_LIBS)

# tests/serve/hostile.sh's connection flood, and its yardstick
FLOOD := $(BUILD)/tests/flood
check-build: $(FLOOD)
$(FLOOD): $(US_OBJ)/tests/serve/flood.o
	@mkdir -p $(@D)
	$(CC) $(US_LDFLAGS) -o $@ $^
-include $(wildcard $(BUILD)/obj/tests/serve/*.d)

# tests/ha/hostile.sh's stop of one thread (pizwgd's main thread)
THREAD_STOP := $(BUILD)/tests/thread_stop
check-build: $(THREAD_STOP)
$(THREAD_STOP): $(US_OBJ)/tests/ha/thread_stop.o
	@mkdir -p $(@D)
	$(CC) $(US_LDFLAGS) -o $@ $^
-include $(wildcard $(BUILD)/obj/tests/ha/*.d)

$(KTLS_PROBE): $(US_OBJ)/tests/ktls/ktls-probe.o \
		$(US_OBJ)/userspace/pizwgd/ktls.o $(US_OBJ)/userspace/pizwgd/hkdf.o
	@mkdir -p $(@D)
	$(CC) $(US_LDFLAGS) -o $@ $^ $(PIZWGD_PKG_LIBS)

-include $(wildcard $(BUILD)/obj/userspace/pizwgd/*.d \
	$(BUILD)/asan/obj/userspace/pizwgd/*.d \
	$(BUILD)/obj/tests/ktls/*.d \
	$(patsubst %,$(BUILD)/asan/obj/tests/unit/test_%.d,config hkdf ktls))
