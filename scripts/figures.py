#!/usr/bin/env python3
"""figures.py: every figure the docs and the README state comes from a run,
and `make test` runs it again.

A figure is a block in README.md or docs/*.md between two HTML comments,
which Markdown does not show:

    <!-- figure: COMMAND -->
    ...what COMMAND printed...
    <!-- /figure -->

    <!-- figure code: COMMAND -->      (the output inside a ``` block)

COMMAND runs with /bin/sh from the repository root, with $SB the spotbench
binary (build/spotbench, or $SB from the environment), $DB a new, empty
database and $TMP a scratch folder, both its own. It must print the same
bytes every time (a fresh database gives the same run ids; a seed gives the
same draws).

  scripts/figures.py            check: exit 1 and a diff when a block differs
  scripts/figures.py --update   rewrite the blocks from their commands
  scripts/figures.py FILE...    only these pages
"""
import difflib
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
OPEN = re.compile(r"^<!-- figure( code)?: (.*) -->$")
CLOSE = "<!-- /figure -->"


def run(cmd, sb):
    tmp = tempfile.mkdtemp(prefix="spotbench-figure-")
    try:
        env = dict(os.environ, SB=sb, DB=os.path.join(tmp, "figure.db"), TMP=tmp,
                   LC_ALL="C", TZ="UTC")
        p = subprocess.run(["/bin/sh", "-c", cmd], cwd=ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            raise RuntimeError("exit %d: %s" % (p.returncode, p.stderr.strip()[-400:]))
        return p.stdout
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def blocks(lines):
    """(open index, close index, code?, command) for each block."""
    out, i = [], 0
    while i < len(lines):
        m = OPEN.match(lines[i].rstrip("\n"))
        if not m:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].rstrip("\n") != CLOSE:
            if OPEN.match(lines[j].rstrip("\n")):
                raise ValueError("line %d: a figure opened inside another" % (j + 1))
            j += 1
        if j == len(lines):
            raise ValueError("line %d: figure without %s" % (i + 1, CLOSE))
        out.append((i, j, bool(m.group(1)), m.group(2)))
        i = j + 1
    return out


def body(output, code):
    text = output if output.endswith("\n") or not output else output + "\n"
    return ("```\n" + text + "```\n") if code else text


def main(argv):
    update = "--update" in argv
    files = [a for a in argv if not a.startswith("--")]
    if not files:
        files = [os.path.join(ROOT, "README.md")] + \
            sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    sb = os.environ.get("SB") or os.path.join(ROOT, os.environ.get("BUILD", "build"),
                                             "spotbench")
    sb = os.path.abspath(sb)
    bad = count = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
        try:
            found = blocks(lines)
        except ValueError as e:
            print("%s: %s" % (os.path.relpath(path, ROOT), e), file=sys.stderr)
            bad += 1
            continue
        new = list(lines)
        for i, j, code, cmd in reversed(found):
            count += 1
            where = "%s:%d" % (os.path.relpath(path, ROOT), i + 1)
            try:
                want = body(run(cmd, sb), code)
            except RuntimeError as e:
                print("%s: %s: %s" % (where, cmd, e), file=sys.stderr)
                bad += 1
                continue
            have = "".join(lines[i + 1:j])
            if have != want:
                if update:
                    new[i + 1:j] = [want] if want else []
                else:
                    bad += 1
                    diff = difflib.unified_diff(have.splitlines(), want.splitlines(),
                                                "in the docs", "printed now", lineterm="", n=1)
                    print("%s: the figure differs from what `%s` prints now:" % (where, cmd),
                          file=sys.stderr)
                    print("\n".join(list(diff)[:40]), file=sys.stderr)
        if update and new != lines:
            with open(path, "w", encoding="utf-8") as f:
                f.write("".join(new))
            print("updated %s" % os.path.relpath(path, ROOT))
    if not update:
        print("figures: %d checked, %d differ or fail" % (count, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
