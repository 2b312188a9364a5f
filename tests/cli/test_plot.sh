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
# An SVG heatmap draws its cells as shapes, not as a bitmap of a pixel a
# cell, which a browser smooths into a blend of the neighbours' colours.
for f in hc hd; do
    grep -q "<image" "$TMP/$f.svg" && bad "$f.svg: its cells are a stretched bitmap" || ok
done
# What each figure says, read from its SVG's text: titles, key entries,
# labels; and its size. svg_has FILE NAME TEXT...: every TEXT is in it.
svg_text() {
    /usr/bin/python3 -c '
import signal; signal.signal(signal.SIGPIPE, signal.SIG_DFL)
import sys, xml.etree.ElementTree as E
r = E.parse(sys.argv[1]).getroot()
for t in r.iter():
    if t.tag.endswith("text"):
        s = "".join(t.itertext()).strip()
        if s: print(s)' "$1"
}
svg_has() {
    f=$1 name=$2
    shift 2
    svg_text "$f" >"$TMP/svgtext"
    for want in "$@"; do
        grep -qF -- "$want" "$TMP/svgtext" && ok || bad "$name: no '$want' in the figure"
    done
}
size_at_most() { # FILE KB NAME
    sz=$(wc -c <"$1")
    [ "$sz" -le $(($2 * 1024)) ] && ok || bad "$3: $sz bytes, more than $2 KB"
}
name_a=$(sed -n 's/^ *"name": "\(.*\)",*$/\1/p' "$SC" | head -1)
name_w=$(sed -n 's/^ *"name": "\(.*\)",*$/\1/p' "$SW" | head -1)
# frontier: the sweep and policy, one panel per scenario by its name, the
# combined panel best ranks, the front numbered and listed with its
# parameters, the references.
svg_has "$TMP/f.svg" frontier "sweep 1, policy guarded" "$name_a ($SC)" "$name_w ($SW)" \
    "all 2 scenarios: costs summed, the lowest coverage" "Pareto front" \
    "Pareto front: cost, coverage, parameters" "confirm=" "oracle bound: \$" \
    "classic defaults (run $ts)" "parameter sets (6;" "runs (6;"
svg_text "$TMP/f.svg" | grep -q '^ *1  \$[0-9.]*  [0-9.]* %  confirm=[0-9] scale_in_delay=[0-9]*' &&
    ok || bad "frontier: the front list's first entry is not '1  \$COST  COV %  PARAMS'"
# No coverage tic above 100 %.
svg_text "$TMP/f.svg" | grep -Eq '^100\.[0-9]+$' && bad "frontier: a coverage tic above 100" || ok
size_at_most "$TMP/f.svg" 400 "frontier svg"
# heatmap: the axes with their units, the sweep, what is coloured.
svg_has "$TMP/hc.svg" "heatmap coverage" "sweep 1, policy guarded" \
    "coverage (%), the lowest of its 2 scenarios" "confirm (" "scale_in_delay (s)"
svg_has "$TMP/hd.svg" "heatmap cost" "total cost (USD), summed over its 2 scenarios" \
    "total cost (USD)"
# timeline: scenario, policy, settings and run in the title; every pool by
# name; the max price; the capacity series; a week in a bounded size.
svg_has "$TMP/t.svg" timeline "$name_a: classic with its defaults (run $ts)" \
    "c4.xlarge us-east-1d price" "m4.2xlarge us-east-1d price" \
    "max price (the pool's colour, dotted)" "pending (the fleet's spot shortfall)" "on-demand serving" \
    "fulfilled spot" "target" "required" "spot price"
grep -qF "price pool" "$TMP/t.svg" && bad "timeline: pools still numbered, not named" || ok
"$SB" run "$SW" --policy guarded --timeseries --set window=600 --set asg.DefaultCooldown=900 \
    --db "$DB" >/dev/null || bad "run seed-week --timeseries"
tw=$(sqlite3 "$DB" 'SELECT max(id) FROM runs')
run "$SB" plot timeline --run "$tw" -o "$TMP/week.svg" --db "$DB"
expect_rc "timeline of a week" 0
svg_has "$TMP/week.svg" "week timeline" "$name_w: guarded with asg.DefaultCooldown=900 (run $tw)"
size_at_most "$TMP/week.svg" 1024 "a week's timeline svg"
# --from/--to: only that span, said in the title.
run "$SB" plot timeline --run "$tw" --from 2016-08-10T12:00:00Z --to 2016-08-11T06:00:00Z \
    -o "$TMP/zoom.svg" --db "$DB"
expect_rc "timeline --from --to" 0
svg_has "$TMP/zoom.svg" "zoomed timeline" "2016-08-10T12:00:00Z to 2016-08-11T06:00:00Z"
svg_text "$TMP/zoom.svg" | grep -q '^08-0[789]' && bad "zoomed timeline: tics outside the span" || ok
run "$SB" plot timeline --run "$tw" --from 2020-01-01T00:00:00Z -o "$TMP/x.svg" --db "$DB"
expect_rc "timeline --from past the run" 1
expect_err "timeline --from past the run" "no samples between --from and --to"
run "$SB" plot timeline --run "$tw" --from 2016-08-11T00:00:00Z --to 2016-08-10T00:00:00Z \
    -o "$TMP/x.svg" --db "$DB"
expect_rc "timeline --from after --to" 2
run "$SB" plot frontier --sweep 1 --from 2016-08-11T00:00:00Z -o "$TMP/x.svg" --db "$DB"
expect_rc "--from on a frontier" 2
# A heatmap whose cells are all equal has no colour bar, and says the value.
"$SB" sweep "$SC" --policy guarded --grid headroom_units=0,0 --grid staleness=180,180 \
    --quiet --db "$TMP/c.db" >/dev/null || bad "sweep of equal cells"
run "$SB" plot heatmap --sweep 1 --x headroom_units --y staleness --z coverage \
    -o "$TMP/hconst.svg" --db "$TMP/c.db"
expect_rc "constant heatmap" 0
svg_has "$TMP/hconst.svg" "constant heatmap" "; every cell "
svg_text "$TMP/hconst.svg" | grep -q "^coverage (%; darker: more)" && bad "constant heatmap: a colour bar" || ok
svg_text "$TMP/hd.svg" | grep -qx "total cost (USD; darker: cheaper)" && ok || bad "heatmap: no colour bar label"

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

# The same in the double-quoted two-line titles: a scenario name and a
# policy name with backquotes, backslashes and quotes.
mkdir "$TMP/q"
cp traces/scenarios/all-outbid-3h/prices.csv "$TMP/q/"
sed 's/"name": "[^"]*"/"name": "q`touch '"$(echo "$X" | sed 's/\//\\\//g')"'`\\\\\\"x"/' "$SC" >"$TMP/q/scenario.json"
"$SB" run "$TMP/q/scenario.json" --timeseries --db "$IDB" >/dev/null || bad "run with a quoted name"
qr=$(sqlite3 "$IDB" 'SELECT max(id) FROM runs')
run "$SB" plot timeline --run "$qr" -o "$TMP/inj.svg" --db "$IDB"
expect_rc "timeline with quotes in the name" 0
[ ! -e "$X" ] && ok || bad "plot timeline ran a shell command from a scenario name"
run "$SB" plot heatmap --sweep 1 --x description --y confirm --z coverage -o "$TMP/inj2.svg" --db "$IDB"
expect_rc "heatmap title with quotes" 0
[ ! -e "$X" ] && ok || bad "plot heatmap ran a shell command from its title"

# Errors.
run "$SB" plot timeline --run 1 -o "$TMP/x.png" --db "$DB"
expect_rc "timeline without timeseries" 1
expect_err "timeline without timeseries" "run 1 was stored without its timeseries"
run "$SB" plot timeline --run 999 -o "$TMP/x.png" --db "$DB"
expect_rc "no such run" 2
expect_err "no such run" "no run 999"
run "$SB" plot heatmap --sweep 1 --x window --y confirm --z cost -o "$TMP/x.png" --db "$DB"
expect_rc "key not swept" 2
expect_err "key not swept" "window is not a swept key of sweep 1"
run "$SB" plot heatmap --sweep 1 --x confirm --y scale_in_delay --z speed -o "$TMP/x.png" --db "$DB"
expect_rc "bad z" 2
run "$SB" plot frontier --sweep 1 -o "$TMP/x.pdf" --db "$DB"
expect_rc "bad extension" 2
expect_err "bad extension" "must end in .png or .svg"
run "$SB" plot frontier --sweep 5 -o "$TMP/x.png" --db "$DB"
expect_rc "no such sweep" 2
expect_err "no such sweep" "no sweep 5"
run "$SB" plot frontier --sweep 1 -o "$TMP/x.png" --db "$TMP/none.db"
expect_rc "no database" 2
[ ! -e "$TMP/none.db" ] && ok || bad "plot created a database"
mkdir "$TMP/empty"
run env PATH="$TMP/empty" "$SB" plot frontier --sweep 1 -o "$TMP/x.png" --db "$DB"
expect_rc "no gnuplot" 1
expect_err "no gnuplot" "gnuplot not found on PATH"
[ ! -e "$TMP/x.png" ] && ok || bad "a failed plot left a file"

# --json: the figure and the file written, which is a figure; failures as
# the error object with the message also on stderr; -o - would mix a PNG
# into the JSON: refused.
run "$SB" plot heatmap --sweep 1 --x confirm --y scale_in_delay --z cost -o "$TMP/j.svg" \
    --db "$DB" --json
expect_rc "plot --json" 0
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
assert d == {"figure": "heatmap", "files": [sys.argv[2]]}, d' "$TMP/out" "$TMP/j.svg" \
    && ok || bad "plot --json: $(cat "$TMP/out")"
is_svg "$TMP/j.svg" && ok || bad "plot --json: $TMP/j.svg is not an SVG"
run "$SB" plot timeline --run 1 -o "$TMP/x.png" --db "$DB" --json
expect_rc "plot --json without timeseries" 1
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
assert d["exit_status"] == 1 and "run 1 was stored without its timeseries" in d["error"], d' \
    "$TMP/out" && ok || bad "plot --json error: $(cat "$TMP/out")"
expect_err "plot --json error on stderr" "run 1 was stored without its timeseries"
run "$SB" plot frontier --sweep 1 -o "$TMP/x.pdf" --db "$DB" --json
expect_rc "plot --json bad extension" 2
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["exit_status"] == 2, d' \
    "$TMP/out" && ok || bad "plot --json bad extension: $(cat "$TMP/out")"
run "$SB" plot frontier --sweep 1 -o - --db "$DB" --json
expect_rc "plot --json -o -" 2

finish
