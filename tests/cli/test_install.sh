#!/bin/sh
# test_install.sh: `make install` and `make uninstall` with DESTDIR and
# PREFIX (the binary, the man page built from the docs, the systemd units
# with their paths filled in, sysusers and logrotate files, examples), the
# service's offline `systemd-analyze security` score, and the OCI image
# built from the install tree with umoci (its root file system runs
# `spotbench --version` in an empty chroot). Both the installed binary and
# the image run a live tick, which loads libcurl and libxml2 (opened at run
# time, not linked). Tools that are missing
# (systemd-analyze, umoci, root for chroot) are SKIPPED, visibly.
. tests/cli/lib.sh
MAKE_ARGS="--no-print-directory -s BUILD=$BUILD"

# ---- install into a staging root, default PREFIX (/usr/local) ----
D="$TMP/root"
run make $MAKE_ARGS install DESTDIR="$D"
expect_rc "make install" 0
for f in usr/local/bin/spotbench usr/local/share/man/man1/spotbench.1 \
         usr/local/share/bash-completion/completions/spotbench \
         usr/local/lib/systemd/system/spotbench-live.service \
         usr/local/lib/systemd/system/spotbench-live.timer \
         usr/local/lib/sysusers.d/spotbench.conf etc/logrotate.d/spotbench \
         usr/local/share/doc/spotbench/examples/live.json \
         usr/local/share/doc/spotbench/examples/seed-week/scenario.json; do
    [ -f "$D/$f" ] && ok || bad "install: $f missing"
done
[ -x "$D/usr/local/bin/spotbench" ] && ok || bad "install: binary not executable"
run "$D/usr/local/bin/spotbench" --version
expect_rc "installed binary runs" 0
expect_out "installed binary runs" "spotbench "
# libcurl and libxml2 are not linked but opened when a command first talks
# to AWS (aws/dl.c): the installed binary must find them on the system's
# search path, with an empty environment. Every endpoint is a closed
# loopback port, so the tick fails at connecting: libcurl's own message,
# after both libraries were loaded.
LIVE_ENV="AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=not-a-secret
AWS_EC2_METADATA_DISABLED=true SPOTBENCH_RETRY_SCALE=0"
# expect_live_loaded NAME: the run's answer shows libcurl made the calls.
expect_live_loaded() {
    expect_rc "$1" 1
    expect_err "$1" "GetMetricStatistics TargetCapacity: Failed to connect to 127.0.0.1 port 9"
    grep -q "could not be loaded" "$TMP/err" && bad "$1: $(head -c 300 "$TMP/err")" || ok
}
# shellcheck disable=SC2086
run env -i $LIVE_ENV "$D/usr/local/bin/spotbench" live --once --config tests/fixtures/live-closed-port.json
expect_live_loaded "installed binary: live --once loads libcurl and libxml2"
unit="$D/usr/local/lib/systemd/system/spotbench-live.service"
grep -q "^ExecStart=/usr/local/bin/spotbench live --config /etc/spotbench/live.json --once --apply --record /var/log/spotbench/ticks.jsonl --db /var/lib/spotbench/live.db$" "$unit" \
    && ok || bad "unit: ExecStart paths not filled in: $(grep ExecStart "$unit")"
grep -q "@[A-Z]*@" "$unit" && bad "unit: a placeholder is left: $(grep "@[A-Z]*@" "$unit")" || ok
grep -q "^User=spotbench$" "$unit" && ok || bad "unit: not the dedicated user"
grep -q "^u spotbench " "$D/usr/local/lib/sysusers.d/spotbench.conf" && ok || bad "sysusers: no user line"
grep -q "/var/log/spotbench/\*.jsonl" "$D/etc/logrotate.d/spotbench" && ok || bad "logrotate: not the --record files"
# The man page: roff, and the docs' sections in it.
head -1 "$D/usr/local/share/man/man1/spotbench.1" | grep -q '^\.TH SPOTBENCH 1' && ok || bad "man: no .TH"
for s in "COMMANDS" "DEPLOYING" "NEVER ON THE CAPACITY IT SCALES" "GOING LIVE" "SCENARIO FILE REFERENCE"; do
    grep -qi "^\.S[HS] $s" "$D/usr/local/share/man/man1/spotbench.1" && ok || bad "man: no section $s"
done
if command -v man >/dev/null; then
    out=$(MANWIDTH=80 man -l "$D/usr/local/share/man/man1/spotbench.1" 2>&1)
    echo "$out" | grep -q "spotbench deploy cloudformation" && ok || bad "man: deploy usage not rendered"
else
    echo "SKIPPED: man not installed: the page is not rendered"
fi

# ---- the service's offline security score ----
if command -v systemd-analyze >/dev/null; then
    score=$(systemd-analyze security --offline=true "$unit" 2>/dev/null |
            sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
    echo "info: systemd-analyze security --offline=true: $score"
    [ -n "$score" ] && awk "BEGIN{exit !($score <= 1.5)}" && ok ||
        bad "security: exposure '$score', wanted at most 1.5"
    run systemd-analyze verify "$D/usr/local/lib/systemd/system/spotbench-live.timer"
    grep -q "spotbench-live.timer:.*[Ee]rror\|Unknown" "$TMP/err" && bad "timer: $(cat "$TMP/err")" || ok
else
    echo "SKIPPED: systemd-analyze not installed: the units' score is not checked"
fi

# ---- another PREFIX; uninstall leaves nothing ----
D2="$TMP/root2"
run make $MAKE_ARGS install DESTDIR="$D2" PREFIX=/usr SYSCONFDIR=/etc
expect_rc "make install PREFIX=/usr" 0
[ -x "$D2/usr/bin/spotbench" ] && ok || bad "PREFIX=/usr: no usr/bin/spotbench"
grep -q "^ExecStart=/usr/bin/spotbench " "$D2/usr/lib/systemd/system/spotbench-live.service" \
    && ok || bad "PREFIX=/usr: ExecStart not /usr/bin"
run make $MAKE_ARGS uninstall DESTDIR="$D2" PREFIX=/usr SYSCONFDIR=/etc
expect_rc "make uninstall" 0
left=$(find "$D2" -type f | wc -l)
[ "$left" -eq 0 ] && ok || bad "uninstall left $left files: $(find "$D2" -type f | head -5)"

# ---- the OCI image from the install tree ----
if ! command -v umoci >/dev/null; then
    echo "SKIPPED: umoci not installed: no image built"
else
    run scripts/build-image.sh "$D" "$TMP/image.tar" test
    expect_rc "build-image" 0
    expect_out "build-image" "OCI image layout, tag test"
    mkdir "$TMP/layout" && tar -C "$TMP/layout" -xf "$TMP/image.tar"
    [ -f "$TMP/layout/index.json" ] && [ -f "$TMP/layout/oci-layout" ] && ok || bad "image: not an OCI layout"
    if [ "$(id -u)" -eq 0 ]; then
        run umoci unpack --image "$TMP/layout:test" "$TMP/bundle"
        expect_rc "umoci unpack" 0
        python3 - "$TMP/bundle/config.json" <<'PY' && ok || bad "image: config.json: entrypoint, user or cmd wrong"
import json, sys
c = json.load(open(sys.argv[1]))
p = c["process"]
sys.exit(not (p["args"][:2] == ["/usr/local/bin/spotbench", "live"] and p["user"]["uid"] == 65532))
PY
        rootfs="$TMP/bundle/rootfs"
        [ ! -e "$rootfs/bin/sh" ] && ok || bad "image: has a shell"
        cp tests/fixtures/live-closed-port.json "$rootfs/tmp/live.json"
        # in_image ARGS...: spotbench in the image's root, as its user.
        if ls "$rootfs"/usr/lib/*/libasan* >/dev/null 2>&1 || ls "$rootfs"/lib/*/libasan* >/dev/null 2>&1; then
            mkdir -p "$rootfs/proc"
            echo "info: image run with /proc mounted (AddressSanitizer)"
            # shellcheck disable=SC2086
            in_image() { run env $LIVE_ENV unshare --mount --fork /bin/sh -c 'r=$0; mount -t proc proc "$r/proc" && exec chroot --userspec=65532:65532 "$r" /usr/local/bin/spotbench "$@"' "$rootfs" "$@"; }
        else
            # shellcheck disable=SC2086
            in_image() { run env -i $LIVE_ENV "$(command -v chroot)" --userspec=65532:65532 "$rootfs" /usr/local/bin/spotbench "$@"; }
        fi
        in_image --version
        expect_rc "image: spotbench --version in its root, as uid 65532" 0
        expect_out "image: spotbench --version in its root, as uid 65532" "spotbench "
        # The libraries it opens at run time are in the image too.
        in_image live --once --config /tmp/live.json
        expect_live_loaded "image: live --once loads libcurl and libxml2 in its root"
    else
        echo "SKIPPED: the image is not run (needs root for umoci unpack and chroot)"
    fi
fi
finish
