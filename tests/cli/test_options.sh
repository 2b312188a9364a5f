#!/bin/sh
# test_options.sh: the one option parser every command uses: --opt=value and
# --opt value, -j2 and -j 2, "--" ending the options, the closest option,
# command or field suggested for a misspelt one, `help help`, and every
# option a command accepts documented in its help.
. "$(dirname "$0")/lib.sh"
SC=traces/scenarios/all-outbid-3h/scenario.json

# The two spellings of a value give the very same run.
run "$SB" run "$SC" --policy=guarded --set=window=600 --db="$TMP/a.db" --json
expect_rc "--opt=value" 0
sed 's/"run_id": [0-9]*, //' "$TMP/out" >"$TMP/eq.json"
run "$SB" run "$SC" --policy guarded --set window=600 --db "$TMP/b.db" --json
expect_rc "--opt value" 0
sed 's/"run_id": [0-9]*, //' "$TMP/out" >"$TMP/sp.json"
cmp -s "$TMP/eq.json" "$TMP/sp.json" && ok || bad "--opt=value and --opt value differ"
grep -q '"policy": "guarded"' "$TMP/eq.json" && grep -q '"window": 600' "$TMP/eq.json" &&
    ok || bad "--policy=guarded --set=window=600 not applied: $(head -c 300 "$TMP/eq.json")"

# -j2 and -j 2 both read the value: shown in the sweep's plan line.
for j in "-j2" "-j 2"; do
    # shellcheck disable=SC2086
    run "$SB" sweep "$SC" --policy guarded --grid confirm=1,2 $j --db "$TMP/j.db"
    expect_rc "sweep $j" 0
    expect_err "sweep $j" "on 2 workers"
done

# "--" ends the options: a file named like an option is an operand.
cp "$SC" "$TMP/--weird.json"
sed -i 's#"prices": "#"prices": "'"$PWD"'/traces/scenarios/all-outbid-3h/#' "$TMP/--weird.json"
(cd "$TMP" && "$OLDPWD/$SB" run --db d.db -- --weird.json >/dev/null 2>"$TMP/err2")
[ $? -eq 0 ] && ok || bad "-- then a file starting with --: $(cat "$TMP/err2")"

# Misspellings: the closest name is suggested, exit 2.
run "$SB" run "$SC" --polcy guarded
expect_rc "misspelt option" 2
expect_err "misspelt option" "unknown option '--polcy' (did you mean '--policy'?)"
run "$SB" sweep "$SC" --policy guarded --gird confirm=1,2
expect_err "misspelt sweep option" "did you mean '--grid'?"
run "$SB" trace info --abvoe 1 x.csv
expect_err "misspelt trace option" "info: unknown option '--abvoe' (did you mean '--above'?)"
run "$SB" swep
expect_rc "misspelt command" 2
expect_err "misspelt command" "unknown command 'swep' (did you mean 'sweep'?)"
run "$SB" run "$SC" --policy clasic --db "$TMP/c.db"
expect_rc "misspelt policy" 2
expect_err "misspelt policy" "did you mean 'classic'?"
run "$SB" run "$SC" --set confrim=3 --db "$TMP/c.db"
expect_rc "misspelt --set key" 2
expect_err "misspelt --set key" "did you mean 'confirm'?"
run "$SB" run "$SC" --set asg.DefaultCooldwn=3 --db "$TMP/c.db"
expect_err "misspelt scenario field" "did you mean 'DefaultCooldown'?"
run "$SB" run "$SC" --zzzzzz
expect_err "no suggestion when nothing is close" "unknown option '--zzzzzz'"
grep -q "did you mean" "$TMP/err" && bad "a suggestion for --zzzzzz" || ok

# Values: missing, or given to a flag.
run "$SB" run "$SC" --policy
expect_rc "missing value" 2
expect_err "missing value" "--policy needs a value (NAME)"
run "$SB" run "$SC" --json=yes
expect_rc "value for a flag" 2
expect_err "value for a flag" "--json takes no value"
[ ! -e results/never.db ] && ok || bad "a usage error created a database"

# help help, and help of an unknown command.
run "$SB" help help
expect_rc "help help" 0
expect_out "help help" "usage: spotbench help [COMMAND]"
run "$SB" help nosuch
expect_rc "help nosuch" 2

# Every option a command reads is in its help text.
for c in $("$SB" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' | grep -v '^help$'); do
    "$SB" help "$c" >"$TMP/help.txt" || bad "help $c"
    "$SB" help --options "$c" >"$TMP/opts.txt" || bad "help --options $c"
    while read -r name _; do
        grep -q -- "$name\\b" "$TMP/help.txt" && ok || bad "$c: $name is not in 'help $c'"
    done <"$TMP/opts.txt"
done
finish
