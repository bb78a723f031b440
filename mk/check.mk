# make check: install missing Debian packages, build everything the tests
# need, then run every test step (tests/check) and print the tally.
# make check-full: the same, plus the slow legs (tests/check --full); the
# steps, their time budgets and which target runs each are in tests/budget.
KSRC := $(BUILD)/linux-source
KSRC_TARBALL := /usr/src/linux-source-6.12.tar.xz
KSELFTEST := $(BUILD)/tests/pizwg_test

.PHONY: check check-full check-build kselftest
check:
	tests/deps
	$(MAKE) --no-print-directory check-build
	tests/check

check-full:
	tests/deps
	$(MAKE) --no-print-directory check-build
	tests/check --full

check-build: all userspace-asan kselftest

$(KSRC)/.stamp: $(KSRC_TARBALL) tests/lint/ksrc
	tests/lint/ksrc $< $(KSRC)
	touch $@

kselftest: $(KSELFTEST)

# -Wall as the kernel's own selftests: kselftest_harness.h is not -Wextra clean.
$(KSELFTEST): tests/kselftest/pizwg_test.c tests/kselftest/nl.c tests/kselftest/nl.h kmod/uapi/pizwg.h $(KSRC)/.stamp
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -Wall -Werror -D_GNU_SOURCE \
		-I$(KSRC)/tools/testing/selftests -Ikmod/uapi \
		-o $@ tests/kselftest/pizwg_test.c tests/kselftest/nl.c

# make demo: the whole system on simulated hardware, in the VM: two hosts,
# VRRP, a client, a disconnect and a kill (tests/ha/demo). make demo-module:
# the module alone, told with pizwgctl (tests/vm/demo).
# demo-build is every program the demo runs: the release build and the
# module (all), and the sanitizer builds of pizwgd and pizwgctl that the
# test libraries run (tests/ha/test-demo-build checks that it stays so).
.PHONY: demo demo-module demo-build
demo:
	tests/deps
	$(MAKE) --no-print-directory demo-build
	tests/vm/run --kernel 6.12 --timeout 600 -- tests/ha/demo

demo-build: all userspace-asan

demo-module:
	tests/deps
	$(MAKE) --no-print-directory all
	tests/vm/run --kernel 6.12 -- tests/vm/demo
