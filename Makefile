# MUS for Dovecot: build, install, test, demo.
# See README.md; every target is meant to work as root on Debian 12.

DOVECOT_CONFIG ?= /usr/lib/dovecot/dovecot-config
dovecot_var = $(shell sed -n 's/^$(1)=//p' $(DOVECOT_CONFIG) 2>/dev/null | tr -d "'\"")

DOVECOT_CFLAGS := $(call dovecot_var,DOVECOT_CFLAGS)
DOVECOT_INCLUDE := $(call dovecot_var,LIBDOVECOT_INCLUDE)
DOVECOT_LIBDIR := $(call dovecot_var,dovecot_pkglibdir)
MODULEDIR := $(call dovecot_var,dovecot_moduledir)
DOVEADM_MODULEDIR := $(MODULEDIR)/doveadm
DATADIR ?= /usr/share/dovecot-mus

PKGS := libical ldap libcurl libcjson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) cairo 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
# cairo is for the spider module alone (mus-spider-module.h)
CAIRO_LIBS := $(shell pkg-config --libs cairo 2>/dev/null)

WARNINGS := -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
ALL_CFLAGS := $(DOVECOT_CFLAGS) $(CFLAGS) $(WARNINGS) -fPIC -DHAVE_CONFIG_H \
	$(DOVECOT_INCLUDE) $(PKG_CFLAGS) -Iplugin

# The host-independent core: links into the unit tests with libdovecot
# (lib, lib-mail) only, never with Dovecot's storage libraries.
CORE := mus-settings mus-text mus-idle mus-time mus-holidays mus-schedule mus-freebusy mus-round mus-roster mus-conversation mus-lease mus-sync mus-report mus-filed-plans mus-hr-figures mus-report-html mus-ldap mus-smtp mus-org mus-people mus-cards mus-message mus-itip mus-invitation mus-reason mus-send mus-notice mus-file mus-mailtext mus-reply mus-inbox mus-plan mus-plan-text mus-plan-json mus-plan-request mus-plan-draft mus-plan-entry mus-plan-approval mus-plan-file mus-followup mus-done mus-retention mus-followup-time mus-plan-mail mus-module mus-spider-module mus-competences mus-competence-heatmap mus-level mus-profile mus-competence-form mus-competence-request mus-assessment mus-competence-card mus-competence-figures
CORE_OBJS := $(CORE:%=build/obj/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJS := $(UNIT_SRCS:tests/unit/%.c=build/obj/%.o)

ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined -fno-lto
ASAN_OBJS := $(CORE:%=build/asan/%.o) build/asan/mus-spider.o \
	$(UNIT_SRCS:tests/unit/%.c=build/asan/%.o)
# the spider's test lets go of fontconfig's caches at its end
TEST_LIBS := -L$(DOVECOT_LIBDIR) -Wl,-rpath,$(DOVECOT_LIBDIR) -ldovecot $(PKG_LIBS) $(CAIRO_LIBS) \
	$(shell pkg-config --libs fontconfig 2>/dev/null)

MAIL_PLUGIN := build/lib90_mus_plugin.so
# doveadm's plugin registers the commands and loads the module that has
# them (mus/ next to it) when one is run; that module loads the spider's
# (cairo) when a spider is drawn
DOVEADM_PLUGIN := build/lib10_doveadm_mus_plugin.so
DOVEADM_MODULE := build/mus/libmus-doveadm.so
SPIDER_MODULE := build/mus/libmus-spider.so

.PHONY: all deps install uninstall test unit unit-asan unit-valgrind fuzz fuzz-plan e2e demo demo-down clean

all: $(MAIL_PLUGIN) $(DOVEADM_PLUGIN) $(DOVEADM_MODULE) $(SPIDER_MODULE) build/test-unit

build/obj/%.o: plugin/%.c plugin/*.h | build/obj
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c $< -o $@
build/obj/%.o: tests/unit/%.c tests/unit/*.h plugin/*.h | build/obj
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c $< -o $@
build/asan/%.o: plugin/%.c plugin/*.h | build/asan
	@echo "  CC asan $<"
	@$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -c $< -o $@
build/asan/%.o: tests/unit/%.c tests/unit/*.h plugin/*.h | build/asan
	@echo "  CC asan $<"
	@$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -c $< -o $@
build/obj build/asan:
	mkdir -p $@

# Plugins are linked without -ldovecot: their Dovecot symbols come from
# the process that loads them. The mail plugin is loaded by every mail
# process (imap, lmtp, ...): from the core it takes only the objects its
# delivery hook reaches, and only the libraries those need (no cairo).
build/libmus-core.a: $(CORE_OBJS)
	@echo "  AR      $@"
	@rm -f $@ && $(AR) rcs $@ $^
$(MAIL_PLUGIN): build/obj/mus-plugin.o build/libmus-core.a
	@echo "  LD      $@"
	@$(CC) -shared $(ALL_CFLAGS) -o $@ $^ -Wl,--as-needed $(PKG_LIBS)
$(DOVEADM_PLUGIN): build/obj/doveadm-mus-plugin.o build/obj/mus-module.o
	@echo "  LD      $@"
	@$(CC) -shared $(ALL_CFLAGS) -o $@ $^
$(DOVEADM_MODULE): $(CORE_OBJS) build/obj/doveadm-mus.o
	@echo "  LD      $@"
	@mkdir -p $(dir $@)
	@$(CC) -shared $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS)
$(SPIDER_MODULE): build/obj/mus-spider.o
	@echo "  LD      $@"
	@mkdir -p $(dir $@)
	@$(CC) -shared $(ALL_CFLAGS) -o $@ $^ $(CAIRO_LIBS) -lm

# -rdynamic: the spider linked into the unit tests is the one they draw
# with (mus-spider-module.h)
build/test-unit: $(CORE_OBJS) build/obj/mus-spider.o $(UNIT_OBJS)
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) -rdynamic -o $@ $^ $(TEST_LIBS)
build/test-unit-asan: $(ASAN_OBJS)
	@echo "  LD asan $@"
	@$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -rdynamic -o $@ $^ $(TEST_LIBS)

install: all
	install -d $(DESTDIR)$(MODULEDIR) $(DESTDIR)$(DOVEADM_MODULEDIR) \
		$(DESTDIR)$(DATADIR)/ical-templates $(DESTDIR)$(DATADIR)/ldap-schema
	install -m 0644 $(MAIL_PLUGIN) $(DESTDIR)$(MODULEDIR)/
	install -m 0644 $(DOVEADM_PLUGIN) $(DESTDIR)$(DOVEADM_MODULEDIR)/
	install -d $(DESTDIR)$(DOVEADM_MODULEDIR)/mus
	install -m 0644 $(DOVEADM_MODULE) $(SPIDER_MODULE) $(DESTDIR)$(DOVEADM_MODULEDIR)/mus/
	cp -R ical-templates/. $(DESTDIR)$(DATADIR)/ical-templates/
	install -m 0644 ldap-schema/*.schema ldap-schema/*.ldif $(DESTDIR)$(DATADIR)/ldap-schema/

uninstall:
	rm -f $(DESTDIR)$(MODULEDIR)/$(notdir $(MAIL_PLUGIN)) \
		$(DESTDIR)$(DOVEADM_MODULEDIR)/$(notdir $(DOVEADM_PLUGIN))
	rm -rf $(DESTDIR)$(DOVEADM_MODULEDIR)/mus $(DESTDIR)$(DATADIR)

# Debian packages the build, the tests and the demo need.
deps:
	tests/stack/install-deps

unit: build/test-unit
	build/test-unit
unit-asan: build/test-unit-asan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 build/test-unit-asan

unit-valgrind: build/test-unit
	valgrind -q --error-exitcode=3 --leak-check=full \
		--errors-for-leak-kinds=definite build/test-unit

# libFuzzer comes with clang. Dovecot's CFLAGS carry gcc-only options, so
# the fuzzers have flags of their own. Every parser of outside input has a
# target tests/fuzz/fuzz-<name>.c, linked with the whole core and
# tests/fuzz/mus-fuzz.c (what the targets share); its seeds are
# tests/fuzz/corpus/<name>/ plus the directories FUZZ_SEED_DIRS_<name>, and
# each input that once found a bug is kept in
# tests/data/fuzz-regressions/<name>/.
# `make fuzz` runs every target for FUZZ_SECONDS on a copy of its seeds in
# build/fuzz-corpus/<name>/ (which grows from run to run) and fails if any
# target found something; what it found is left as
# build/fuzz-<name>-crash-*, -leak-*, -timeout-*. `make fuzz-replay` runs
# every target once over its seeds and regressions, without fuzzing.
FUZZ_TARGETS := reply cards freebusy settings round plan competence
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 30
FUZZ_MAX_LEN ?= 262144
# Dovecot's HASH_TABLE() of a const key repeats the const, which clang
# warns about
FUZZ_CFLAGS := -std=gnu99 -g -O1 -Wall -Wextra -Werror -DHAVE_CONFIG_H \
	$(DOVECOT_INCLUDE) $(PKG_CFLAGS) -Iplugin \
	-DMUS_FUZZ_TEMPLATES_DIR='"$(CURDIR)/ical-templates"' \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -Wno-duplicate-decl-specifier
FUZZ_OBJS := $(CORE:%=build/fuzz-obj/%.o)
FUZZ_SEED_DIRS_reply := tests/data/replies tests/data/cards-mail
FUZZ_SEED_DIRS_plan := tests/data/plans
FUZZ_SEED_DIRS_competence := tests/data/competence

build/fuzz-obj/%.o: plugin/%.c plugin/*.h | build/fuzz-obj
	@echo "  CC fuzz $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
build/fuzz-obj:
	mkdir -p $@
build/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/mus-fuzz.[ch] $(FUZZ_OBJS) plugin/*.h
	@echo "  FUZZ    $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< tests/fuzz/mus-fuzz.c \
		$(FUZZ_OBJS) \
		-L$(DOVECOT_LIBDIR) -Wl,-rpath,$(DOVECOT_LIBDIR) -ldovecot $(PKG_LIBS)

# the run and replay rules are patterns, which make never applies to a
# .PHONY target; the binaries and objects are kept between runs
.PHONY: fuzz-replay
.SECONDARY: $(FUZZ_TARGETS:%=build/fuzz-%) $(FUZZ_OBJS)

fuzz:
	$(MAKE) -k $(FUZZ_TARGETS:%=fuzz-run-%)
fuzz-run-%: build/fuzz-%
	mkdir -p build/fuzz-corpus/$*
	cp $(wildcard $(addsuffix /*,tests/fuzz/corpus/$* $(FUZZ_SEED_DIRS_$*))) \
		build/fuzz-corpus/$*/
	build/fuzz-$* -max_total_time=$(FUZZ_SECONDS) -max_len=$(FUZZ_MAX_LEN) \
		-timeout=10 -print_final_stats=1 -artifact_prefix=build/fuzz-$*- \
		build/fuzz-corpus/$*

fuzz-replay: $(FUZZ_TARGETS:%=fuzz-replay-%)
fuzz-replay-%: build/fuzz-%
	build/fuzz-$* -runs=0 -artifact_prefix=build/fuzz-$*-replay- \
		$(wildcard tests/fuzz/corpus/$* \
		tests/data/fuzz-regressions/$*) $(FUZZ_SEED_DIRS_$*)

e2e: install
	tests/e2e/run

test: deps
	$(MAKE) all
	$(MAKE) unit unit-asan unit-valgrind fuzz-replay e2e

demo: deps
	$(MAKE) install
	tests/demo/run

demo-down:
	tests/stack/mus-stack down $${MUS_DEMO_DIR:-/tmp/mus-demo}

clean:
	rm -rf build
