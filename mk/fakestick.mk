# SPDX-License-Identifier: GPL-2.0-only
#
# tests/fakestick: the fake Z-Wave stick the test VM runs on the gadget side
# of each simulated stick, and the host unit test of its Serial API core.
#   make $(BUILD)/bin/fakestick              (part of `make`)
#   make unit                                runs $(UNIT_DIR)/test_fakestick

FAKESTICK_PKG_CFLAGS := $(shell pkg-config --cflags libcrypto)
FAKESTICK_PKG_LIBS := $(shell pkg-config --libs libcrypto)

FAKESTICK_OBJS := $(US_OBJ)/tests/fakestick/fakestick.o \
	$(US_OBJ)/tests/fakestick/zwave.o
FAKESTICK_UNIT_AOBJS := $(US_AOBJ)/tests/unit/test_fakestick.o \
	$(US_AOBJ)/tests/fakestick/zwave.o

.PHONY: fakestick
all: fakestick
fakestick: $(BUILD)/bin/fakestick

UNIT_BINS += $(UNIT_DIR)/test_fakestick

$(US_OBJ)/tests/fakestick/fakestick.o: US_CPPFLAGS += $(FAKESTICK_PKG_CFLAGS)
$(US_AOBJ)/tests/unit/test_fakestick.o: US_CPPFLAGS += -Itests/fakestick

$(BUILD)/bin/fakestick: $(FAKESTICK_OBJS)
	@mkdir -p $(@D)
	$(CC) $(US_LDFLAGS) -o $@ $^ $(FAKESTICK_PKG_LIBS)

$(UNIT_DIR)/test_fakestick: $(FAKESTICK_UNIT_AOBJS)
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) $(US_SANITIZE) -o $@ $^

-include $(wildcard $(BUILD)/obj/tests/fakestick/*.d \
	$(BUILD)/asan/obj/tests/fakestick/*.d \
	$(BUILD)/asan/obj/tests/unit/test_fakestick.d)
