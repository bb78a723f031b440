# SPDX-License-Identifier: GPL-2.0-only
# make install DESTDIR=...: everything a host needs, in the two halves the
# Arch packages split between them (dkms/PKGBUILD-*):
#   install-userspace  the programs (make programs, part of `make`; the test
#                      tools of $(BUILD)/bin are not installed), ro and rw,
#                      the uapi header, pizwgd.service with its ExecStopPost
#                      helper, modules-load.d/pizwg.conf (cdc_acm, tls),
#                      the man pages and /etc/pizwg/pizwgd.conf.example
#   install-dkms       the DKMS source tree of pizwg.ko, and
#                      modules-load.d/pizwg-dkms.conf (pizwg)
DKMS_SRC := $(DESTDIR)/usr/src/pizwg-$(VERSION)
PROGRAMS := pizwgd pizwgctl pizwg-setup pizwg-restore
MAN8 := man/pizwgd.8 man/pizwgctl.8
MAN5 := man/pizwgd.conf.5

.PHONY: programs install-userspace install-dkms
programs: $(addprefix $(BUILD)/bin/,$(PROGRAMS))

install: install-userspace install-dkms

install-userspace:
	install -d $(DESTDIR)/usr/bin $(DESTDIR)/usr/lib/pizwg \
		$(DESTDIR)/usr/share/man/man8 $(DESTDIR)/usr/share/man/man5
	install -m 0755 $(addprefix $(BUILD)/bin/,$(PROGRAMS)) userspace/ro \
		userspace/rw $(DESTDIR)/usr/bin/
	install -m 0755 userspace/pizwgd-stop-post $(DESTDIR)/usr/lib/pizwg/
	install -D -m 0644 kmod/uapi/pizwg.h $(DESTDIR)/usr/include/linux/pizwg.h
	install -D -m 0644 image/systemd/pizwgd.service \
		$(DESTDIR)/usr/lib/systemd/system/pizwgd.service
	install -D -m 0644 image/systemd/modules-load.d/pizwg.conf \
		$(DESTDIR)/usr/lib/modules-load.d/pizwg.conf
	install -m 0644 $(MAN8) $(DESTDIR)/usr/share/man/man8/
	install -m 0644 $(MAN5) $(DESTDIR)/usr/share/man/man5/
	install -D -m 0644 userspace/pizwgd.conf.example \
		$(DESTDIR)/etc/pizwg/pizwgd.conf.example

install-dkms:
	install -d $(DKMS_SRC)/kmod/uapi
	install -m 0644 Kbuild $(DKMS_SRC)/Kbuild
	install -m 0644 dkms/Makefile $(DKMS_SRC)/Makefile
	install -m 0644 $(wildcard kmod/*.c kmod/*.h) $(DKMS_SRC)/kmod/
	install -m 0644 kmod/uapi/pizwg.h $(DKMS_SRC)/kmod/uapi/
	sed 's/@VERSION@/$(VERSION)/' dkms/dkms.conf >$(DKMS_SRC)/dkms.conf.tmp
	mv $(DKMS_SRC)/dkms.conf.tmp $(DKMS_SRC)/dkms.conf
	install -D -m 0644 dkms/modules-load.d/pizwg-dkms.conf \
		$(DESTDIR)/usr/lib/modules-load.d/pizwg-dkms.conf
