#!/usr/bin/python3
"""outputs.py: what a spotbench build computes, dumped as text, so that two
builds can be compared byte for byte (a speed-up must not change a result).

  outputs.py dump BIN OUTDIR [--scenario FILE]... [--sweep FILE] [--quick]
                             [--no-cases] [--set FIELD=VALUE]...
  outputs.py compare DIR_A DIR_B

`dump` runs BIN on every case of traces/scenarios (with every policy BIN
knows; with and without --timeseries) and on each extra --scenario, and
writes per run: the `run --json` line, and the stored rows of summaries,
runs (without wall-clock columns), run_pools, decisions and the timeseries.
The timeseries is read through BIN's reader (`export --run`) when BIN has
it, else from the table of one row per minute (schema 5 and before), and
written in one form: the storage format may change, the samples may not.
With --sweep FILE it also runs a small sweep of FILE (a grid over a policy
parameter and a scenario field, on 2 workers) and dumps its summaries by
(point, scenario). --quick skips the --timeseries runs of the extra
scenarios; --no-cases skips traces/scenarios; each --set is given to every
run (e.g. a constant schedule, which lets the simulator skip quiet minutes). A file of more than 20,000 lines is written as its SHA-256 and
line count (the year's timeseries): equal digests are equal bytes.

`compare` prints every file that differs and exits 1 when any does.

Decisions are written in one form for every schema version: a run of
identical rejected SetDesiredCapacity retries, or of identical 'none'
decisions, at consecutive invocations is one line with its first and last
time and its count, as schema 6 stores them; rows of older schemas (one
per invocation) are grouped here the same way.
"""
import csv
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

def policies(bin_):
    """Every policy the build knows (`policy list`: a line "name: summary")."""
    out = subprocess.run([bin_, "policy", "list"], capture_output=True, text=True).stdout
    return [l.split(":", 1)[0] for l in out.splitlines() if l and not l[0].isspace() and ":" in l]
BIG = 20000


def write(path, lines):
    with open(path, "w") as f:
        if len(lines) > BIG:
            h = hashlib.sha256()
            for line in lines:
                h.update(line.encode() + b"\n")
            f.write("sha256 %s lines %d\n" % (h.hexdigest(), len(lines)))
        else:
            for line in lines:
                f.write(line + "\n")


def fmt(row):
    return "|".join(repr(v) for v in row)


def decisions(db, run_id):
    cols = [r[1] for r in db.execute("PRAGMA table_info(decisions)")]
    if "repeats" in cols:
        rows = db.execute(
            "SELECT t, last_t, repeats, seq, action, desired, honor_cooldown,"
            " reason, accepted, error FROM decisions WHERE run_id = ?"
            " ORDER BY t, seq", (run_id,)).fetchall()
    else:
        rows = [(t, t, 1, seq, action, desired, honor, reason, acc, err)
                for t, seq, action, desired, honor, reason, acc, err in db.execute(
                    "SELECT t, seq, action, desired, honor_cooldown, reason, accepted,"
                    " error FROM decisions WHERE run_id = ? ORDER BY t, seq", (run_id,))]
    out = []  # [t, last_t, repeats, seq, action, desired, honor, reason, acc, err]
    for t, last_t, rep, seq, action, desired, honor, reason, acc, err in rows:
        last = out[-1] if out else None
        if (last and last[4] == action and
                ((action == "set" and acc == 0 and last[8] == 0) or action == "none") and
                last[3] + last[2] == seq and
                (last[5], last[6], last[7], last[9]) == (desired, honor, reason, err)):
            last[1] = last_t
            last[2] += rep
            continue
        out.append([t, last_t, rep, seq, action, desired, honor, reason, acc, err])
    return [fmt(r) for r in out]


def has_export_run(bin_):
    """Does BIN's export take --run (the timeseries through its reader)?"""
    p = subprocess.run([bin_, "export", "--help"], capture_output=True, text=True)
    return "--run ID" in p.stdout + p.stderr


def num(text, integer):
    if text == "":
        return None
    return int(text) if integer else float(text)


def timeseries(bin_, dbp, db, run_id, via_export):
    """One line per sample: t, the fleet's columns, then every pool's price."""
    if not db.execute("SELECT timeseries FROM runs WHERE id = ?", (run_id,)).fetchone()[0]:
        return []
    if via_export:
        p = subprocess.run([bin_, "export", "--run", str(run_id), "--db", dbp],
                           capture_output=True, text=True)
        if p.returncode != 0:
            return ["export failed: exit %d: %s" % (p.returncode, p.stderr.strip())]
        rows = list(csv.reader(p.stdout.splitlines()))
        ints = {"t", "od_desired", "od_in_service"}
        head = rows[0] if rows else []
        return [fmt([num(v, h in ints) for h, v in zip(head, r)]) for r in rows[1:]]
    out = []
    for r in db.execute("SELECT t, required, target, fulfilled, pending, terminating,"
                        " spot_units, od_units, od_desired, od_in_service, prices"
                        " FROM timeseries WHERE run_id = ? ORDER BY t", (run_id,)):
        vals = [r[0]] + [None if v is None else float(v) for v in r[1:8]] + list(r[8:10])
        vals += [float(x) for x in r[10].split(",")] if r[10] else []
        out.append(fmt(vals))
    return out


def dump_db(bin_, path, out_prefix, via_export):
    db = sqlite3.connect(path)
    for (run_id,) in db.execute("SELECT id FROM runs ORDER BY id").fetchall():
        pre = "%s.run%d" % (out_prefix, run_id)
        summ = db.execute("SELECT * FROM summaries WHERE run_id = ?", (run_id,))
        names = [d[0] for d in summ.description]
        write(pre + ".summary", ["%s=%r" % kv for kv in zip(names, summ.fetchone())])
        write(pre + ".run", [fmt(r) for r in db.execute(
            "SELECT s.hash, s.name, s.mode, s.start, s.end, s.billing, r.policy,"
            " r.params, r.sets, r.seed, r.timeseries FROM runs r"
            " JOIN scenarios s ON s.id = r.scenario_id WHERE r.id = ?", (run_id,))])
        write(pre + ".pools", [fmt(r) for r in db.execute(
            "SELECT * FROM run_pools WHERE run_id = ? ORDER BY pool", (run_id,))])
        write(pre + ".decisions", decisions(db, run_id))
        write(pre + ".timeseries", timeseries(bin_, path, db, run_id, via_export))
    db.close()


def run(bin_, args, out_json, tmp, prefix, via_export):
    dbp = os.path.join(tmp, "x.db")
    for ext in ("", "-wal", "-shm"):
        if os.path.exists(dbp + ext):
            os.remove(dbp + ext)
    p = subprocess.run([bin_, "run"] + args + ["--json", "--db", dbp],
                       capture_output=True, text=True)
    with open(out_json, "w") as f:
        f.write("exit %d\n%s%s" % (p.returncode, p.stdout, p.stderr))
    if p.returncode == 0:
        dump_db(bin_, dbp, prefix, via_export)


def dump(bin_, outdir, scenarios, sweep, quick, cases, sets):
    os.makedirs(outdir, exist_ok=True)
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    cases_dir = os.path.join(root, "traces", "scenarios")
    jobs = []
    for case in sorted(os.listdir(cases_dir)) if cases else []:
        sc = os.path.join(cases_dir, case, "scenario.json")
        if os.path.exists(sc):
            jobs.append((case, sc, True))
    for sc in scenarios:
        name = os.path.basename(os.path.dirname(os.path.abspath(sc)))
        jobs.append(("x-" + name, sc, not quick))
    pols = policies(bin_)
    via_export = has_export_run(bin_)
    with tempfile.TemporaryDirectory() as tmp:
        for name, sc, with_ts in jobs:
            for pol in pols:
                for ts in ([False, True] if with_ts else [False]):
                    tag = "%s.%s%s" % (name, pol, ".ts" if ts else "")
                    pre = os.path.join(outdir, tag)
                    args = [sc, "--policy", pol] + (["--timeseries"] if ts else [])
                    for kv in sets:
                        args += ["--set", kv]
                    run(bin_, args, pre + ".json", tmp, pre, via_export)
        if sweep:
            dbp = os.path.join(tmp, "sweep.db")
            p = subprocess.run(
                [bin_, "sweep", sweep, "--policy", "guarded",
                 "--grid", "confirm=1:3:1", "--grid", "asg.DefaultCooldown=300,2700",
                 "-j", "2", "--quiet", "--db", dbp],
                capture_output=True, text=True)
            lines = ["exit %d" % p.returncode]
            if p.returncode == 0:
                db = sqlite3.connect(dbp)
                q = db.execute(
                    "SELECT w.point, w.scenario, w.params, m.* FROM sweep_runs w"
                    " JOIN summaries m ON m.run_id = w.run_id ORDER BY w.point, w.scenario")
                names = [d[0] for d in q.description]
                for r in q.fetchall():
                    lines.append(" ".join("%s=%r" % kv for kv in zip(names, r)
                                          if kv[0] != "run_id"))
                db.close()
            write(os.path.join(outdir, "sweep.summaries"), lines)


def compare(a, b):
    fa, fb = set(os.listdir(a)), set(os.listdir(b))
    bad = 0
    for f in sorted(fa ^ fb):
        print("only in %s: %s" % (a if f in fa else b, f))
        bad += 1
    for f in sorted(fa & fb):
        with open(os.path.join(a, f), "rb") as x, open(os.path.join(b, f), "rb") as y:
            if x.read() != y.read():
                print("differs: %s" % f)
                bad += 1
    print("%d files compared, %d differ" % (len(fa | fb), bad))
    return 1 if bad else 0


def main(argv):
    if len(argv) >= 3 and argv[0] == "dump":
        scen, sweep, quick, cases, sets, i = [], None, False, True, [], 3
        while i < len(argv):
            if argv[i] == "--scenario" and i + 1 < len(argv):
                scen.append(argv[i + 1])
                i += 2
            elif argv[i] == "--sweep" and i + 1 < len(argv):
                sweep = argv[i + 1]
                i += 2
            elif argv[i] == "--set" and i + 1 < len(argv):
                sets.append(argv[i + 1])
                i += 2
            elif argv[i] == "--quick":
                quick = True
                i += 1
            elif argv[i] == "--no-cases":
                cases = False
                i += 1
            else:
                sys.exit("outputs.py: unknown argument %s" % argv[i])
        dump(argv[1], argv[2], scen, sweep, quick, cases, sets)
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        return compare(argv[1], argv[2])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
