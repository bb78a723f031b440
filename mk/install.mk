# SPDX-License-Identifier: GPL-2.0-only
# make install DESTDIR=...: the programs found in $(BUILD)/bin (run make
# first), the uapi header, and the DKMS source tree of pizwg.ko.
DKMS_SRC := $(DESTDIR)/usr/src/pizwg-$(VERSION)

install:
	install -d $(DESTDIR)/usr/bin $(DKMS_SRC)/kmod/uapi
	$(if $(wildcard $(BUILD)/bin/*),install -m 0755 $(wildcard $(BUILD)/bin/*) $(DESTDIR)/usr/bin/)
	install -D -m 0644 kmod/uapi/pizwg.h $(DESTDIR)/usr/include/linux/pizwg.h
	install -m 0644 Kbuild $(DKMS_SRC)/Kbuild
	install -m 0644 dkms/Makefile $(DKMS_SRC)/Makefile
	install -m 0644 $(wildcard kmod/*.c kmod/*.h) $(DKMS_SRC)/kmod/
	install -m 0644 kmod/uapi/pizwg.h $(DKMS_SRC)/kmod/uapi/
	sed 's/@VERSION@/$(VERSION)/' dkms/dkms.conf >$(DKMS_SRC)/dkms.conf.tmp
	mv $(DKMS_SRC)/dkms.conf.tmp $(DKMS_SRC)/dkms.conf
