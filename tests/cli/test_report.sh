#!/bin/sh
# test_report.sh: spotbench report: one self-contained HTML file on a sweep,
# a compare (two sweeps), a tune and chosen runs: nothing loaded from elsewhere, the
# parameter table one row per set with the cheapest set meeting the floor
# marked (computed here from the tables), the scenario hashes, and a
# reproducing command that, run again, gives the same runs. Then rendered
# in headless Chromium at a phone's width and a desktop's: the test fails
# on a console message (an error, an uncaught exception), a broken image or
# figure, content wider than the window, or a table that does not sort;
# screenshots are kept in $BUILD/test-output/ for a person to look at.
# Printed to PDF by Chromium: figures on landscape pages, no table cut at
# the page's edge, PNGs of a page and a figure page kept too (pdfinfo,
# pdftotext and pdftoppm: poppler-utils).
# Without chromium the browser part is SKIPPED, visibly.
. "$(dirname "$0")/lib.sh"
SC=traces/scenarios/seed-week/scenario.json
CASE=traces/scenarios/all-outbid-3h/scenario.json
DB=$TMP/r.db
OUTDIR=${BUILD:-build}/test-output
mkdir -p "$OUTDIR"
run "$SB" sweep "$SC" --policy guarded --grid confirm=1,3 \
    --grid asg.DefaultCooldown=600,2700 --db "$DB" --quiet
expect_rc "sweep" 0
run "$SB" report --sweep 1 --min-coverage 99.9 --db "$DB" -o "$TMP/sweep.html"
expect_rc "report on a sweep" 0
expect_out "report on a sweep" "report on 1 sweep"

# Self-contained: no reference to another file or the network.
for f in "$TMP/sweep.html"; do
    if grep -Eiq '(src|href)=["'"'"']?(https?:|//|[a-z0-9_./-]+\.(css|js|png|svg))|<link |@import|url\(' "$f"
    then bad "$f refers to another file or the network"
    else ok
    fi
done
grep -c '<svg' "$TMP/sweep.html" | grep -q '^[12]$' && ok || bad "no inline SVG figure"

# The expected pick, from the tables: the cheapest point whose coverage is
# at least 99.9 % on its (one) scenario.
pick=$(sqlite3 "$DB" "SELECT w.point FROM sweep_runs w JOIN summaries m
    ON m.run_id = w.run_id WHERE w.sweep_id = 1 AND m.coverage_pct >= 99.9
    ORDER BY m.total_cost, w.point LIMIT 1")
sqlite3 "$DB" "SELECT DISTINCT s.hash FROM sweep_runs w JOIN runs r ON r.id = w.run_id
    JOIN scenarios s ON s.id = r.scenario_id" >"$TMP/hashes"
/usr/bin/python3 - "$TMP/sweep.html" "$pick" "$TMP/hashes" "$TMP/repro.sh" <<'PYEOF' \
    && ok || bad "the report's table, pick, hashes or command are wrong"
import html.parser, sys
text = open(sys.argv[1], encoding="utf-8").read()
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.row, self.cell, self.pres = [], None, None, []
        self.inpre = False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table": self.tables.append([])
        elif tag == "tr": self.row = [a.get("class"), []]
        elif tag in ("td", "th"): self.cell = ""
        elif tag == "pre": self.inpre, self.pre = True, ""
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None:
            self.row[1].append(self.cell.strip()); self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[-1].append(self.row); self.row = None
        elif tag == "pre": self.inpre = False; self.pres.append(self.pre)
    def handle_data(self, d):
        if self.cell is not None: self.cell += d
        if self.inpre: self.pre += d
p = P(); p.feed(text)
sets = p.tables[0]
head = sets[0][1]
assert head[:3] == ["point", "confirm", "asg.DefaultCooldown"], head
body = sets[1:]
assert len(body) == 4, body
# Each point's settings: a 2 x 2 grid, the first axis slowest.
grid = {"0": ("1", "600"), "1": ("1", "2700"), "2": ("3", "600"), "3": ("3", "2700")}
for cls, cells in body:
    assert tuple(cells[1:3]) == grid[cells[0]], cells
picked = [cells[0] for cls, cells in body if cls == "pick"]
assert picked == [sys.argv[2]], (picked, sys.argv[2])
for h in open(sys.argv[3]).read().split():
    assert h in text, h
cmds = [x for x in p.pres if x.startswith("spotbench sweep ")]
assert len(cmds) == 1, p.pres
open(sys.argv[4], "w").write(cmds[0])
PYEOF
# The reproducing command (the sweep's, up to its --quiet; not the export
# after it), run into another database, gives the same runs.
sed -e '/--quiet/q' "$TMP/repro.sh" |
    sed -e "s|^spotbench |\"\$SB\" |; s|$DB|$TMP/again.db|" >"$TMP/repro2.sh"
SB=$SB sh "$TMP/repro2.sh" >/dev/null 2>"$TMP/err" && ok || bad "the report's command failed: $(cat "$TMP/err")"
for d in "$DB" "$TMP/again.db"; do
    sqlite3 "$d" "SELECT point, printf('%.17g', total_cost), printf('%.17g', coverage_pct)
        FROM sweep_1_runs ORDER BY point"
done >"$TMP/both"
n=$(sort "$TMP/both" | uniq -c | awk '$1 == 2' | wc -l)
[ "$n" -eq 4 ] && ok || bad "the reproduced sweep differs: $(cat "$TMP/both")"

# A compare (a sweep per policy) and a tune.
run "$SB" compare "$CASE" --policy guarded --policy classic --seeds 2 --db "$TMP/c.db"
expect_rc "compare" 0
run "$SB" report --sweep 1 --sweep 2 --db "$TMP/c.db" -o "$TMP/compare.html"
expect_rc "report on a compare" 0
grep -q 'side by side' "$TMP/compare.html" && ok || bad "no side-by-side table"
run "$SB" tune "$CASE" --policy guarded --min-coverage 90 --budget 60 --db "$TMP/t.db"
expect_rc "tune" 0
run "$SB" report --sweep last --min-coverage 90 --db "$TMP/t.db" -o "$TMP/tune.html"
expect_rc "report on a tune" 0
grep -q '<h2>Tune 1: policy guarded' "$TMP/tune.html" && ok || bad "the tune is not named"
# Over seeds, a parameter set is all its seeds: the pick is best's (mean
# cost over the seeds, the floor at every seed), named by its first seed.
"$SB" best --sweep 1 --min-coverage 90 --db "$TMP/t.db" --json >"$TMP/best.json"
/usr/bin/python3 - "$TMP/tune.html" "$TMP/best.json" <<'PYEOF' && ok || bad "the tune's pick is not best's"
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
b = json.load(open(sys.argv[2]))
rows = re.findall(r'<tr class="pick"><td>(\d+)</td>', text)
assert rows == [str(b["point"])], (rows, b["point"])
assert "(mean over seeds)" in text and ">seed<" not in text.split("Parameter sets")[1].split("</thead>")[0]
PYEOF

# Chosen runs: two with their timeseries, one without. The side-by-side
# table's figures are the stored summaries (read here with sqlite3); a
# timeline per run that kept its samples, a note for the one that did not;
# each run's command, run into another database, gives the same summary.
RDB=$TMP/runs.db
"$SB" run "$CASE" --policy classic --policy guarded --timeseries --db "$RDB" >/dev/null ||
    bad "runs with timeseries"
"$SB" run "$CASE" --policy guarded --set confirm=3 --set seed=2 --db "$RDB" >/dev/null ||
    bad "a run without timeseries"
run "$SB" report --runs 1,2 --run 3 --db "$RDB" -o "$TMP/runs.html"
expect_rc "report on runs" 0
expect_out "report on runs" "report on 3 runs (2 with a timeline)"
sqlite3 -separator ' ' "$RDB" "SELECT r.id, r.policy, r.seed, printf('%.2f', m.total_cost),
    printf('%+.2f', m.total_cost - m.oracle_cost), printf('%.3f', m.coverage_pct)
    FROM runs r JOIN summaries m ON m.run_id = r.id ORDER BY r.id" >"$TMP/runs.txt"
/usr/bin/python3 - "$TMP/runs.html" "$TMP/runs.txt" "$TMP/rerun.sh" <<'PYEOF' \
    && ok || bad "the runs report's table, timelines or commands are wrong"
import html, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
want = [l.split() for l in open(sys.argv[2])]
table = text.split("<h2>The runs side by side</h2>")[1].split("</table>")[0]
rows = re.findall(r"<tr><td>(.*?)</tr>", table, re.S)
got = [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", "<td>" + r)]
       for r in rows]
assert [[g[0], g[2], g[3], g[4].lstrip("$"), g[5], g[6]] for g in got] == want, (got, want)
secs = text.split('<section id="run-')[1:]
assert [s.split('"')[0] for s in secs] == ["1", "2", "3"], len(secs)
assert secs[0].count("<svg") == 1 and secs[1].count("<svg") == 1, "no timeline"
assert "<svg" not in secs[2] and "stored without its timeseries" in secs[2]
cmds = [html.unescape(re.search(r"<pre><code>(spotbench run .*?)</code></pre>", s, re.S)
        .group(1)) for s in secs]
assert "--set confirm=3" in cmds[2] and "--set seed=2" in cmds[2], cmds[2]
open(sys.argv[3], "w").write("".join(cmds))
PYEOF
sed -e "s|^spotbench |\"\$SB\" |; s|$RDB|$TMP/rerun.db|" "$TMP/rerun.sh" >"$TMP/rerun2.sh"
SB=$SB sh "$TMP/rerun2.sh" >/dev/null 2>"$TMP/err" && ok ||
    bad "the runs' commands failed: $(cat "$TMP/err")"
for d in "$RDB" "$TMP/rerun.db"; do
    sqlite3 "$d" "SELECT r.policy, r.seed, printf('%.17g', m.total_cost),
        printf('%.17g', m.coverage_pct) FROM runs r JOIN summaries m ON m.run_id = r.id
        ORDER BY r.id"
done >"$TMP/both"
n=$(sort "$TMP/both" | uniq -c | awk '$1 == 2' | wc -l)
[ "$n" -eq 3 ] && ok || bad "the runs made again differ: $(cat "$TMP/both")"
run "$SB" report --run 99 --db "$RDB" -o "$TMP/r99.html"
expect_rc "no such run" 2
expect_err "no such run" "no run 99"
run "$SB" report --runs 1,x --db "$RDB" -o "$TMP/rx.html"
expect_rc "bad --runs" 2

# Refusals.
run "$SB" report --sweep 1 --db "$DB" -o "$TMP/r.pdf"
expect_rc "not .html" 2
run "$SB" report --sweep 9 --db "$DB" -o "$TMP/r9.html"
expect_rc "no such sweep" 2
[ ! -e "$TMP/r9.html" ] && ok || bad "a refused report left a file"

# ---- in a browser ----------------------------------------------------------
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
    echo "SKIPPED: the browser checks: chromium is not installed (apt-get install chromium)"
    finish
    exit $?
fi
# The probe, appended to a copy: once loaded, it checks every image and
# figure, the page's width against the window's, and that a click on the
# total cost heading sorts the rows by it; its verdict becomes the title.
cat >"$TMP/probe.js" <<'EOF'
<script>
window.addEventListener('load', function () {
  var bad = [];
  Array.prototype.forEach.call(document.images, function (i) {
    if (!i.complete || i.naturalWidth === 0) bad.push('broken image ' + i.src);
  });
  var svgs = document.querySelectorAll('figure svg');
  if (svgs.length === 0) bad.push('no figure');
  Array.prototype.forEach.call(svgs, function (s) {
    var r = s.getBoundingClientRect();
    if (r.width < 100 || r.height < 50) bad.push('figure of ' + r.width + 'x' + r.height);
  });
  var W = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > W)
    bad.push('page ' + document.documentElement.scrollWidth + ' px wide in ' + W);
  Array.prototype.forEach.call(document.body.querySelectorAll('*'), function (e) {
    if (e.closest('.scroll')) return;
    var r = e.getBoundingClientRect();
    if (r.right > W + 1) bad.push(e.tagName + ' reaches ' + r.right + ' px of ' + W);
  });
  var th = Array.prototype.filter.call(document.querySelectorAll('th.sortable'),
      function (t) { return /total cost/.test(t.textContent); })[0];
  if (!th) bad.push('no total cost heading');
  else {
    var col = th.cellIndex, tb = th.closest('table').tBodies[0];
    var vals = function () { return Array.prototype.map.call(tb.rows, function (r) {
        return parseFloat(r.cells[col].dataset.v); }); };
    th.click(); var up = vals(); th.click(); var down = vals();
    for (var k = 1; k < up.length; k++) {
      if (up[k] < up[k - 1]) bad.push('not sorted up');
      if (down[k] > down[k - 1]) bad.push('not sorted down');
    }
  }
  document.title = bad.length ? 'PROBE FAIL: ' + bad.slice(0, 5).join('; ') : 'PROBE OK';
});
</script>
EOF
for r in sweep compare tune runs; do
    for w in 390 1280; do
        # The probe's script just before </body>.
        /usr/bin/python3 - "$TMP/probe-$r.html" "$TMP/probe.js" "$TMP/$r.html" <<'PYEOF'
import sys
page = open(sys.argv[3], encoding="utf-8").read()
probe = open(sys.argv[2], encoding="utf-8").read()
open(sys.argv[1], "w", encoding="utf-8").write(page.replace("</body>", probe + "</body>"))
PYEOF
        timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
            --no-first-run --disable-extensions --enable-logging=stderr --v=0 \
            --window-size=$w,900 --virtual-time-budget=5000 --dump-dom \
            "file://$TMP/probe-$r.html" >"$TMP/dom" 2>"$TMP/log"
        title=$(sed -n 's:.*<title>\(PROBE[^<]*\)</title>.*:\1:p' "$TMP/dom")
        [ "$title" = "PROBE OK" ] && ok || bad "$r at $w px: ${title:-no verdict}: $(tail -3 "$TMP/log")"
        if grep -q 'CONSOLE' "$TMP/log"; then
            bad "$r at $w px: console: $(grep CONSOLE "$TMP/log" | head -3)"
        else ok
        fi
        # The report itself (not the probe), as a person sees it.
        timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
            --no-first-run --disable-extensions --window-size=$w,2600 \
            --screenshot="$OUTDIR/report-$r-$w.png" "file://$TMP/$r.html" >/dev/null 2>&1
        [ -s "$OUTDIR/report-$r-$w.png" ] && ok || bad "no screenshot of $r at $w px"
    done
done
# In print (Chromium's own PDF): a non-empty PDF; each figure's block on a
# landscape page of its own; no table cut at the page's edge (each
# table's last heading is in the PDF's text); the screen-only hint left
# out. The first page and the first figure page as PNG for a person.
PDFINFO=$(command -v pdfinfo || true)
for r in sweep compare tune runs; do
    rm -f "$OUTDIR/report-$r.pdf"
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-extensions --no-pdf-header-footer \
        --print-to-pdf="$OUTDIR/report-$r.pdf" "file://$TMP/$r.html" >/dev/null 2>&1
    f=$OUTDIR/report-$r.pdf
    if [ ! -s "$f" ] || [ "$(head -c 5 "$f")" != "%PDF-" ]; then
        bad "$r: no PDF printed"
        continue
    fi
    if [ -z "$PDFINFO" ]; then
        [ "$(wc -c <"$f")" -gt 20000 ] && ok || bad "$r: a PDF of $(wc -c <"$f") bytes"
        continue
    fi
    figs=$(grep -c '<div class="figs">' "$TMP/$r.html")
    pdfinfo -f 1 -l 999 "$f" >"$TMP/pdfinfo"
    pages=$(sed -n 's/^Pages: *//p' "$TMP/pdfinfo")
    wide=$(grep -c 'size: *792 x 612\|size: *841.* x 595' "$TMP/pdfinfo")
    [ "${pages:-0}" -gt "$figs" ] && ok || bad "$r: $pages pages for $figs figure blocks"
    [ "$wide" -ge "$figs" ] && [ "$figs" -ge 1 ] && ok ||
        bad "$r: $wide landscape pages for $figs figure blocks"
    pdftotext -layout "$f" "$TMP/pdf.txt"
    /usr/bin/python3 - "$TMP/$r.html" "$TMP/pdf.txt" <<'PYEOF' && ok || bad "$r: in print, a table is cut or the screen hint shows"
import html, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
text = " ".join(open(sys.argv[2], encoding="utf-8").read().split())
for head in re.findall(r"<thead><tr>(.*?)</tr></thead>", page):
    last = html.unescape(re.sub(r"<[^>]+>", "", re.findall(r"<th[^>]*>(.*?)</th>", head)[-1]))
    # printed headings may wrap: every word of the last one is in the text
    assert all(w in text for w in last.split()), (last, "not in the PDF")
assert "Click a column heading" not in text
PYEOF
    first_wide=$(awk '/size: *(792 x 612|841.* x 595)/ {print $2; exit}' "$TMP/pdfinfo")
    pdftoppm -r 60 -png -f 1 -l 1 "$f" "$OUTDIR/report-$r-print-p" 2>/dev/null
    pdftoppm -r 90 -png -f "${first_wide:-1}" -l "${first_wide:-1}" "$f" \
        "$OUTDIR/report-$r-print-figure" 2>/dev/null
done
echo "screenshots: $OUTDIR/report-*.png"
finish
