# lib.sh: helpers for the CLI tests. Source it; call `expect_*`, then `finish`.
# SB is the spotbench binary under test; TMP a scratch folder removed at exit.
SB=${SB:-${BUILD:-build}/spotbench}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "  FAIL: $*"; }

# run CMD...: runs it, keeping stdout in $TMP/out, stderr in $TMP/err, and
# the exit status in $rc.
run() {
    "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
}

# expect_rc NAME N
expect_rc() { [ "$rc" -eq "$2" ] && ok || bad "$1: exit $rc, wanted $2 ($(head -c 300 "$TMP/err"))"; }
# expect_out NAME TEXT: stdout contains TEXT (fixed string)
expect_out() { grep -qF -- "$2" "$TMP/out" && ok || bad "$1: stdout lacks '$2': $(head -c 300 "$TMP/out")"; }
# expect_err NAME TEXT: stderr contains TEXT
expect_err() { grep -qF -- "$2" "$TMP/err" && ok || bad "$1: stderr lacks '$2': $(head -c 300 "$TMP/err")"; }
# expect_lines NAME N: stdout has N lines
expect_lines() {
    n=$(wc -l <"$TMP/out")
    [ "$n" -eq "$2" ] && ok || bad "$1: $n lines of output, wanted $2"
}
# expect_same NAME FILE: stdout equals FILE byte for byte
expect_same() { cmp -s "$TMP/out" "$2" && ok || bad "$1: output differs from $2: $(diff "$2" "$TMP/out" | head -5)"; }

finish() {
    echo "$(basename "$0"): $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}

# start_echo SECONDS: tests/aws/sigv4_echo.py (the SigV4-checking stand-in)
# on a free port for SECONDS, under /usr/bin/python3 (its python3-botocore),
# killed at exit; sets ECHO (its pid), PORT and URL. A stand-in that does not
# start fails the test.
start_echo() {
    /usr/bin/python3 tests/aws/sigv4_echo.py --port 0 --lifetime "$1" \
        >"$TMP/echo.out" 2>"$TMP/echo.err" &
    ECHO=$!
    trap 'kill "$ECHO" 2>/dev/null; rm -rf "$TMP"' EXIT
    # dash runs no EXIT trap when a signal kills the script: make it exit.
    trap 'exit 1' INT TERM HUP PIPE
    i=0
    while ! grep -q '^PORT=' "$TMP/echo.out" 2>/dev/null; do
        i=$((i + 1))
        if [ "$i" -gt 100 ]; then
            bad "sigv4_echo did not start: $(cat "$TMP/echo.err")"
            finish
            exit 1
        fi
        sleep 0.1
    done
    PORT=$(sed -n 's/^PORT=//p' "$TMP/echo.out")
    URL="http://127.0.0.1:$PORT"
}
