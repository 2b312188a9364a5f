#!/bin/sh
# test_dso.sh: loadable C policies (--policy ./lib.so, policy/policy_abi.h).
# The built-in karpenter compiled as a library (examples/policies/, built by
# make test) gives the built-in's summaries and stored decisions on every
# bundled case and in a compare table; a library of another ABI version,
# one that is no policy, a missing file and a bare name are refused with
# exact messages and exit status 2.
. "$(dirname "$0")/lib.sh"

SO=./${BUILD:-build}/examples/karpenter.so
[ -f "$SO" ] && ok || { bad "$SO missing (make examples)"; finish; exit 1; }
q() { python3 -c "import sqlite3,sys; print('\n'.join('|'.join(map(str, r)) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))" "$@"; }

n=0
for c in traces/scenarios/*/; do
    s="${c%/}/scenario.json"
    "$SB" run "$s" --policy karpenter --json --db "$TMP/b.db" >"$TMP/b.json" 2>/dev/null ||
        { bad "built-in on $c"; continue; }
    "$SB" run "$s" --policy "$SO" --json --db "$TMP/x.db" >"$TMP/x.json" 2>"$TMP/err" ||
        { bad ".so on $c: $(head -c 300 "$TMP/err")"; continue; }
    python3 - "$TMP/b.json" "$TMP/x.json" <<'PY' || bad "summary of $c"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a["summary"] == b["summary"] and a["params"] == b["params"]
PY
    bid=$(python3 -c "import json; print(json.load(open('$TMP/b.json'))['run_id'])")
    xid=$(python3 -c "import json; print(json.load(open('$TMP/x.json'))['run_id'])")
    cols="t, seq, action, desired, honor_cooldown, reason, accepted, error, repeats, last_t"
    q "$TMP/b.db" "select $cols from decisions where run_id = $bid order by t, seq" >"$TMP/bd"
    q "$TMP/x.db" "select $cols from decisions where run_id = $xid order by t, seq" >"$TMP/xd"
    [ -s "$TMP/bd" ] && cmp -s "$TMP/bd" "$TMP/xd" && ok || bad "decisions of $c"
    n=$((n + 1))
done
[ "$n" -ge 20 ] && ok || bad "only $n bundled cases"
[ "$(q "$TMP/x.db" "select distinct policy from runs")" = "$SO" ] && ok || bad "stored policy name"

# One table: the library under a label of its own beside the built-in.
mkdir -p "$TMP/suite"
for c in all-outbid-3h seed-week; do ln -s "$PWD/traces/scenarios/$c" "$TMP/suite/$c"; done
run "$SB" compare "$TMP/suite" --policy karpenter --policy "$SO@:karpenter-so" --seeds 1 -j 2 \
    --json --db "$TMP/c.db"
expect_rc "compare built-in and .so" 0
python3 - "$TMP/out" <<'PY' && ok || bad "compare: the .so's row differs"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["policies"] == ["karpenter", "karpenter-so"]
for c in d["cases"] + [{"runs": d["all_cases"]}]:
    a, b = c["runs"]["karpenter"], c["runs"]["karpenter-so"]
    a.pop("over_seeds"); b.pop("over_seeds")
    assert a == b, (a, b)
PY
run "$SB" compare "$TMP/suite" --policy karpenter --policy "$SO" --seeds 1 --db "$TMP/c.db"
expect_rc "same label" 2
expect_err "same label" "spotbench: --policy $SO: the label 'karpenter' is --policy karpenter's already (name each setting: SPEC@KEY=VALUE:LABEL, or SPEC@:LABEL)"

run "$SB" policy list --policy "$SO"
expect_rc "list .so" 0
expect_out "list .so" "karpenter ($SO): Karpenter's fallback"

# Refusals.
CC=${CC:-cc}
cat >"$TMP/old.c" <<'EOF2'
const unsigned spotbench_policy_abi = 0;
const void *spotbench_policy(void) { return 0; }
EOF2
cat >"$TMP/none.c" <<'EOF2'
int not_a_policy(void) { return 1; }
EOF2
if "$CC" -shared -fPIC -o "$TMP/old.so" "$TMP/old.c" && "$CC" -shared -fPIC -o "$TMP/none.so" "$TMP/none.c"; then
    run "$SB" run traces/scenarios/seed-week/scenario.json --policy "$TMP/old.so" --db "$TMP/f.db"
    expect_rc "wrong ABI" 2
    expect_err "wrong ABI" "spotbench: --policy $TMP/old.so: built for policy ABI version 0, this spotbench loads version 3: rebuild it against policy/policy_abi.h"
    run "$SB" run traces/scenarios/seed-week/scenario.json --policy "$TMP/none.so" --db "$TMP/f.db"
    expect_rc "no policy" 2
    expect_err "no policy" "spotbench: --policy $TMP/none.so: not a spotbench policy: no spotbench_policy_abi symbol (see policy/policy_abi.h)"
    [ ! -e "$TMP/f.db" ] && ok || bad "a refused library made a database"
else
    echo "SKIPPED: wrong-ABI libraries: $CC cannot build a shared library"
fi
run "$SB" run traces/scenarios/seed-week/scenario.json --policy "$TMP/nosuch.so" --db "$TMP/f.db"
expect_rc "missing" 2
expect_err "missing" "spotbench: --policy $TMP/nosuch.so: cannot load: $TMP/nosuch.so: cannot open shared object file: No such file or directory"
run "$SB" run traces/scenarios/seed-week/scenario.json --policy mine.so --db "$TMP/f.db"
expect_rc "bare name" 2
expect_err "bare name" "spotbench: --policy mine.so: a loadable policy is a path: write ./mine.so"
finish
