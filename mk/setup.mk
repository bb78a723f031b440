# SPDX-License-Identifier: GPL-2.0-only
#
# pizwg-setup and pizwg-restore: bash scripts, copied to $(BUILD)/bin (part of
# `make`), installed from there by `make install`. Their test is
# tests/setup/test-setup.
SETUP_SCRIPTS := $(BUILD)/bin/pizwg-setup $(BUILD)/bin/pizwg-restore

.PHONY: setup-scripts
all: setup-scripts
setup-scripts: $(SETUP_SCRIPTS)

$(SETUP_SCRIPTS): $(BUILD)/bin/%: userspace/%
	install -D -m 0755 $< $@
