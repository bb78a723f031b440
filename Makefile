# SPDX-License-Identifier: GPL-2.0-only
#
# PiZWG top-level build. The targets a person runs:
#   make            build pizwg.ko for every installed kernel headers tree and
#                   the userspace programs
#   make check      install missing Debian packages, build, run the tests CI runs
#   make check-full make check and the slow legs (tests/budget says which)
#   make demo       run the whole system on simulated hardware in a VM
#   make install    install into $(DESTDIR) (binaries, units, DKMS source tree)
#
# Everything built lands under build/ so the source tree stays clean; the
# module is built in a copy per kernel (build/kmod/<kver>) because Kbuild
# writes its objects next to the sources.

VERSION := 0.1.0
BUILD := build
KVERS ?= $(notdir $(patsubst %/build,%,$(wildcard /lib/modules/*/build)))

.PHONY: all check check-full demo install clean
all:

# One fragment per part of the tree; each adds its targets to `all` and its
# unit tests to UNIT_BINS. mk/userspace.mk comes first: it defines the
# compiler flags and object directories the other fragments build with.
include mk/userspace.mk
include $(filter-out mk/userspace.mk,$(sort $(wildcard mk/*.mk)))

clean:
	rm -rf $(BUILD)
