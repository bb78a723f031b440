# SPDX-License-Identifier: GPL-2.0-only
#
# VRRP's network layer (userspace/pizwgd/vrrp_net.c, part of pizwgd through
# mk/pizwgd.mk's wildcard), its unit test and the keepalived interop driver.
#   $(BUILD)/tests/vrrp-node, $(BUILD)/asan/tests/vrrp-node
#                         one VRRP instance (vrrp.c + vrrp_net.c) in an epoll
#                         loop, for tests/vrrp/test-keepalived
#   make unit             runs test_vrrp_net too

VRRP_NET_PKG_CFLAGS := $(shell pkg-config --cflags libnl-route-3.0)
VRRP_NET_PKG_LIBS := $(shell pkg-config --libs libnl-route-3.0)
# vrrp_net.c adds and removes the VIP with libnl-route-3
PIZWGD_PKG_LIBS += $(VRRP_NET_PKG_LIBS)

VRRP_NODE := $(BUILD)/tests/vrrp-node
VRRP_NODE_ASAN := $(BUILD)/asan/tests/vrrp-node
VRRP_NODE_SRCS := tests/vrrp/vrrp-node.c userspace/pizwgd/vrrp.c \
	userspace/pizwgd/vrrp_packet.c userspace/pizwgd/vrrp_net.c

.PHONY: vrrp-node
vrrp-node: $(VRRP_NODE) $(VRRP_NODE_ASAN)
all: $(VRRP_NODE)
userspace-asan: $(VRRP_NODE_ASAN)
check-build: vrrp-node

UNIT_BINS += $(UNIT_DIR)/test_vrrp_net

$(US_OBJ)/userspace/pizwgd/vrrp_net.o $(US_AOBJ)/userspace/pizwgd/vrrp_net.o \
$(US_OBJ)/tests/vrrp/vrrp-node.o $(US_AOBJ)/tests/vrrp/vrrp-node.o \
$(US_AOBJ)/tests/unit/test_vrrp_net.o: \
	US_CPPFLAGS += -Iuserspace/pizwgd $(VRRP_NET_PKG_CFLAGS)

$(VRRP_NODE): $(patsubst %.c,$(US_OBJ)/%.o,$(VRRP_NODE_SRCS))
	@mkdir -p $(@D)
	$(CC) $(US_LDFLAGS) -o $@ $^ $(VRRP_NET_PKG_LIBS)

$(VRRP_NODE_ASAN): $(patsubst %.c,$(US_AOBJ)/%.o,$(VRRP_NODE_SRCS))
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) $(US_SANITIZE) -o $@ $^ $(VRRP_NET_PKG_LIBS)

-include $(wildcard $(BUILD)/obj/tests/vrrp/*.d $(BUILD)/asan/obj/tests/vrrp/*.d \
	$(BUILD)/asan/obj/tests/unit/test_vrrp_net.d)

# keepalived interop on this host (root; network namespaces, no VM)
.PHONY: check-vrrp
check-vrrp: vrrp-node
	tests/vrrp/test-keepalived.sh
