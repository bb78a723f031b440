# SPDX-License-Identifier: GPL-2.0-only
# make dist: $(BUILD)/pizwg-$(VERSION).tar.gz, a `git archive` of
# $(DIST_REF) (HEAD: the committed tree, not uncommitted changes) under
# pizwg-$(VERSION)/, the source of the Arch packages and of the image
# (image/pizwg-rpi4.pkr.hcl). Also $(BUILD)/arch/pizwg-dkms/ and
# $(BUILD)/arch/pizwg/, each with its PKGBUILD (from dkms/PKGBUILD-*, with
# the tarball's sha256sum) and the tarball: `makepkg` there builds the
# package.
DIST_REF ?= HEAD
DIST_TARBALL := $(BUILD)/pizwg-$(VERSION).tar.gz
DIST_PKGBUILDS := pizwg-dkms pizwg

.PHONY: dist
dist:
	@mkdir -p $(BUILD)
	git archive --format=tar.gz --prefix=pizwg-$(VERSION)/ \
		-o $(DIST_TARBALL).tmp $(DIST_REF)
	mv $(DIST_TARBALL).tmp $(DIST_TARBALL)
	sum=$$(sha256sum <$(DIST_TARBALL) | cut -d' ' -f1) && \
	for p in $(DIST_PKGBUILDS); do \
		mkdir -p $(BUILD)/arch/$$p && \
		cp $(DIST_TARBALL) $(BUILD)/arch/$$p/ && \
		sed "s/^sha256sums=('SKIP')$$/sha256sums=('$$sum')/" \
			dkms/PKGBUILD-$$p >$(BUILD)/arch/$$p/PKGBUILD || exit 1; \
	done
