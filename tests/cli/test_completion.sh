#!/bin/sh
# test_completion.sh: the bash completion and the man page are made from the
# binary's help and the docs: the completion (build/spotbench.bash,
# scripts/build-completion.py) offers the commands, subcommands, every option
# a command reads and the policies; the man page (scripts/build-man.py) holds
# every command's usage and a section for each doc of the manual
# (scripts/build-manual.py's PARTS).
. "$(dirname "$0")/lib.sh"
B=${BUILD:-build}
C="$TMP/spotbench.bash"
run python3 scripts/build-completion.py "$SB" "$C"
expect_rc "build the completion" 0
cmp -s "$C" "$B/spotbench.bash" && ok || bad "$B/spotbench.bash is not what the binary's help makes"

if command -v bash >/dev/null; then
    # complete WORDS...: what _spotbench offers for the last word.
    complete_words() {
        bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _spotbench
                 printf "%s\n" "${COMPREPLY[@]}"' sh "$C" "$@" | grep -v '^$'
    }
    check() {
        want=$1
        shift
        got=$(complete_words "$@" | sort | tr '\n' ' ')
        [ "$got" = "$want" ] && ok || bad "complete '$*': '$got', wanted '$want'"
    }
    check "regress report run " spotbench r
    check "--policy " spotbench run --pol
    check "capacity-providers classic guarded hedge karpenter mixed-instances none ondemand oracle " spotbench run --policy ""
    check "frontier heatmap timeline " spotbench plot ""
    check "cost coverage " spotbench plot heatmap --z c
    check "cloudwatch demand prices " spotbench trace gen ""
    check "import info " spotbench trace i
    check "sweep " spotbench help sw
    check "--json " spotbench best --j
    check "" spotbench sweep -j ""
    # Every option every command reads is offered.
    for c in $("$SB" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' | grep -v '^help$'); do
        want=$("$SB" help --options "$c" | cut -d' ' -f1 | sort | tr '\n' ' ')
        # shellcheck disable=SC2086
        got=$(complete_words spotbench "$c" x - | sort | tr '\n' ' ')
        [ "$got" = "$want" ] && ok || bad "complete '$c -': '$got', wanted '$want'"
    done
else
    echo "SKIPPED: bash not installed: the completion is not exercised"
fi

# The man page: every command's usage, and each doc of the manual.
M="$TMP/spotbench.1"
run python3 scripts/build-man.py "$SB" "$M"
expect_rc "build the man page" 0
for c in $("$SB" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' | grep -v '^help$'); do
    grep -q "^\.SS $c$" "$M" && ok || bad "man: no command $c"
done
/usr/bin/python3 - "$M" <<'PYEOF' && ok || bad "man: a doc of the manual is missing"
import importlib.util, re, sys
spec = importlib.util.spec_from_file_location("bm", "scripts/build-manual.py")
bm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bm)
man = open(sys.argv[1], encoding="utf-8").read()
manual = bm.build()
for name, title in bm.PARTS:
    # Each doc's own first heading below its title is in both.
    text = open("docs/" + name, encoding="utf-8").read()
    heads = [h for h in re.findall(r"^#{2,3} (.+)$", text, re.M)][:3]
    for h in heads:
        plain = h.replace("`", "")
        assert plain.lower() in man.lower().replace("\\-", "-"), (name, h)
        assert h in manual or plain in manual or name == "live.md", (name, h)
PYEOF
finish
