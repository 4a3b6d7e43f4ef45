# fieldbook build.  Layers (DESIGN section 1), written into the flags:
#   core/  SQLite, zlib, libsodium  -> $(BUILD)/libfbcore.a  (no curses, no libgit2)
#   sync/  libgit2 + core           -> $(BUILD)/libfbsync.a  (no curses)
#   tui/   ncursesw, libxlsxwriter + sync + core -> $(BUILD)/fieldbook (command line and TUI)
# Core unit tests link against libfbcore.a with SQLite and zlib only, so a core file that
# used curses or libgit2 would fail to link; tests/lint-layers greps the includes too.

VERSION    = 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
LOCALEDIR ?= $(PREFIX)/share/locale
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
BUILD     ?= build
CC        ?= cc
CFLAGS    ?= -O2 -g
# Warnings are errors in a developer checkout and in CI, never in a user's build of a
# release tarball (no .git there).  `make WERROR=` turns them off.
WERROR    ?= $(if $(wildcard .git),-Werror)
SAN       ?=
# `make V=1` shows the full compiler command lines.
V         ?= 0
Q          = $(if $(filter 1,$(V)),,@)

PKG_CORE = sqlite3 zlib libsodium
PKG_SYNC = libgit2
PKG_TUI  = ncursesw xlsxwriter
# pkg-config name -> Debian package, for the message when one is missing.
DEB_sqlite3 = libsqlite3-dev
DEB_zlib    = zlib1g-dev
DEB_libsodium = libsodium-dev
DEB_libgit2 = libgit2-dev
DEB_ncursesw = libncurses-dev
DEB_xlsxwriter = libxlsxwriter-dev

pc = $(shell pkg-config $(1) 2>/dev/null)
# Our feature macros are set here, once; pkg-config's copies (ncursesw adds
# -D_XOPEN_SOURCE=600) would redefine them under -Werror, so they are filtered out.
nofeat = $(filter-out -D_XOPEN_SOURCE=% -D_DEFAULT_SOURCE -D_GNU_SOURCE -D_POSIX_C_SOURCE=%,$(1))
FEATURES = -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
           -Wno-unused-parameter
FB_CFLAGS = -std=c11 $(FEATURES) $(WARN) $(WERROR) -Iinclude -DFB_VERSION='"$(VERSION)"' \
            -MMD -MP $(SAN)

CORE_CFLAGS = $(FB_CFLAGS) $(call nofeat,$(call pc,--cflags $(PKG_CORE)))
SYNC_CFLAGS = $(CORE_CFLAGS) $(call nofeat,$(call pc,--cflags $(PKG_SYNC)))
TUI_CFLAGS  = $(SYNC_CFLAGS) $(call nofeat,$(call pc,--cflags $(PKG_TUI)))
CORE_LIBS   = $(call pc,--libs $(PKG_CORE)) -lm
SYNC_LIBS   = $(call pc,--libs $(PKG_SYNC))
TUI_LIBS    = $(call pc,--libs $(PKG_TUI))

CORE_SRC = $(sort $(wildcard core/*.c))
SYNC_SRC = $(sort $(wildcard sync/*.c))
TUI_SRC  = $(sort $(wildcard tui/*.c))
CORE_OBJ = $(CORE_SRC:%.c=$(BUILD)/%.o)
SYNC_OBJ = $(SYNC_SRC:%.c=$(BUILD)/%.o)
TUI_OBJ  = $(TUI_SRC:%.c=$(BUILD)/%.o)

# One test file per module: tests/unit/test_<module>.c.  test_sync_* link sync too.
UNIT_SRC  = $(sort $(wildcard tests/unit/test_*.c))
UNIT_CORE = $(filter-out tests/unit/test_sync_%,$(UNIT_SRC))
UNIT_SYNC = $(filter tests/unit/test_sync_%,$(UNIT_SRC))
UNIT_BIN  = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

FUZZ_SRC = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SECONDS ?= 8
FUZZ_LONG_SECONDS ?= 300

MAN_PAGES = $(sort $(wildcard man/*.[0-9]))
MAN_ZH    = $(sort $(wildcard man/zh_CN/*.[0-9]))

# Translations (po/): the catalogue is built next to the program, where it finds it
# (core/i18n.c); `make po` regenerates po/fieldbook.pot and merges it into the .po files.
PO_LANGS  = zh_CN
PO_SRC    = $(sort $(wildcard core/*.c sync/*.c tui/*.c))
MO        = $(PO_LANGS:%=$(BUILD)/locale/%/LC_MESSAGES/fieldbook.mo)
XGETTEXT  = xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ \
            --keyword=fb_error_set:4 --keyword=db_error:2 --add-comments=TRANSLATORS: --add-location=file \
            --sort-by-file --package-name=fieldbook --package-version=$(VERSION) \
            --msgid-bugs-address="the fieldbook maintainers" --foreign-user

.SECONDARY:

.PHONY: po print-xgettext bench man all deps-check deps check unit asan fuzz-build fuzz run install uninstall clean lint-man

all: deps-check $(BUILD)/fieldbook

deps-check:
	@missing=""; for p in $(PKG_CORE) $(PKG_SYNC) $(PKG_TUI); do \
	  pkg-config --exists $$p 2>/dev/null || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  for p in $$missing; do case $$p in \
	    sqlite3) d=$(DEB_sqlite3);; zlib) d=$(DEB_zlib);; libsodium) d=$(DEB_libsodium);; libgit2) d=$(DEB_libgit2);; \
	    ncursesw) d=$(DEB_ncursesw);; xlsxwriter) d=$(DEB_xlsxwriter);; *) d=$$p;; esac; \
	    echo "fieldbook: pkg-config cannot find $$p: install the Debian package $$d" >&2; done; \
	  echo "fieldbook: or run scripts/install-deps (make check and make run do it for you)" >&2; \
	  exit 1; fi

# Installs build and test dependencies when anything is missing (says what it installs).
deps:
	@scripts/install-deps --if-missing

$(BUILD)/core/%.o: core/%.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $@")
	$(Q)$(CC) $(CORE_CFLAGS) $(CFLAGS) -c -o $@ $<
$(BUILD)/sync/%.o: sync/%.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $@")
	$(Q)$(CC) $(SYNC_CFLAGS) $(CFLAGS) -c -o $@ $<
$(BUILD)/tui/%.o: tui/%.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $@")
	$(Q)$(CC) $(TUI_CFLAGS) $(CFLAGS) -c -o $@ $<
$(BUILD)/tests/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $@")
	$(Q)$(CC) $(SYNC_CFLAGS) $(CFLAGS) -Itests/unit -c -o $@ $<

$(BUILD)/libfbcore.a: $(CORE_OBJ)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^
$(BUILD)/libfbsync.a: $(SYNC_OBJ)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(BUILD)/core/i18n.o: CFLAGS += -DFB_LOCALEDIR='"$(LOCALEDIR)"'

$(BUILD)/locale/%/LC_MESSAGES/fieldbook.mo: po/%.po
	@mkdir -p $(@D)
	$(if $(Q),@echo "  MSGFMT  $@")
	$(Q)msgfmt --check -o $@ $<

# tests/po-check runs the same xgettext command to see whether the pot is current.
print-xgettext:
	@echo '$(XGETTEXT)'

po:
	$(XGETTEXT) -o po/fieldbook.pot $(PO_SRC)
	@for l in $(PO_LANGS); do msgmerge --quiet --update --backup=none --no-location \
	  po/$$l.po po/fieldbook.pot || exit 1; done
	@for l in $(PO_LANGS); do printf '%s: ' po/$$l.po; \
	  msgfmt --check --statistics -o /dev/null po/$$l.po; done

# The catalogue is order-only: built with the program, no relink when it changes.
$(BUILD)/fieldbook: $(TUI_OBJ) $(BUILD)/libfbsync.a $(BUILD)/libfbcore.a | $(MO)
	$(if $(Q),@echo "  LINK    $@")
	$(Q)$(CC) $(SAN) $(LDFLAGS) -o $@ $(TUI_OBJ) $(BUILD)/libfbsync.a $(BUILD)/libfbcore.a \
	  $(TUI_LIBS) $(SYNC_LIBS) $(CORE_LIBS)

# Core unit tests: SQLite, zlib and libsodium only (the layering check at link time).
$(UNIT_CORE:tests/unit/%.c=$(BUILD)/tests/%): $(BUILD)/tests/%: $(BUILD)/tests/%.o $(BUILD)/libfbcore.a
	$(Q)$(CC) $(SAN) $(LDFLAGS) -o $@ $< $(BUILD)/libfbcore.a $(CORE_LIBS)
$(UNIT_SYNC:tests/unit/%.c=$(BUILD)/tests/%): $(BUILD)/tests/%: $(BUILD)/tests/%.o $(BUILD)/libfbsync.a $(BUILD)/libfbcore.a
	$(Q)$(CC) $(SAN) $(LDFLAGS) -o $@ $< $(BUILD)/libfbsync.a $(BUILD)/libfbcore.a $(SYNC_LIBS) $(CORE_LIBS)

unit: deps-check $(BUILD)/fieldbook $(UNIT_BIN)

# The same program and unit tests under AddressSanitizer + UndefinedBehaviorSanitizer.
asan:
	@$(MAKE) --no-print-directory BUILD=build/asan \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" unit

# libFuzzer targets (clang): core sources rebuilt with coverage and sanitizers.
FUZZ_CFLAGS = -std=c11 $(FEATURES) -Iinclude -g -O1 -DFB_VERSION='"$(VERSION)"' \
              -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
              $(call nofeat,$(call pc,--cflags $(PKG_CORE)))
build/fuzz/core/%.o: core/%.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  FUZZCC  $@")
	$(Q)clang $(FUZZ_CFLAGS) -c -o $@ $<
build/fuzz/%: tests/fuzz/%.c $(CORE_SRC:%.c=build/fuzz/%.o)
	@mkdir -p $(@D)
	$(Q)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(CORE_LIBS)
fuzz-build: $(FUZZ_BIN)
# Longer fuzzing than make check does: FUZZ_LONG_SECONDS per target.
fuzz: fuzz-build
	@for f in $(FUZZ_BIN); do tests/fuzz-one $$f $(FUZZ_LONG_SECONDS) tests/fuzz/seeds/$${f##*/} \
	  || exit 1; done

check: deps
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory asan
	@$(MAKE) --no-print-directory fuzz-build
	@FB_BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) tests/run

run: deps
	@$(MAKE) --no-print-directory all
	@$(BUILD)/fieldbook

# Benchmarks (not part of check: they build a 1M-record store, ~5 GB, and take minutes).
bench: all
	bench/run --records 1000000
	bench/bench_tui.sh
	bench/bench_sync.sh

# The KEYS section of fieldbook(1) is made from the TUI's action table.
man: $(BUILD)/fieldbook
	@scripts/man-keys $(BUILD)/fieldbook > build/keys.mdoc
	@awk 'FNR == NR { keys = keys $$0 "\n"; next } \
	  /^\.\\" BEGIN KEYS/ { print; printf "%s", keys; skip = 1; next } \
	  /^\.\\" END KEYS/ { skip = 0 } !skip' build/keys.mdoc man/fieldbook.1 > build/fieldbook.1.new
	@mv build/fieldbook.1.new man/fieldbook.1
	@echo "man/fieldbook.1: KEYS section updated"
	@MAN_KEYS_LANGUAGE=zh_CN scripts/man-keys $(BUILD)/fieldbook > build/keys.zh_CN.mdoc
	@awk 'FNR == NR { keys = keys $$0 "\n"; next } \
	  /^\.\\" BEGIN KEYS/ { print; printf "%s", keys; skip = 1; next } \
	  /^\.\\" END KEYS/ { skip = 0 } !skip' build/keys.zh_CN.mdoc man/zh_CN/fieldbook.1 > build/fieldbook.zh_CN.1.new
	@mv build/fieldbook.zh_CN.1.new man/zh_CN/fieldbook.1
	@echo "man/zh_CN/fieldbook.1: KEYS section updated (in Chinese)"

lint-man:
	mandoc -Tlint -W warning $(MAN_PAGES)

install: all
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(BUILD)/fieldbook $(DESTDIR)$(BINDIR)/fieldbook
	@for m in $(MAN_PAGES); do s=$${m##*.}; \
	  echo install -d $(DESTDIR)$(MANDIR)/man$$s; install -d $(DESTDIR)$(MANDIR)/man$$s; \
	  echo install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; \
	  install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; done
	@for m in $(MAN_ZH); do s=$${m##*.}; \
	  echo install -d $(DESTDIR)$(MANDIR)/zh_CN/man$$s; install -d $(DESTDIR)$(MANDIR)/zh_CN/man$$s; \
	  echo install -m 644 $$m $(DESTDIR)$(MANDIR)/zh_CN/man$$s/; \
	  install -m 644 $$m $(DESTDIR)$(MANDIR)/zh_CN/man$$s/ || exit 1; done
	@for l in $(PO_LANGS); do d=$(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES; \
	  echo install -d $$d; install -d $$d; \
	  echo install -m 644 $(BUILD)/locale/$$l/LC_MESSAGES/fieldbook.mo $$d/; \
	  install -m 644 $(BUILD)/locale/$$l/LC_MESSAGES/fieldbook.mo $$d/ || exit 1; done
	install -d $(DESTDIR)$(COMPLETIONDIR)
	install -m 644 completion/fieldbook.bash $(DESTDIR)$(COMPLETIONDIR)/fieldbook

# Removes exactly the files install put there (directories such as $(PREFIX)/bin are
# shared with other programs and stay).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/fieldbook
	@for m in $(MAN_PAGES); do s=$${m##*.}; b=$${m##*/}; \
	  echo rm -f $(DESTDIR)$(MANDIR)/man$$s/$$b; rm -f $(DESTDIR)$(MANDIR)/man$$s/$$b; done
	@for m in $(MAN_ZH); do s=$${m##*.}; b=$${m##*/}; \
	  echo rm -f $(DESTDIR)$(MANDIR)/zh_CN/man$$s/$$b; rm -f $(DESTDIR)$(MANDIR)/zh_CN/man$$s/$$b; done
	@for l in $(PO_LANGS); do \
	  echo rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/fieldbook.mo; \
	  rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/fieldbook.mo; done
	rm -f $(DESTDIR)$(COMPLETIONDIR)/fieldbook

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
