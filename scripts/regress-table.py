#!/usr/bin/env python3
"""regress-table.py: the regression suite's figures as a Markdown table, from
what `spotbench regress` prints (so the table is the suite's own run).

  SB=build/spotbench DB=/tmp/x.db scripts/regress-table.py [DIR]
  scripts/regress-table.py --cases [DIR]

One row per case and run: each figure's value with its bound in parentheses.
--cases: one row per case with what it represents (its README.md's first
line). docs/regression.md holds both as figures (scripts/figures.py).
"""
import glob
import os
import subprocess
import sys

COLUMNS = [("coverage_pct_min", "coverage % (min)", 3),
           ("shortfall_unit_hours_max", "shortfall unit-h (max)", 2),
           ("od_cost_max", "on-demand $ (max)", 2),
           ("set_rejected_max", "rejected calls (max)", 0)]


def cases(d):
    print("| case | what it represents |")
    print("|---|---|")
    for readme in sorted(glob.glob(os.path.join(d, "*", "README.md"))):
        with open(readme, encoding="utf-8") as f:
            first = f.readline().strip()
        name = os.path.basename(os.path.dirname(readme))
        text = first.split(": ", 1)[1] if ": " in first else first
        text = text.replace(" Written by scripts/make-scenarios.py.", "")
        print("| `%s` | %s |" % (name, text))
    return 0


def main(argv):
    if argv[:1] == ["--cases"]:
        return cases(argv[1] if len(argv) > 1 else "traces/scenarios")
    sb = os.environ.get("SB", "build/spotbench")
    cmd = [sb, "regress"] + argv + (["--db", os.environ["DB"]] if "DB" in os.environ else [])
    p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    rows, order = {}, []
    for line in p.stdout.splitlines()[1:]:
        f = line.split()
        if len(f) != 6 or f[5] not in ("PASS", "FAIL"):
            continue
        key = (f[0], f[1])
        if key not in rows:
            rows[key] = {}
            order.append(key)
        rows[key][f[2]] = (float(f[3]), float(f[4]), f[5])
    print("| case | run | " + " | ".join(c[1] for c in COLUMNS) + " |")
    print("|---|---|" + "---|" * len(COLUMNS))
    for key in order:
        cells = []
        for name, _, digits in COLUMNS:
            if name in rows[key]:
                v, b, r = rows[key][name]
                cells.append("%.*f (%.*f)%s" % (digits, v, digits, b,
                                                "" if r == "PASS" else " **FAIL**"))
            else:
                cells.append("")
        extra = [n for n in rows[key] if n not in dict((c[0], 1) for c in COLUMNS)]
        for n in extra:
            v, b, r = rows[key][n]
            cells[-1] += " · %s: %g (bound %g)%s" % (n, v, b, "" if r == "PASS" else " **FAIL**")
        print("| %s | %s | %s |" % (key[0], key[1], " | ".join(cells)))
    return p.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
