#!/bin/sh
# test_plot.sh: `spotbench plot`: frontier, heatmap and timeline figures are
# valid, non-empty PNG (magic bytes) and SVG (well-formed XML with an <svg>
# root) files; clear errors for a run without timeseries, a key that was not
# swept, a bad extension and a missing gnuplot.
. "$(dirname "$0")/lib.sh"
SC=traces/scenarios/all-outbid-3h/scenario.json
SW=traces/scenarios/seed-week/scenario.json
DB="$TMP/p.db"

is_png() {
    [ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
}
is_svg() {
    [ -s "$1" ] && /usr/bin/python3 -c '
import sys, xml.etree.ElementTree as E
r = E.parse(sys.argv[1]).getroot()
assert r.tag.endswith("svg"), r.tag
assert len(list(r.iter())) > 20' "$1"
}

"$SB" sweep "$SC" "$SW" --policy guarded --grid confirm=1:3:1 --grid scale_in_delay=300,900 \
    --quiet --db "$DB" >/dev/null || bad "sweep"
"$SB" run "$SC" --timeseries --db "$DB" >/dev/null || bad "run --timeseries"
ts=$(sqlite3 "$DB" 'SELECT max(id) FROM runs')

for ext in png svg; do
    run "$SB" plot frontier --sweep 1 -o "$TMP/f.$ext" --db "$DB"
    expect_rc "frontier $ext" 0
    run "$SB" plot heatmap --sweep 1 --x confirm --y scale_in_delay --z coverage -o "$TMP/hc.$ext" --db "$DB"
    expect_rc "heatmap coverage $ext" 0
    run "$SB" plot heatmap --sweep 1 --x scale_in_delay --y confirm --z cost -o "$TMP/hd.$ext" --db "$DB"
    expect_rc "heatmap cost $ext" 0
    run "$SB" plot timeline --run "$ts" -o "$TMP/t.$ext" --db "$DB"
    expect_rc "timeline $ext" 0
done
for f in f hc hd t; do
    is_png "$TMP/$f.png" && ok || bad "$f.png is not a PNG"
    is_svg "$TMP/$f.svg" && ok || bad "$f.svg is not an SVG"
done
grep -qF "Pareto front" "$TMP/f.svg" && ok || bad "frontier has no Pareto front"
grep -qF "confirm=" "$TMP/f.svg" && ok || bad "frontier front has no parameter labels"
grep -qF "oracle bound" "$TMP/f.svg" && ok || bad "frontier has no oracle bound"
grep -qF "classic defaults" "$TMP/f.svg" && ok || bad "frontier does not mark the classic defaults run"
grep -qF "fulfilled spot" "$TMP/t.svg" && ok || bad "timeline lacks fulfilled spot"
grep -qF "price pool 0" "$TMP/t.svg" && ok || bad "timeline lacks prices"

# Strings from the command line or a database never reach gnuplot as code:
# a swept value and a policy name that would run a shell command inside an
# unescaped gnuplot string are drawn as text.
IDB="$TMP/inject.db"
X="$TMP/injected"
"$SB" sweep "$SC" --policy guarded --grid "description=a,b'.system('touch $X').'" \
    --grid confirm=1,2 --quiet --db "$IDB" >/dev/null || bad "sweep with a quoted value"
sqlite3 "$IDB" "UPDATE sweeps SET spec = replace(spec, '\"policy\":\"guarded\"',
    '\"policy\":\"g''.system(''touch $X'').''\"')"
for fig in "heatmap --x description --y confirm --z cost" "frontier"; do
    # shellcheck disable=SC2086
    run "$SB" plot $fig --sweep 1 -o "$TMP/inj.svg" --db "$IDB"
    expect_rc "plot $fig with quotes in strings" 0
    [ ! -e "$X" ] && ok || bad "plot $fig ran a shell command from a string"
    grep -qF "system(" "$TMP/inj.svg" && ok || bad "plot $fig: the quoted text is not shown"
done

# Errors.
run "$SB" plot timeline --run 1 -o "$TMP/x.png" --db "$DB"
expect_rc "timeline without timeseries" 1
expect_err "timeline without timeseries" "run 1 was stored without its timeseries"
run "$SB" plot timeline --run 999 -o "$TMP/x.png" --db "$DB"
expect_rc "no such run" 1
expect_err "no such run" "no run 999"
run "$SB" plot heatmap --sweep 1 --x window --y confirm --z cost -o "$TMP/x.png" --db "$DB"
expect_rc "key not swept" 1
expect_err "key not swept" "window is not a swept key of sweep 1"
run "$SB" plot heatmap --sweep 1 --x confirm --y scale_in_delay --z speed -o "$TMP/x.png" --db "$DB"
expect_rc "bad z" 2
run "$SB" plot frontier --sweep 1 -o "$TMP/x.pdf" --db "$DB"
expect_rc "bad extension" 1
expect_err "bad extension" "must end in .png or .svg"
run "$SB" plot frontier --sweep 5 -o "$TMP/x.png" --db "$DB"
expect_rc "no such sweep" 1
expect_err "no such sweep" "no sweep 5"
run "$SB" plot frontier --sweep 1 -o "$TMP/x.png" --db "$TMP/none.db"
expect_rc "no database" 2
[ ! -e "$TMP/none.db" ] && ok || bad "plot created a database"
mkdir "$TMP/empty"
run env PATH="$TMP/empty" "$SB" plot frontier --sweep 1 -o "$TMP/x.png" --db "$DB"
expect_rc "no gnuplot" 1
expect_err "no gnuplot" "gnuplot not found on PATH"
[ ! -e "$TMP/x.png" ] && ok || bad "a failed plot left a file"

finish
