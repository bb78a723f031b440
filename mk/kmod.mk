# pizwg.ko, once per installed kernel headers tree. KMOD_KDIR=DIR builds
# one against another build tree (tests/vm/debug-leg: the debug kernel).
KMOD_SRCS := Kbuild $(wildcard kmod/*.c kmod/*.h kmod/uapi/*.h)
KMOD_TARGETS := $(foreach k,$(KVERS),$(BUILD)/kmod/$(k)/pizwg.ko)

all: $(KMOD_TARGETS)

$(BUILD)/kmod/%/pizwg.ko: $(KMOD_SRCS)
	@mkdir -p $(@D)/kmod/uapi
	cp Kbuild $(@D)/
	cp kmod/*.c kmod/*.h $(@D)/kmod/
	cp kmod/uapi/*.h $(@D)/kmod/uapi/
	$(MAKE) -C $(or $(KMOD_KDIR),/lib/modules/$*/build) M=$(abspath $(@D)) W=1 PIZWG_EXTRA_CFLAGS=-Werror modules

.PHONY: modules
modules: $(KMOD_TARGETS)
