#!/bin/sh
# test_outputs.sh: every command that writes a file follows one rule
# (traces/outfile.h): "-" is standard output; what exists and is not a
# regular file (a device, a symbolic link, a directory) is refused; the
# content replaces the target whole or not at all, through an unnamed
# temporary, so an error, a full disk or kill -9 leave the old file and no
# temporary; plot's exit status follows gnuplot's and the figure's
# completeness.
. "$(dirname "$0")/lib.sh"
FX=tests/fixtures/spot-c4.large-2021-05-30.json
SC=traces/scenarios/all-outbid-3h/scenario.json
DB="$TMP/p.db"
mkdir "$TMP/w"

# The number of entries in $TMP/w, hidden ones included.
count() { ls -A "$TMP/w" | wc -l; }

# "-": standard output, and no file named "-".
(cd "$TMP/w" && "$OLDPWD/$SB" trace import "$OLDPWD/$FX" -o - >"$TMP/stdout.csv" 2>/dev/null)
[ $? -eq 0 ] && ok || bad "import -o -"
head -1 "$TMP/stdout.csv" | grep -q '^Timestamp,InstanceType,AvailabilityZone,SpotPrice$' && ok ||
    bad "import -o - did not write the CSV to standard output"
[ ! -e "$TMP/w/-" ] && ok || bad "import -o - created a file named -"
run "$SB" trace import "$FX" -o "$TMP/w/file.csv"
cmp -s "$TMP/stdout.csv" "$TMP/w/file.csv" && ok || bad "-o - and -o FILE differ"

# Devices, links and directories are refused, and left as they were.
run "$SB" trace import "$FX" -o /dev/null
expect_rc "-o /dev/null" 2
expect_err "-o /dev/null" "not a regular file"
[ -c /dev/null ] && ok || bad "/dev/null is no longer a device"
printf 'precious\n' >"$TMP/target"
ln -s "$TMP/target" "$TMP/w/link.csv"
run "$SB" trace import "$FX" -o "$TMP/w/link.csv"
expect_rc "-o symlink" 2
expect_err "-o symlink" "is a symbolic link"
[ -L "$TMP/w/link.csv" ] && [ "$(cat "$TMP/target")" = precious ] && ok ||
    bad "the link or its target changed"
rm "$TMP/w/link.csv"
run "$SB" trace gen demand --start 2017-03-01T00:00:00Z --end 2017-03-02T00:00:00Z \
    --base 10 --amplitude 2 -o "$TMP/w"
expect_rc "-o directory" 2
run "$SB" trace import "$FX" -o "$TMP/nosuch/x.csv"
expect_rc "-o in a missing directory" 2
[ ! -s "$TMP/out" ] && ok || bad "a refused output wrote to standard output"

# A replaced file keeps its permission bits.
chmod 640 "$TMP/w/file.csv"
run "$SB" trace import "$FX" -o "$TMP/w/file.csv"
expect_rc "replace" 0
[ "$(stat -c %a "$TMP/w/file.csv")" = 640 ] && ok || bad "mode not kept: $(stat -c %a "$TMP/w/file.csv")"
[ "$(count)" -eq 1 ] && ok || bad "left over: $(ls -A "$TMP/w")"

# Standard output that cannot be written: exit 1.
"$SB" trace import "$FX" -o - >/dev/full 2>"$TMP/err"
[ $? -eq 1 ] && ok || bad "-o - to a full device"
expect_err "-o - to a full device" "standard output"

# kill -9 in the middle of a long write: the old file stands, and no
# temporary is left beside it.
printf 'old\n' >"$TMP/w/big.csv"
"$SB" trace gen prices --pools c4.large/us-east-1a=0.1,c4.xlarge/us-east-1a=0.2 \
    --start 2000-01-01T00:00:00Z --end 2017-01-01T00:00:00Z --step 60 \
    -o "$TMP/w/big.csv" 2>/dev/null &
pid=$!
sleep 1
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
[ "$(cat "$TMP/w/big.csv")" = old ] && ok || bad "kill -9 changed the target"
[ "$(count)" -eq 2 ] && ok || bad "kill -9 left: $(ls -A "$TMP/w")"

# plot: a bad output path is found before gnuplot runs: nothing on
# standard output.
"$SB" sweep "$SC" --policy guarded --grid confirm=1,2 --quiet --db "$DB" >/dev/null || bad "sweep"
"$SB" run "$SC" --timeseries --db "$DB" >/dev/null || bad "run"
ts=$(sqlite3 "$DB" 'SELECT max(id) FROM runs')
run "$SB" plot frontier --sweep 1 -o /nonexistent/x.png --db "$DB"
expect_rc "plot to a missing directory" 2
[ ! -s "$TMP/out" ] && ok || bad "plot wrote $(wc -c <"$TMP/out") bytes to standard output"
run "$SB" plot frontier --sweep 1 -o - --db "$DB"
expect_rc "plot -o -" 0
[ "$(head -c 4 "$TMP/out" | od -An -c | tr -d ' ')" = '211PNG' ] && ok ||
    bad "plot -o - did not write a PNG to standard output"

# A full disk under gnuplot (a file size limit on gnuplot alone): exit 1,
# and the previous figure stands whole.
mkdir "$TMP/bin"
cat >"$TMP/bin/gnuplot" <<SH
#!/bin/sh
trap '' XFSZ
ulimit -f 8
exec $(command -v gnuplot) "\$@"
SH
chmod +x "$TMP/bin/gnuplot"
for fig in "frontier --sweep 1" "timeline --run $ts"; do
    name=$(echo "$fig" | cut -d' ' -f1)
    # shellcheck disable=SC2086
    "$SB" plot $fig -o "$TMP/w/$name.png" --db "$DB" >/dev/null || bad "plot $name"
    cp "$TMP/w/$name.png" "$TMP/$name.before"
    # shellcheck disable=SC2086
    run env PATH="$TMP/bin:$PATH" "$SB" plot $fig -o "$TMP/w/$name.png" --db "$DB"
    expect_rc "plot $name on a full disk" 1
    expect_err "plot $name on a full disk" "nothing written"
    cmp -s "$TMP/$name.before" "$TMP/w/$name.png" && ok || bad "plot $name: the old figure changed"
done
# gnuplot failing: its exit status makes ours non-zero.
cat >"$TMP/bin/gnuplot" <<'SH'
#!/bin/sh
cat >/dev/null
exit 3
SH
run env PATH="$TMP/bin:$PATH" "$SB" plot frontier --sweep 1 -o "$TMP/w/frontier.png" --db "$DB"
expect_rc "gnuplot failing" 1
expect_err "gnuplot failing" "gnuplot failed with exit status 3"
cmp -s "$TMP/frontier.before" "$TMP/w/frontier.png" && ok || bad "a failed gnuplot changed the figure"
ls -A "$TMP/w" | grep -q '^\.' && bad "a temporary was left: $(ls -A "$TMP/w")" || ok
finish
