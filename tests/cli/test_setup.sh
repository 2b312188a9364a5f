#!/bin/sh
# test_setup.sh: what a person who only wants the tool meets: plain `make`
# needs the build's Debian packages only (no Slurm, munge, umoci, cmocka or
# chromium: those are `make test`'s), and options given before the command
# are read as the command's.
. "$(dirname "$0")/lib.sh"
sh scripts/install-deps.sh --print >"$TMP/build"
sh scripts/install-deps.sh --test --print >"$TMP/test"
for p in slurmctld slurmd slurm-client munge umoci libcmocka-dev chromium gnuplot-nox; do
    grep -qx "$p" "$TMP/build" && bad "make needs the test package $p" || ok
    grep -qx "$p" "$TMP/test" && ok || bad "make test does not install $p"
done
for p in build-essential pkg-config libsqlite3-dev libcjson-dev zlib1g-dev; do
    grep -qx "$p" "$TMP/build" && ok || bad "make does not install the build package $p"
done
# Every header the library and the binary include comes from a build
# package: cmocka only in tests/.
grep -l 'cmocka' policy/*.c traces/*.c sim/*.c store/*.c lab/*.c aws/*.c plot/*.c \
    deploy/*.c cli/*.c >/dev/null 2>&1 && bad "cmocka outside tests/" || ok
grep -q '^$(BUILD)/tests/unit/%: .*| $(TEST_DEPS_OK)' Makefile && ok ||
    bad "the unit tests do not ask for the test packages"
grep -q '^test: $(TEST_DEPS_OK)' Makefile && ok || bad "make test does not install its packages"

# Options before the command.
"$SB" sweep traces/scenarios/seed-week/scenario.json --policy guarded --grid confirm=1,2 \
    --db "$TMP/s.db" --quiet >/dev/null
run "$SB" --db "$TMP/s.db" ls --json
expect_rc "--db before ls" 0
expect_out "--db before ls" '"policy":"guarded"'
run "$SB" --nosuch ls
expect_rc "an unknown option before the command" 2
expect_err "an unknown option before the command" "--nosuch"
finish
