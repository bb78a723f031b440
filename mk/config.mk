# SPDX-License-Identifier: GPL-2.0-only
#
# pizwgd's configuration module (userspace/pizwgd/config.c, read with
# libinih) and its unit test.
#   make pizwgd-config    the object and $(UNIT_DIR)/test_config
#   make unit             runs $(UNIT_DIR)/test_config with the others
#
# pizwgd links $(CONFIG_OBJS) (or $(CONFIG_AOBJS)) and $(CONFIG_PKG_LIBS).

CONFIG_PKG_CFLAGS := $(shell pkg-config --cflags inih)
CONFIG_PKG_LIBS := $(shell pkg-config --libs inih)

CONFIG_SRCS := userspace/pizwgd/config.c
CONFIG_OBJS := $(patsubst %.c,$(US_OBJ)/%.o,$(CONFIG_SRCS))
CONFIG_AOBJS := $(patsubst %.c,$(US_AOBJ)/%.o,$(CONFIG_SRCS))

.PHONY: pizwgd-config
pizwgd-config: $(CONFIG_OBJS) $(UNIT_DIR)/test_config

UNIT_BINS += $(UNIT_DIR)/test_config

$(CONFIG_OBJS) $(CONFIG_AOBJS) $(US_AOBJ)/tests/unit/test_config.o: \
	US_CPPFLAGS += -Iuserspace/pizwgd $(CONFIG_PKG_CFLAGS)
# The test also parses the example config, from wherever it is run.
$(US_AOBJ)/tests/unit/test_config.o: \
	US_CPPFLAGS += -DCONFIG_EXAMPLE='"$(CURDIR)/userspace/pizwgd.conf.example"'

$(UNIT_DIR)/test_config: $(US_AOBJ)/tests/unit/test_config.o $(CONFIG_AOBJS)
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) $(US_SANITIZE) -o $@ $^ $(CONFIG_PKG_LIBS)

-include $(wildcard $(BUILD)/obj/userspace/pizwgd/config.d \
	$(BUILD)/asan/obj/userspace/pizwgd/config.d \
	$(BUILD)/asan/obj/tests/unit/test_config.d)
