#!/bin/sh
# test_exec.sh: external policies (--policy exec:COMMAND). The Python example
# (examples/policies/karpenter.py) gives the built-in karpenter's decisions
# and summaries on every bundled case; its parameters go through --set,
# variants, sweeps and policy list like a built-in's; the child gets the
# run's seed; a child that crashes, hangs, writes garbage or describes
# itself wrongly ends the run with an exact message and exit status, leaves
# no process behind and no run stored.
. "$(dirname "$0")/lib.sh"

PY=examples/policies/karpenter.py
q() { python3 -c "import sqlite3,sys; print('\n'.join('|'.join(map(str, r)) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))" "$@"; }

# Every bundled case: the same summary and the same stored decisions.
n=0
for c in traces/scenarios/*/; do
    c=${c%/}
    s="$c/scenario.json"
    "$SB" run "$s" --policy karpenter --json --db "$TMP/b.db" >"$TMP/b.json" 2>/dev/null ||
        { bad "built-in on $c"; continue; }
    "$SB" run "$s" --policy "exec:$PY" --json --db "$TMP/x.db" >"$TMP/x.json" 2>"$TMP/err" ||
        { bad "exec on $c: $(head -c 300 "$TMP/err")"; continue; }
    python3 - "$TMP/b.json" "$TMP/x.json" <<'PY' || bad "summary of $c"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a["summary"] == b["summary"], [k for k in a["summary"] if a["summary"][k] != b["summary"].get(k)]
assert a["params"] == b["params"]
PY
    bid=$(python3 -c "import json; print(json.load(open('$TMP/b.json'))['run_id'])")
    xid=$(python3 -c "import json; print(json.load(open('$TMP/x.json'))['run_id'])")
    cols="t, seq, action, desired, honor_cooldown, reason, accepted, error, repeats, last_t"
    q "$TMP/b.db" "select $cols from decisions where run_id = $bid order by t, seq" >"$TMP/bd"
    q "$TMP/x.db" "select $cols from decisions where run_id = $xid order by t, seq" >"$TMP/xd"
    [ -s "$TMP/bd" ] && cmp -s "$TMP/bd" "$TMP/xd" && ok ||
        bad "decisions of $c: $(diff "$TMP/bd" "$TMP/xd" | head -3)"
    n=$((n + 1))
done
[ "$n" -ge 20 ] && ok || bad "only $n bundled cases"
# The test is not vacuous: the runs decided "set" many times.
[ "$(q "$TMP/x.db" "select count(*) from decisions where action = 'set'")" -gt 100 ] && ok ||
    bad "few set decisions"

# policy eval: the same decision lines as the built-in's.
"$SB" policy eval --policy karpenter traces/samples/outage.jsonl >"$TMP/e1" || bad "eval built-in"
run "$SB" policy eval --policy "exec:$PY" traces/samples/outage.jsonl
expect_rc "eval exec" 0
expect_same "eval exec" "$TMP/e1"

# policy list: the child's description, as a built-in's.
run "$SB" policy list --policy "exec:$PY" --json
expect_rc "list exec" 0
python3 - "$TMP/out" <<'PY' && ok || bad "policy list --json of exec: $(head -c 300 "$TMP/out")"
import json, sys
p = json.load(open(sys.argv[1]))["policies"][0]
assert p["name"] == "exec:examples/policies/karpenter.py" and p["label"] == "karpenter-py"
w = [x for x in p["params"] if x["name"] == "fallback_wait"][0]
assert (w["default"], w["min"], w["max"], w["integer"], w["unit"]) == (0, 0, 86400, True, "s")
PY

# --set, a variant and a sweep grid reach the child's parameters.
S=traces/scenarios/all-outbid-3h/scenario.json
"$SB" run $S --policy karpenter --set fallback_wait=60 --set staleness=240 --json \
    --db "$TMP/b.db" >"$TMP/b.json"
run "$SB" run $S --policy "exec:$PY" --set fallback_wait=60 --set staleness=240 --json --db "$TMP/x.db"
expect_rc "exec --set" 0
cp "$TMP/out" "$TMP/x.json"
run "$SB" run $S --policy "exec:$PY@fallback_wait=60,staleness=240:py60" --json --db "$TMP/x.db"
expect_rc "exec variant" 0
python3 - "$TMP/b.json" "$TMP/x.json" "$TMP/out" <<'PY' && ok || bad "--set or variant of exec differ"
import json, sys
a, b, c = (json.load(open(f)) for f in sys.argv[1:4])
assert a["params"]["fallback_wait"] == 60 and a["params"]["staleness"] == 240
assert a["summary"] == b["summary"] == c["summary"]
assert a["params"] == b["params"] == c["params"]
PY
run "$SB" sweep $S traces/scenarios/seed-week/scenario.json --policy "exec:$PY" \
    --grid fallback_wait=0,180 -j 2 --db "$TMP/sw.db" --json --quiet
expect_rc "sweep exec" 0
"$SB" sweep $S traces/scenarios/seed-week/scenario.json --policy karpenter \
    --grid fallback_wait=0,180 -j 2 --db "$TMP/sw.db" --json --quiet >/dev/null 2>&1
python3 - "$TMP/sw.db" <<'PY' && ok || bad "sweep of exec differs from the built-in's"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = lambda p: sorted(db.execute(
    "select r.params, sc.path, s.total_cost, s.coverage_pct from runs r join scenarios sc on "
    "sc.id = r.scenario_id join summaries s on s.run_id = r.id where r.policy = ?", (p,)))
a, b = rows("karpenter"), rows("exec:examples/policies/karpenter.py")
assert len(a) == 4 and a == b, (a, b)
PY
[ "$(ps -eo args | grep -c '[k]arpenter\.py')" -eq 0 ] && ok || bad "children left running"

# deploy live-config: the external policy goes live as itself, with a
# warning that the host or the Lambda zip must carry the program.
run "$SB" deploy live-config $S --policy "exec:$PY" --set fallback_wait=60 -o "$TMP/live.json"
expect_rc "deploy exec" 0
expect_err "deploy exec" "spotbench: warning: $S: policy: 'exec:$PY' is a program the controller runs where it is deployed: the host of 'spotbench live' must have it, or the Lambda zip carry it (docs/deploy.md, \"A policy of your own in the function\")"
python3 -c "
import json; d=json.load(open('$TMP/live.json'))
assert d['policy'] == 'exec:$PY' and d['params']['fallback_wait'] == 60, d
" && ok || bad "deploy live-config of exec: $(cat "$TMP/live.json")"

# The child gets the run's seed (and the run's parameters) before the run.
cat >"$TMP/seed.py" <<'PY'
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("type") == "hello":
        print(json.dumps({"type": "describe", "protocol": 1, "name": "seedy",
                          "params": [{"name": "k", "default": 2, "min": 0, "max": 9}]}), flush=True)
    elif m.get("type") == "lookback":
        print(json.dumps({"type": "lookback", "seconds": 300}), flush=True)
    elif m.get("type") == "run":
        open(sys.argv[1], "a").write("%d %g\n" % (m["seed"], m["params"]["k"]))
    elif "type" not in m:
        print(json.dumps({"now": m["now"], "action": "none", "reason": "x"}), flush=True)
PY
run "$SB" run $S --policy "exec:python3 $TMP/seed.py $TMP/seeds" --set seed=7 --set k=3 --db "$TMP/s.db"
expect_rc "seed run" 0
[ "$(cat "$TMP/seeds")" = "7 3" ] && ok || bad "the child's seed: $(cat "$TMP/seeds")"

# A child describing "launch_failures": true is given a spot group's failed
# launches (a list in each observation: capacity-ice-asg's group can launch
# spot in some pool at each of its minutes, so the lists may be empty); one
# that does not describe it gets no such key.
cat >"$TMP/lf.py" <<'PY'
import json, sys
reads = sys.argv[2] == "1"
seen = set()
for line in sys.stdin:
    m = json.loads(line)
    if m.get("type") == "hello":
        d = {"type": "describe", "protocol": 1, "name": "lf"}
        if reads:
            d["launch_failures"] = True
        print(json.dumps(d), flush=True)
    elif m.get("type") == "lookback":
        print(json.dumps({"type": "lookback", "seconds": 600}), flush=True)
    elif "type" not in m:
        seen.add(type(m.get("launch_failures")).__name__)
        print(json.dumps({"now": m["now"], "action": "none", "reason": "x"}), flush=True)
open(sys.argv[1], "w").write(" ".join(sorted(seen)) + "\n")
PY
ASGS=traces/asg/capacity-ice-asg/scenario.json
run "$SB" run $ASGS --policy "exec:python3 $TMP/lf.py $TMP/lf1 1" --db "$TMP/lf.db"
expect_rc "exec reads launch_failures" 0
[ "$(cat "$TMP/lf1")" = "list" ] && ok || bad "launch_failures given: $(cat "$TMP/lf1")"
run "$SB" run $ASGS --policy "exec:python3 $TMP/lf.py $TMP/lf0 0" --db "$TMP/lf.db"
expect_rc "exec without launch_failures" 0
[ "$(cat "$TMP/lf0")" = "NoneType" ] && ok || bad "launch_failures not given: $(cat "$TMP/lf0")"

# The --set rule with an external policy's own parameter beside a
# built-in: k goes to the child only, a scenario field to both.
mkdir -p "$TMP/suite"
ln -s "$PWD/traces/scenarios/all-outbid-3h" "$TMP/suite/all-outbid-3h"
run "$SB" compare "$TMP/suite" --policy karpenter --policy "exec:python3 $TMP/seed.py $TMP/seeds2" \
    --set k=3 --set asg.DefaultCooldown=120 --seeds 1 --json --db "$TMP/cs.db"
expect_rc "compare: a child's parameter beside a built-in" 0
cp "$TMP/out" "$TMP/cs.json"
"$SB" run "$TMP/suite/all-outbid-3h/scenario.json" --policy karpenter --set seed=1 \
    --set asg.DefaultCooldown=120 --json --db "$TMP/cs2.db" >"$TMP/k.json"
python3 - "$TMP/cs.json" "$TMP/k.json" <<'PY' && ok || bad "the built-in's row under a child's --set"
import json, sys
c, k = (json.load(open(f)) for f in sys.argv[1:3])
assert c["policies"] == ["karpenter", "seedy"], c["policies"]
# (cJSON prints 15 digits where they read back within an epsilon: 1e-9.)
assert abs(c["all_cases"]["karpenter"]["total_cost"] - k["summary"]["total_cost"]) < 1e-9
PY
grep -qx "1 3" "$TMP/seeds2" && ok || bad "the child's k: $(cat "$TMP/seeds2")"

# Children that fail. Each writes its pid first, so that the test can see
# it is gone afterwards (no process left, no zombie: spotbench reaps it).
cat >"$TMP/bad.py" <<'PY'
import json, os, sys, time
mode = sys.argv[1]
open(sys.argv[2], "w").write(str(os.getpid()))
for line in sys.stdin:
    m = json.loads(line)
    if m.get("type") == "hello":
        if mode == "nodescribe":
            print(json.dumps({"type": "describe", "protocol": 1}), flush=True)
        elif mode == "protocol2":
            print(json.dumps({"type": "describe", "protocol": 2, "name": "x"}), flush=True)
        else:
            print(json.dumps({"type": "describe", "protocol": 1, "name": "bad",
                              "reads": ["PendingCapacity"]}), flush=True)
    elif m.get("type") == "lookback":
        print(json.dumps({"type": "lookback", "seconds": 300}), flush=True)
    elif "type" not in m:
        if mode == "crash":
            sys.stderr.write("loading the model\n")
            sys.stderr.write("ValueError: no model at %d\n" % m["now"])
            sys.exit(3)
        if mode == "hang":
            sys.stderr.write("thinking\n")
            sys.stderr.flush()
            time.sleep(3600)
        if mode == "segv":
            os.kill(os.getpid(), 11)
        if mode == "garbage":
            print("hello world", flush=True)
        if mode == "wrongnow":
            print(json.dumps({"now": m["now"] + 60, "action": "none"}), flush=True)
PY
# The first observation: the 300 s the child reads, from the minute of
# 1470528024 - 300 = 1470527724 (1470527700) up to now.
OBS1='{"now": 1470528024, "metrics": {"PendingCapacity": [[1470527700, 0], [1470527760, 0], [1470527820, 0], [1470527880, 0], [1470527940, 0]]}, "failed": [], "asg": {"DesiredCapacity": 0, "MinSize": 0, "MaxSize": 200, "InService": 0}, "events": {"since": 1470527940, "InterruptionWarnings": [], "RebalanceRecommendations": []}}'
S=traces/scenarios/seed-week/scenario.json
gone() {
    pid=$(cat "$TMP/pid")
    if kill -0 "$pid" 2>/dev/null; then bad "$1: child $pid still there"; else ok; fi
}
failing() { # MODE: runs the failing child through `run`
    rm -f "$TMP/f.db" "$TMP/pid"
    run "$SB" run $S --policy "exec:python3 $TMP/bad.py $1 $TMP/pid" --db "$TMP/f.db"
}
failing crash
expect_rc "crash" 1
expect_err "crash" "spotbench: $S: exec:python3 $TMP/bad.py crash $TMP/pid: the policy exited with status 3 before answering; the line it was answering: $OBS1; its last stderr lines: loading the model | ValueError: no model at 1470528024"
gone crash
[ "$(q "$TMP/f.db" "select count(*) from runs")" = 0 ] && ok || bad "crash: a run stored"

# 2.5 s: long enough for Python to start and answer the hello on a loaded
# machine (the timeout covers the hello too), short for a test.
SPOTBENCH_POLICY_TIMEOUT=2.5
export SPOTBENCH_POLICY_TIMEOUT
failing hang
unset SPOTBENCH_POLICY_TIMEOUT
expect_rc "hang" 1
expect_err "hang" "spotbench: $S: exec:python3 $TMP/bad.py hang $TMP/pid: no answer within 2500 ms (SPOTBENCH_POLICY_TIMEOUT): the policy was killed; the line it was answering: $OBS1; its last stderr lines: thinking"
gone hang
[ "$(q "$TMP/f.db" "select count(*) from runs")" = 0 ] && ok || bad "hang: a run stored"

failing segv
expect_rc "signal" 1
expect_err "signal" "spotbench: $S: exec:python3 $TMP/bad.py segv $TMP/pid: the policy was killed by signal 11 (Segmentation fault) before answering; the line it was answering: $OBS1"
gone segv

# A compound command (a shell with children) that hangs: killed whole.
rm -f "$TMP/pid"
SPOTBENCH_POLICY_TIMEOUT=2.5 run "$SB" run $S --db "$TMP/f.db" \
    --policy "exec:cd $TMP && python3 bad.py hang $TMP/pid; echo never"
expect_rc "compound hang" 1
expect_err "compound hang" "no answer within 2500 ms (SPOTBENCH_POLICY_TIMEOUT): the policy was killed"
gone "compound hang"

failing garbage
expect_rc "garbage" 1
expect_err "garbage" "spotbench: $S: exec:python3 $TMP/bad.py garbage $TMP/pid: a malformed answer (not a JSON object): 'hello world'; the line it was answering: $OBS1; its last stderr lines: (empty)"
gone garbage

failing wrongnow
expect_rc "wrong now" 1
expect_err "wrong now" "a malformed answer (now: 1470528084, but the observation's now is 1470528024): '{\"now\": 1470528084, \"action\": \"none\"}'"
gone wrongnow

failing nodescribe
expect_rc "no name" 2
expect_err "no name" "spotbench: --policy exec:python3 $TMP/bad.py nodescribe $TMP/pid: a malformed answer (name: missing): '{\"type\": \"describe\", \"protocol\": 1}'; the line it was answering: {\"type\": \"hello\", \"protocol\": 1}; its last stderr lines: (empty)"
gone nodescribe
[ ! -e "$TMP/f.db" ] && ok || bad "a refused policy made a database"

failing protocol2
expect_rc "protocol 2" 2
expect_err "protocol 2" "a malformed answer (protocol: version 2, this spotbench speaks version 1)"

run "$SB" run $S --policy "exec:nosuchcommand-spotbench" --db "$TMP/f.db"
expect_rc "no such command" 1
expect_err "no such command" "spotbench: --policy exec:nosuchcommand-spotbench: the policy exited with status 127 before answering; the line it was answering: {\"type\": \"hello\", \"protocol\": 1}; its last stderr lines: nosuchcommand-spotbench: not found"
run "$SB" run $S --policy "exec:" --db "$TMP/f.db"
expect_rc "empty command" 2
expect_err "empty command" "spotbench: --policy exec:: expected a command after 'exec:'"

# A failing child in a sweep: the sweep fails, the failed run is not stored.
rm -f "$TMP/f.db"
run "$SB" sweep $S --policy "exec:python3 $TMP/bad.py crash $TMP/pid" --grid seed=1,2 -j 1 \
    --db "$TMP/f.db" --quiet
expect_rc "sweep crash" 1
expect_err "sweep crash" "the policy exited with status 3 before answering"
[ "$(q "$TMP/f.db" "select count(*) from runs")" = 0 ] && ok || bad "sweep crash: a run stored"
gone "sweep crash"
finish
