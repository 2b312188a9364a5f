#!/bin/sh
# test_docs_links.sh: every link and image of README.md and docs/*.md leads
# to a file that exists and to a heading of it, each page read on its own
# (scripts/check-links.py); so do those of the manual built from docs/. The
# checker itself must catch a missing file, a missing heading and a link
# written for the old one-page README.
. "$(dirname "$0")/lib.sh"
ROOT=$(pwd)
run python3 scripts/check-links.py
expect_rc "links of README.md and docs/" 0
expect_out "links of README.md and docs/" ", 0 broken"
[ -z "$(cat "$TMP/err")" ] && ok || bad "links: $(head -5 "$TMP/err")"

run python3 scripts/build-manual.py -o "$TMP/MANUAL.md"
expect_rc "build the manual" 0
run python3 scripts/check-links.py "$TMP/MANUAL.md"
expect_rc "links of the manual" 0

# A copy of the pages, beside the rest of the checkout.
C="$TMP/copy"
mkdir "$C"
cp -R README.md docs "$C/"
for f in "$ROOT"/* "$ROOT"/.[!.]*; do
    case $(basename "$f") in README.md | docs | .git) ;; *) ln -s "$f" "$C/" ;; esac
done
cd "$C" || exit 1
run python3 "$ROOT/scripts/check-links.py" README.md docs/*.md
expect_rc "the copy as it is" 0

echo 'Made with [the tests](../tests/nope.md).' >>docs/testing.md
l1=$(wc -l <docs/testing.md)
printf 'See [its table](docs/overview.md#no-such-heading).\n' >>README.md
l2=$(wc -l <README.md)
printf 'The [policies](docs/policies.md) and [more](#nowhere).\n' >>docs/store.md
l3=$(wc -l <docs/store.md)
run python3 "$ROOT/scripts/check-links.py" README.md docs/*.md
expect_rc "broken links" 1
expect_err "a missing file" "docs/testing.md:$l1: broken link '../tests/nope.md' (no such file: tests/nope.md)"
expect_err "a missing heading" "README.md:$l2: broken link 'docs/overview.md#no-such-heading' (no heading #no-such-heading in overview.md)"
expect_err "a root-relative link in docs/" "docs/store.md:$l3: broken link 'docs/policies.md' (no such file: docs/docs/policies.md)"
expect_err "a missing heading of the page itself" "docs/store.md:$l3: broken link '#nowhere' (no heading #nowhere in this page)"
expect_out "broken links" ", 4 broken"
cd "$ROOT" || exit 1
finish
