# SPDX-License-Identifier: GPL-2.0-only
#
# Userspace programs and their host unit tests.
#   make userspace        $(BUILD)/bin/*        (part of `make`)
#   make userspace-asan   $(BUILD)/asan/bin/*   (ASan + UBSan)
#   make unit             build every unit test with the sanitizers, run them,
#                         end with "N passed, N failed"; fails on any failure
#
# Objects mirror the source tree under $(BUILD)/obj and $(BUILD)/asan/obj.
# A unit test is one program (tests/unit/unit.h) printing one TAP line per
# case, "ok - ..." or "not ok - ..."; a program that exits non-zero without a
# "not ok" line (a sanitizer report, a crash) counts as one failure. Other
# fragments add theirs with `UNIT_BINS += BINARY` and a link rule. They link
# release programs with $(US_LDFLAGS), sanitizer ones with $(US_CFLAGS)
# $(US_SANITIZE).

US_PKGS := libnl-genl-3.0 json-c inih
US_PKG_CFLAGS := $(shell pkg-config --cflags $(US_PKGS))
US_PKG_LIBS := $(shell pkg-config --libs $(US_PKGS))
# The project's flags, in every build.
US_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE -pthread
US_CPPFLAGS := -Ikmod/uapi -Iuserspace/lib $(US_PKG_CFLAGS)
US_SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

# The release build ($(BUILD)/obj, bin and tests) is hardened: PIE, full
# RELRO, stack protector, _FORTIFY_SOURCE. The CPPFLAGS, CFLAGS and LDFLAGS
# of the environment or the command line (makepkg, dpkg-buildflags) come
# after the project's flags, adding to them. A _FORTIFY_SOURCE of theirs
# replaces ours (a second definition is an error under -Werror); with -O0
# there is none (glibc warns that it needs optimisation). The sanitizer
# build keeps the project's flags alone: the _chk functions bypass ASan's
# interceptors.
US_FORTIFY := $(if $(findstring _FORTIFY_SOURCE,$(CPPFLAGS) $(CFLAGS)),,\
	$(if $(filter -O0,$(CFLAGS)),,-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3))
US_REL_CPPFLAGS := $(US_FORTIFY) $(CPPFLAGS)
US_REL_CFLAGS := $(US_CFLAGS) -fPIE -fstack-protector-strong $(CFLAGS)
US_LDFLAGS := $(US_REL_CFLAGS) -pie -Wl,-z,relro -Wl,-z,now $(LDFLAGS)

US_OBJ := $(BUILD)/obj
US_AOBJ := $(BUILD)/asan/obj

GENL_SRCS := userspace/lib/pizwg_genl.c
# pizwgctl guard reads pizwgd.conf with pizwgd's own parser.
CONF_SRCS := userspace/pizwgd/config.c
PIZWGCTL_SRCS := $(wildcard userspace/pizwgctl/*.c)
# everything of pizwgctl but main(), for the unit tests
PIZWGCTL_CORE_SRCS := $(filter-out %/main.c,$(PIZWGCTL_SRCS)) $(GENL_SRCS) \
	$(CONF_SRCS)

PIZWGCTL_OBJS := $(patsubst %.c,$(US_OBJ)/%.o,$(PIZWGCTL_SRCS) $(GENL_SRCS) \
	$(CONF_SRCS))
PIZWGCTL_AOBJS := $(patsubst %.c,$(US_AOBJ)/%.o,$(PIZWGCTL_SRCS) \
	$(GENL_SRCS) $(CONF_SRCS))
PIZWGCTL_CORE_AOBJS := $(patsubst %.c,$(US_AOBJ)/%.o,$(PIZWGCTL_CORE_SRCS))

.PHONY: userspace userspace-asan unit us-force
all: userspace
userspace: $(BUILD)/bin/pizwgctl
userspace-asan: $(BUILD)/asan/bin/pizwgctl

$(US_OBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(US_CPPFLAGS) $(US_REL_CPPFLAGS) $(US_REL_CFLAGS) -MMD -MP -c -o $@ $<

$(US_AOBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(US_CPPFLAGS) $(US_CFLAGS) $(US_SANITIZE) -MMD -MP -c -o $@ $<

# main.c carries the version; rebuild it when VERSION changes.
US_VERSION_FILE := $(BUILD)/obj/version
$(US_VERSION_FILE): us-force
	@mkdir -p $(@D)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@

PIZWGCTL_MAIN_OBJS := $(US_OBJ)/userspace/pizwgctl/main.o \
	$(US_AOBJ)/userspace/pizwgctl/main.o
$(PIZWGCTL_MAIN_OBJS): US_CPPFLAGS += -DPIZWG_VERSION='"$(VERSION)"'
$(PIZWGCTL_MAIN_OBJS): $(US_VERSION_FILE)

$(BUILD)/bin/pizwgctl: $(PIZWGCTL_OBJS)
	@mkdir -p $(@D)
	$(CC) $(US_LDFLAGS) -o $@ $^ $(US_PKG_LIBS)

$(BUILD)/asan/bin/pizwgctl: $(PIZWGCTL_AOBJS)
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) $(US_SANITIZE) -o $@ $^ $(US_PKG_LIBS)

# Unit tests. test_pizwg_genl includes pizwg_genl.c to reach its internals;
# test_pizwgctl_cmds runs pizwgctl's main() against a test double of it.
UNIT_DIR := $(BUILD)/asan/unit
PIZWGCTL_UNIT_BINS := $(UNIT_DIR)/test_pizwgctl_format \
	$(UNIT_DIR)/test_pizwgctl_args $(UNIT_DIR)/test_pizwgctl_cmds \
	$(UNIT_DIR)/test_pizwg_genl $(UNIT_DIR)/test_pizwgctl_status \
	$(UNIT_DIR)/test_pizwgctl_guard
UNIT_BINS += $(PIZWGCTL_UNIT_BINS)
UNIT_CMDS_AOBJS := $(US_AOBJ)/tests/unit/fake_pizwg_genl.o \
	$(US_AOBJ)/tests/unit/pizwgctl_main.o \
	$(patsubst %.c,$(US_AOBJ)/%.o,$(filter-out %/main.c,$(PIZWGCTL_SRCS)) \
	$(CONF_SRCS))
UNIT_OBJS := \
	$(patsubst $(UNIT_DIR)/%,$(US_AOBJ)/tests/unit/%.o,$(PIZWGCTL_UNIT_BINS)) \
	$(US_AOBJ)/tests/unit/fake_pizwg_genl.o \
	$(US_AOBJ)/tests/unit/pizwgctl_main.o
.SECONDARY: $(UNIT_OBJS)

$(US_AOBJ)/tests/unit/test_pizwgctl_%.o: US_CPPFLAGS += -Iuserspace/pizwgctl

$(UNIT_DIR)/test_pizwgctl_%: $(US_AOBJ)/tests/unit/test_pizwgctl_%.o \
		$(PIZWGCTL_CORE_AOBJS)
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) $(US_SANITIZE) -o $@ $^ $(US_PKG_LIBS)

$(US_AOBJ)/tests/unit/pizwgctl_main.o: userspace/pizwgctl/main.c
	@mkdir -p $(@D)
	$(CC) $(US_CPPFLAGS) $(US_CFLAGS) $(US_SANITIZE) -Dmain=pizwgctl_main \
		-DPIZWG_VERSION='"test"' -MMD -MP -c -o $@ $<

$(UNIT_DIR)/test_pizwgctl_cmds: $(US_AOBJ)/tests/unit/test_pizwgctl_cmds.o \
		$(UNIT_CMDS_AOBJS)
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) $(US_SANITIZE) -o $@ $^ $(US_PKG_LIBS)

$(UNIT_DIR)/test_pizwg_genl: $(US_AOBJ)/tests/unit/test_pizwg_genl.o
	@mkdir -p $(@D)
	$(CC) $(US_CFLAGS) $(US_SANITIZE) -o $@ $^ $(US_PKG_LIBS)

# Second expansion: fragments included after this one add to UNIT_BINS too.
.SECONDEXPANSION:
unit: $$(UNIT_BINS)
	@passed=0; failed=0; \
	for t in $(UNIT_BINS); do \
		out=$$($$t 2>&1); rc=$$?; \
		printf '%s\n' "$$out"; \
		p=$$(printf '%s\n' "$$out" | grep -c '^ok '); \
		f=$$(printf '%s\n' "$$out" | grep -c '^not ok '); \
		if [ $$rc -ne 0 ] && [ $$f -eq 0 ]; then \
			echo "not ok - $${t##*/}: exited with status $$rc"; \
			f=1; \
		fi; \
		passed=$$((passed + p)); failed=$$((failed + f)); \
	done; \
	echo "$$passed passed, $$failed failed"; \
	[ $$failed -eq 0 ]

-include $(patsubst %.o,%.d,$(PIZWGCTL_OBJS) $(PIZWGCTL_AOBJS) $(UNIT_OBJS))
