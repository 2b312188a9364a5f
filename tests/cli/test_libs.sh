#!/bin/sh
# test_libs.sh: libcurl and libxml2 are loaded only by the commands that talk
# to AWS. The binary does not link them (objdump's NEEDED); the loader's own
# account (LD_DEBUG=libs: "calling init: FILE" for each library it starts,
# those opened with dlopen included) shows that --version and a simulation
# run start neither, and that a live tick starts both. The tick's endpoints
# are a closed loopback port: it fails at connecting, after loading them
# (the tick against an AWS emulator is tests/aws/test_live_moto.py).
. "$(dirname "$0")/lib.sh"

needed=$(objdump -p "$SB" | awk '$1 == "NEEDED" {print $2}')
echo "$needed" | grep -q "^libsqlite3" && ok || bad "NEEDED lacks libsqlite3: $needed"
echo "$needed" | grep -q "libcurl\|libxml2" && bad "NEEDED has them: $needed" || ok

# inits NAME: the libraries the last run started (its LD_DEBUG_OUTPUT file,
# named NAME.PID by the loader).
inits() {
    cat "$TMP/$1".* 2>/dev/null | sed -n 's/.*calling init: *//p'
}
# expect_loaded NAME YES|NO: whether libcurl and libxml2 were started.
expect_loaded() {
    got=$(inits "$1")
    # The account itself is there: libsqlite3 is started by every command.
    echo "$got" | grep -q "/libsqlite3.so" && ok || bad "$1: no loader account: $(head -c 300 "$TMP/err")"
    for lib in libcurl.so.4 libxml2.so.2; do
        if echo "$got" | grep -q "/$lib\$"; then
            [ "$2" = YES ] && ok || bad "$1: $lib was loaded"
        else
            [ "$2" = NO ] && ok || bad "$1: $lib was not loaded: $got"
        fi
    done
}

LD_DEBUG=libs LD_DEBUG_OUTPUT="$TMP/version" run "$SB" --version
expect_rc "--version" 0
expect_out "--version" "spotbench "
expect_loaded version NO

LD_DEBUG=libs LD_DEBUG_OUTPUT="$TMP/run" run "$SB" run traces/scenarios/all-outbid-3h/scenario.json \
    --db "$TMP/a.db"
expect_rc "run" 0
[ "$(sqlite3 "$TMP/a.db" 'SELECT count(*) FROM runs')" = 1 ] && ok || bad "run: not stored"
expect_loaded run NO

AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=not-a-secret AWS_SESSION_TOKEN= \
AWS_PROFILE= AWS_EC2_METADATA_DISABLED=true SPOTBENCH_RETRY_SCALE=0 \
LD_DEBUG=libs LD_DEBUG_OUTPUT="$TMP/live" run "$SB" live --once --config tests/fixtures/live-closed-port.json
expect_rc "live --once" 1
expect_err "live --once" "GetMetricStatistics TargetCapacity: Failed to connect to 127.0.0.1 port 9"
expect_loaded live YES
finish
