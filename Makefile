# uevt: user_events-style remote-write tracepoints for stock Linux kernels.
#
#   make demo      the main job, in the test VM
#   make check     install what is missing, build everything, lint, run every
#                  test on Debian's 6.1, 6.1-rt, 6.12 and 6.12-rt kernels and
#                  on the debug (KASAN) kernel; ends "N passed, N failed"
#
#   make deps      install missing Debian packages (root)
#   make           build the module for KDIR (default: running kernel) and userspace
#   make module    uevt.ko for KDIR
#   make lint      checkpatch --strict, kernel-doc and sparse
#   make in-tree   build kernel/trace/uevt.o inside linux-source-6.12 (W=1)
#   make vm-run    ARGS='--kernel debug -- cat /proc/version' (see scripts/vm-run --help)
#   make deb       Debian packages in build/deb (uevt-dkms, libuevt1, libuevt-dev,
#                  uevtctl, uevt-compat); apt install ./build/deb/uevt-dkms_*.deb ...
#   make clean

SHELL    := /bin/bash
TOP      := $(CURDIR)
BUILD    := $(TOP)/build
KDIR     ?= /lib/modules/$(shell uname -r)/build
export TOP BUILD

# Resolved lazily: they only exist once `make deps` has run.
DEBIAN_KERNELS := 6.1 6.1-rt 6.12 6.12-rt
DEBUG_KDIR  = $(shell $(TOP)/scripts/build-kernel.sh debug)
SOURCE_TREE = $(shell . $(TOP)/scripts/lib.sh && source_tree)
debian_kdir = /usr/src/linux-headers-$(shell . $(TOP)/scripts/lib.sh && debian_kver $(1))

all: module userspace

deps:
	@$(TOP)/scripts/deps.sh

module:
	$(TOP)/scripts/build-module.sh $(KDIR) $(BUILD)/mod/host
	@echo "built $(BUILD)/mod/host/kernel/trace/uevt.ko"

# The module for each test kernel, in its own directory: build/mod/<kernel>.
$(addprefix module-,$(DEBIAN_KERNELS)): module-%:
	$(TOP)/scripts/build-module.sh $(call debian_kdir,$*) $(BUILD)/mod/$*

module-stock: module-6.12

module-debug:
	$(TOP)/scripts/build-module.sh $(DEBUG_KDIR) $(BUILD)/mod/debug

test-modules: $(addprefix module-,$(DEBIAN_KERNELS)) module-debug

kselftest-headers: $(BUILD)/kselftest/kselftest_harness.h

$(BUILD)/kselftest/kselftest_harness.h:
	mkdir -p $(BUILD)/kselftest
	cp $(SOURCE_TREE)/tools/testing/selftests/kselftest_harness.h \
	   $(SOURCE_TREE)/tools/testing/selftests/kselftest.h $(BUILD)/kselftest/

# The SDK: libuevt.so.1, libuevt.a and uevt.pc in build/sdk, and
# libuevt-compat.so, the LD_PRELOAD library behind tools/uevt-run.
sdk:
	$(MAKE) -C $(TOP)/sdk
	$(MAKE) -C $(TOP)/sdk/compat

# uevtctl in build/tools, the samples in build/samples.
tools:
	$(MAKE) -C $(TOP)/tools/uevtctl

samples: sdk
	$(MAKE) -C $(TOP)/samples

selftests: kselftest-headers sdk
	$(MAKE) -C $(TOP)/selftests

# Host tests (parser unit tests, fuzzer, ABI compatibility); the compat
# check does not build unless uevt.h matches upstream's user_events.h.
host-tests: kselftest-headers sdk
	$(MAKE) -C $(TOP)/selftests/host \
		UPSTREAM_USER_EVENTS=$(SOURCE_TREE)/include/uapi/linux/user_events.h

# The benchmark binary (build/bench/uevt_bench); `make bench` runs it.
bench-bin: sdk
	$(MAKE) -C $(TOP)/bench

# Upstream's user_events selftests and sample, built unchanged from
# linux-source-6.12 (build/upstream; notes/upstream-tests.md).
upstream-tests:
	@$(TOP)/scripts/build-upstream-tests.sh

userspace: sdk tools samples selftests host-tests bench-bin upstream-tests

# Tools, SDK headers and libraries, pkg-config file and man pages.
# PREFIX (default /usr/local) and DESTDIR as usual; the module is built
# and loaded separately (see README).  libuevt-compat.so goes to
# PREFIX/lib/uevt/, a directory of its own: it is only ever preloaded (by
# uevt-run, which finds it relative to itself), never linked against.
PREFIX  ?= /usr/local
DESTDIR ?=
install: sdk tools
	$(MAKE) -C $(TOP)/sdk PREFIX=$(PREFIX) $(BUILD)/sdk/uevt.pc -B
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/lib/uevt \
		$(DESTDIR)$(PREFIX)/include/linux $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man3 \
		$(DESTDIR)$(PREFIX)/share/man/man7 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(BUILD)/tools/uevtctl $(DESTDIR)$(PREFIX)/bin/
	install -m 0755 $(TOP)/tools/uevt-run $(DESTDIR)$(PREFIX)/bin/
	install -m 0755 $(BUILD)/sdk/libuevt-compat.so $(DESTDIR)$(PREFIX)/lib/uevt/
	install -m 0644 $(TOP)/sdk/include/uevt.h $(DESTDIR)$(PREFIX)/include/
	install -m 0644 $(TOP)/include/uapi/linux/uevt.h $(DESTDIR)$(PREFIX)/include/linux/
	install -m 0755 $(BUILD)/sdk/libuevt.so.1 $(DESTDIR)$(PREFIX)/lib/
	ln -sf libuevt.so.1 $(DESTDIR)$(PREFIX)/lib/libuevt.so
	install -m 0644 $(BUILD)/sdk/libuevt.a $(DESTDIR)$(PREFIX)/lib/
	install -m 0644 $(BUILD)/sdk/uevt.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/
	install -m 0644 $(TOP)/doc/man/uevt-run.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 $(TOP)/doc/man/*.3 $(DESTDIR)$(PREFIX)/share/man/man3/
	install -m 0644 $(TOP)/doc/man/uevt.7 $(DESTDIR)$(PREFIX)/share/man/man7/
	install -m 0644 $(TOP)/doc/man/uevtctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/

# Debian packages (debian/): dpkg-buildpackage writes next to the source
# tree, so it builds a copy of it in build/deb/src and the .debs land in
# build/deb.  After a change to the library's exported symbols:
# `make deb-symbols` rewrites debian/libuevt1.symbols from the last build.
deb:
	rm -rf $(BUILD)/deb
	mkdir -p $(BUILD)/deb/src
	tar -C $(TOP) --exclude=./build --exclude=./.git --exclude=./debian/build \
		--exclude=./debian/tmp --exclude=./debian/.debhelper -cf - . | \
		tar -C $(BUILD)/deb/src -xf -
	cd $(BUILD)/deb/src && dpkg-buildpackage -us -uc -b
	@ls $(BUILD)/deb/*.deb

deb-symbols:
	cd $(BUILD)/deb/src && dpkg-gensymbols -plibuevt1 -Pdebian/libuevt1 \
		-v$$(dpkg-parsechangelog -SVersion) -O$(TOP)/debian/libuevt1.symbols.new
	{ sed -n '1p' $(TOP)/debian/libuevt1.symbols.new; \
	  echo '* Build-Depends-Package: libuevt-dev'; \
	  sed -n '2,$$p' $(TOP)/debian/libuevt1.symbols.new | grep -v '^\*'; } \
		>$(TOP)/debian/libuevt1.symbols
	rm $(TOP)/debian/libuevt1.symbols.new

lint:
	@$(TOP)/scripts/lint.sh

# The same sources as in-tree code of linux-source-6.12 (CONFIG_UEVT=m, W=1).
in-tree:
	@$(TOP)/scripts/build-in-tree.sh

check: deps
	@$(MAKE) --no-print-directory test-modules userspace
	@$(TOP)/scripts/check.sh

# Timings, not tests: the perf kernel (built once), one boot, every case;
# build/bench/results.{json,txt} and propagation.{png,svg}.
bench: deps
	@$(MAKE) --no-print-directory sdk bench-bin
	@$(TOP)/scripts/bench.sh

demo: deps
	@$(MAKE) --no-print-directory module-stock sdk tools samples
	@$(TOP)/scripts/demo.sh

vm-run:
	@$(TOP)/scripts/vm-run $(ARGS)

clean:
	rm -rf $(BUILD)

.PHONY: all deps module $(addprefix module-,$(DEBIAN_KERNELS)) module-stock module-debug test-modules kselftest-headers sdk tools samples \
	selftests host-tests bench-bin upstream-tests userspace install deb deb-symbols lint in-tree check bench demo vm-run clean
