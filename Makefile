# netlab: container networking as Lua programs, over netlink.
#
#   make                 build ./netlab
#   make check           install what is missing, build, run every test (also under ASan+UBSan)
#   make demo            build and run a demo topology in a throwaway sandbox
#   make docs            redraw the tutorials' pictures (docs/tutorials/pictures) from the kernel
#   make bench           time big labs against ip and pyroute2, then probe matrices against a ping loop
#                        (bench-quick: N <= 100, probes N = 10; docs/performance.md)
#   make bench-probe     only the probe matrices of star 10, 50, 100 against a loop of ip netns exec ping
#   make install         PREFIX=/usr/local DESTDIR=
#   make SANITIZE=1      build with AddressSanitizer and UBSan (into build-san/)
#   make fuzz            run each libFuzzer harness (fuzz/) for FUZZ_SECONDS (60) from its corpus

VERSION    := 0.1.0
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/netlab
MANDIR     ?= $(PREFIX)/share/man
DESTDIR    ?=

CC         ?= cc
PKG_CONFIG ?= pkg-config
PKGS       := lua5.4 lua5.4-cjson libmnl libnftnl readline libgvc libcgraph

# Lua's own extra warnings (luaconf), on top of -Wall -Wextra.
WARN       := -Wall -Wextra -Wshadow -Wsign-compare -Wundef -Wwrite-strings \
              -Wredundant-decls -Wdisabled-optimization -Wdouble-promotion \
              -Wmissing-declarations -Wstrict-prototypes -Wmissing-prototypes \
              -Wdeclaration-after-statement -Wnested-externs -Wold-style-definition
CFLAGS     ?= -O2 -g
CPPFLAGS   += -D_GNU_SOURCE -DNETLAB_VERSION='"$(VERSION)"' \
              -DNETLAB_DATADIR='"$(DATADIR)"' -I.
ALL_CFLAGS  = -std=c11 $(WARN) $(CFLAGS) -MMD -MP \
              $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LDLIBS     += $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm

ifeq ($(SANITIZE),1)
BUILD      := build-san
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS    += -fsanitize=address,undefined
BIN        := $(BUILD)/netlab
else
BUILD      := build
BIN        := netlab
endif

CORE_SRC   := $(wildcard core/*.c)
BIND_SRC   := $(wildcard bindings/*.c)
REPL_SRC   := $(wildcard repl/*.c)
LUA_SRC    := $(sort $(wildcard bindings/*.lua)) $(sort $(wildcard repl/*.lua)) $(sort $(wildcard lab/*.lua))
MAN_SRC    := $(sort $(wildcard docs/man/*.[0-9]))
SRC        := $(CORE_SRC) $(BIND_SRC) $(REPL_SRC)
OBJ        := $(SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/embedded.o
UNIT_SRC   := $(wildcard tests/unit/*.c)
UNIT_BIN   := $(UNIT_SRC:%.c=$(BUILD)/%)
LIB_OBJ    := $(filter-out $(BUILD)/repl/%,$(OBJ))

.PHONY: all check test unit fuzz fuzz-build deps test-deps demo docs install uninstall clean bench \
	bench-quick bench-probe
all: $(BIN)

$(BIN): $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# The Lua half of each module, the lab engine, the REPL's Lua and netlab.topo are
# compiled into the binary, so ./netlab needs no install.
$(BUILD)/gen/embedded.c: $(LUA_SRC) $(MAN_SRC) tools/embed.sh
	@mkdir -p $(@D)
	sh tools/embed.sh $(LUA_SRC) $(MAN_SRC) > $@

# Strings the bindings take from Lua are refused when they hold a NUL (bindings/bind.h).
$(BUILD)/bindings/%.o: CPPFLAGS += -DNLB_STRICT_STRINGS

$(BUILD)/gen/embedded.o: $(BUILD)/gen/embedded.c
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Wno-missing-variable-declarations -c -o $@ $<

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

unit: $(UNIT_BIN)

# libFuzzer harnesses (fuzz/*.c) over the core, built with clang, ASan and UBSan.
# `make fuzz` runs each for FUZZ_SECONDS from its seed corpus (fuzz/corpus/NAME).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 5
FUZZ_BUILD   := build-fuzz
FUZZ_FLAGS   := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=undefined
FUZZ_NAMES   := $(sort $(basename $(notdir $(wildcard fuzz/*.c))))
FUZZ_BIN     := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_OBJ     := $(CORE_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_PKGS    := libmnl libnftnl

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP \
		$(shell $(PKG_CONFIG) --cflags $(FUZZ_PKGS) 2>/dev/null) -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: fuzz/%.c $(FUZZ_OBJ)
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ \
		$(shell $(PKG_CONFIG) --libs $(FUZZ_PKGS) 2>/dev/null) -lm

fuzz-build: $(FUZZ_BIN)

fuzz:
	@MAKE="$(MAKE)" FUZZ_CC="$(FUZZ_CC)" sh fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

# The Debian packages netlab builds with, installed when missing.
DEB_BUILD  := gcc make pkg-config liblua5.4-dev lua-cjson-dev libmnl-dev libnftnl-dev libreadline-dev \
              libgraphviz-dev
# What the tests use as independent witnesses and traffic: ip, nft, ping, python3, tmux;
# iptables (iptables-nft) and conntrack for the rules tutorials type and what NAT did;
# openssh-client (ssh, ssh-keygen) for the multi-node tests, whose sshd tools/sshd.sh
# unpacks without installing openssh-server (whose post-install would start a daemon).
DEB_TEST   := iproute2 nftables iputils-ping python3 tmux util-linux procps strace man-db groff-base \
              clang iptables conntrack openssh-client

deps:
	@sh tools/deps.sh $(DEB_BUILD) iputils-ping

test-deps:
	@sh tools/deps.sh $(DEB_BUILD) iputils-ping $(DEB_TEST)
	@sh tools/sshd.sh >/dev/null

# check: everything from nothing, in both build modes; the last line counts both.
check: test-deps
	$(MAKE) all unit
	$(MAKE) SANITIZE=1 all unit
	MAKE="$(MAKE)" FUZZ_CC="$(FUZZ_CC)" FUZZ_CHECK_SECONDS=$(FUZZ_CHECK_SECONDS) \
		FUZZ_NAMES="$(FUZZ_NAMES)" sh tests/run.sh ./netlab build build-san

test: all unit
	sh tests/run.sh ./netlab build

demo: deps
	$(MAKE) all
	./netlab run --sandbox scripts/demo.lua

# Each tutorial's script in a sandbox of its own, then `netlab graph` of what it
# built: NAME.dot (which tests/sh/pictures.sh compares) and NAME.svg (the page's).
docs: all
	sh tools/docs.sh ./netlab docs/tutorials/pictures

# The probe matrix is part of make bench (issue 13): star 10, 50, 100.
bench: all
	sh bench/run.sh
	sh bench/probe.sh

bench-quick: all
	sh bench/run.sh --quick
	BENCH_SIZES=10 sh bench/probe.sh

bench-probe: all
	sh bench/probe.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/scripts $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man3
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/netlab
	cp -R scripts/. $(DESTDIR)$(DATADIR)/scripts/
	install -m 644 docs/man/netlab.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 docs/man/*.3 $(DESTDIR)$(MANDIR)/man3/
	@$(MANDB)

# So that apropos and man -k find the pages; a DESTDIR install is staged for a
# package, whose own triggers index it, and a missing man-db is no failure.
MANDB = if [ -z "$(DESTDIR)" ] && command -v mandb >/dev/null 2>&1; then \
		mandb -q "$(MANDIR)" >/dev/null 2>&1 || true; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/netlab $(DESTDIR)$(MANDIR)/man1/netlab.1 \
		$(DESTDIR)$(MANDIR)/man3/netlab-*.3
	rm -rf $(DESTDIR)$(DATADIR)
	@$(MANDB)

clean:
	rm -rf build build-san build-fuzz netlab

-include $(OBJ:.o=.d) $(UNIT_BIN:=.d) $(FUZZ_OBJ:.o=.d)
