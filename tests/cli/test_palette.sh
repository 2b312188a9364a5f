#!/bin/sh
# test_palette.sh: every figure's series stay distinguishable for readers
# with deuteranopia or protanopia. The colours come from plot/palette.h and
# the series of each figure as plot/plot.c draws them; each pair is
# simulated (Machado, Oliveira and Fernandes 2009, severity 1, on linear
# RGB) and must stay at least 12 apart in CIELAB (Delta E 1976), 2.3
# being a just-noticeable difference. The cell scale must fall in
# lightness all the way, for everyone. No figure may use a colour outside
# the palette (a literal hex colour in plot/*.c other than its greys).
. "$(dirname "$0")/lib.sh"
/usr/bin/python3 - plot/palette.h plot/plot.c plot/compare.c <<'PYEOF' && ok || bad "palette"
import re, sys, itertools
pal = dict(re.findall(r'#define PL_(\w+) "(#[0-9A-Fa-f]{6})"', open(sys.argv[1]).read()))
seq = re.findall(r"'(#[0-9a-fA-F]{6})'", re.search(r"PL_SEQUENTIAL \"([^\"]*)\"",
                 open(sys.argv[1]).read()).group(1))
def lin(c):
    c = c / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
def rgb(h):
    return [lin(int(h[i:i + 2], 16)) for i in (1, 3, 5)]
M = {"protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                    [-0.003882, -0.048116, 1.051998]],
     "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                      [-0.011820, 0.042940, 0.968881]],
     "normal": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}
def lab(c):
    x = 0.4124 * c[0] + 0.3576 * c[1] + 0.1805 * c[2]
    y = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    z = 0.0193 * c[0] + 0.1192 * c[1] + 0.9505 * c[2]
    f = lambda t: t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116
    fx, fy, fz = f(x / 0.9505), f(y), f(z / 1.089)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
def sim(h, kind):
    c = rgb(h)
    m = M[kind]
    return lab([max(0, min(1, sum(m[i][j] * c[j] for j in range(3)))) for i in range(3)])
def de(a, b):
    return sum((p - q) ** 2 for p, q in zip(a, b)) ** 0.5
# The series each figure draws together (plot/plot.c).
figures = {
    "frontier": ["GREY", "VERMILLION", "GREEN", "BLUE"],
    "timeline capacity": ["#c8c8c8", "#505050", "BLUE", "ORANGE", "VERMILLION"],
    "timeline pools": ["GREEN", "PURPLE", "SKY", "#666666"],
}
bad = []
for name, series in figures.items():
    cols = [pal.get(s, s) for s in series]
    for kind in M:
        for a, b in itertools.combinations(cols, 2):
            d = de(sim(a, kind), sim(b, kind))
            if d < 12:
                bad.append(f"{name}: {a} and {b} are {d:.1f} apart under {kind}")
# The cell scale: lightness falls from each stop to the next, for everyone.
for kind in M:
    L = [sim(c, kind)[0] for c in seq]
    if any(b >= a - 5 for a, b in zip(L, L[1:])):
        bad.append(f"the cell scale's lightness {['%.0f' % v for v in L]} under {kind}")
# The red-yellow-green scale compare --plot had fails that check (its
# lightness rises to the yellow, then falls: +0 % and +250 % read alike).
old = ["#1a9850", "#fee08b", "#f46d43", "#a50026"]
Lo = [sim(c, "deuteranopia")[0] for c in old]
assert any(b >= a - 5 for a, b in zip(Lo, Lo[1:])), ("the check is blind", Lo)
# No colour outside the palette.
allowed = {c.lower() for c in pal.values()} | {"#c8c8c8", "#505050", "#666666", "#8c564b",
                                                  "#d0d0d0", "#c7e9b4"}
for path in sys.argv[2:]:
    for n, line in enumerate(open(path), 1):
        for h in re.findall(r"#[0-9a-fA-F]{6}\b", line):
            if h.lower() not in allowed:
                bad.append(f"{path}:{n}: {h} is not in plot/palette.h")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PYEOF
finish
