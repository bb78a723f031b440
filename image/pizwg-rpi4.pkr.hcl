# SPDX-License-Identifier: GPL-2.0-only
#
# The PiZWG image for a Raspberry Pi 4: Arch Linux ARM (aarch64, linux-rpi)
# with pizwg-dkms, pizwg, dkms, linux-rpi-headers and
# prometheus-node-exporter, built with packer-builder-arm (qemu-user in a
# chroot; no Pi needed). From the top of the repository:
#
#   make dist        # build/pizwg-VERSION.tar.gz: `git archive` of HEAD
#   docker run --rm --privileged -v /dev:/dev -v "$PWD":/build \
#       mkaczanowski/packer-builder-arm build image/pizwg-rpi4.pkr.hcl
#
# The image is built from the tarball alone: it is unpacked in the chroot,
# the two Arch packages are built there from dkms/PKGBUILD-*, and the
# provisioning scripts run from it (image/scripts/, in order). So the image
# holds exactly the committed tree that `make dist` archived.
#
# On the card: drop a file `authorized_keys` (OpenSSH public keys) on the
# FAT boot partition before the first boot. The first boot makes the SSH
# host keys and moves that file to root's ~/.ssh/authorized_keys (it is
# deleted from the card). There is no password login over SSH at all, and
# no `alarm` user. The root file system is read-only (`rw` / `ro` switch).

variable "version" {
  type        = string
  default     = "0.1.0"
  description = "PiZWG version: the Makefile's VERSION, naming the dist tarball"
}

variable "image_path" {
  type    = string
  default = "pizwg-rpi4.img"
}

variable "alarm_url" {
  type        = string
  default     = "http://os.archlinuxarm.org/os/ArchLinuxARM-rpi-aarch64-latest.tar.gz"
  description = "Arch Linux ARM root file system tarball for the Raspberry Pi (aarch64)"
}

source "arm" "rpi4" {
  file_urls             = [var.alarm_url]
  file_checksum_url     = "${var.alarm_url}.md5"
  file_checksum_type    = "md5"
  file_target_extension = "tar.gz"
  file_unarchive_cmd    = ["bsdtar", "-xpf", "$ARCHIVE_PATH", "-C", "$MOUNTPOINT"]
  image_build_method    = "new"
  image_path            = var.image_path
  # Room for the kernel headers and the compiler DKMS needs on the host.
  image_size = "4G"
  image_type = "dos"
  # The Pi's firmware reads the first (FAT) partition: kernel, config.txt,
  # cmdline.txt, and the user's authorized_keys for the first boot.
  image_partitions {
    name         = "boot"
    type         = "c"
    start_sector = "2048"
    filesystem   = "vfat"
    size         = "256M"
    mountpoint   = "/boot"
  }
  image_partitions {
    name         = "root"
    type         = "83"
    start_sector = "526336"
    filesystem   = "ext4"
    size         = "0"
    mountpoint   = "/"
  }
  image_chroot_env             = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin"]
  qemu_binary_source_path      = "/usr/bin/qemu-aarch64-static"
  qemu_binary_destination_path = "/usr/bin/qemu-aarch64-static"
}

build {
  sources = ["source.arm.rpi4"]

  provisioner "file" {
    source      = "${path.root}/../build/pizwg-${var.version}.tar.gz"
    destination = "/tmp/pizwg.tar.gz"
  }

  provisioner "shell" {
    inline = [
      "mkdir -p /tmp/pizwg",
      "bsdtar -xf /tmp/pizwg.tar.gz -C /tmp/pizwg",
    ]
  }

  # Each script sources image/scripts/lib.sh next to it and stops the build
  # at its first failure.
  provisioner "shell" {
    environment_vars = [
      "PIZWG_SRC=/tmp/pizwg/pizwg-${var.version}",
      "PIZWG_TARBALL=/tmp/pizwg.tar.gz",
    ]
    inline = [
      "/tmp/pizwg/pizwg-${var.version}/image/scripts/10-system.sh",
      "/tmp/pizwg/pizwg-${var.version}/image/scripts/20-pizwg.sh",
      "/tmp/pizwg/pizwg-${var.version}/image/scripts/30-host.sh",
      "/tmp/pizwg/pizwg-${var.version}/image/scripts/90-read-only.sh",
    ]
  }

  provisioner "shell" {
    inline = [
      "rm -rf /tmp/pizwg /tmp/pizwg.tar.gz",
    ]
  }
}
