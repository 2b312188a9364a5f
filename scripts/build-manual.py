#!/usr/bin/env python3
"""build-manual.py: puts the whole manual together from docs/, one page
after another, for reading (or printing) in one piece. docs/ is the source:
README.md is the front page, written by hand, and links to each page; the
man page (scripts/build-man.py) is made from the same parts.

  scripts/build-manual.py            the manual on standard output
  scripts/build-manual.py -o FILE    the manual in FILE (e.g. build/MANUAL.md)

Parts, in order: docs/overview.md as it is; then docs/scenario.md,
docs/store.md, docs/sweep.md, docs/traces.md, docs/regression.md,
docs/policies.md and docs/native.md one heading level down; the "Going live" part of
docs/live.md; docs/deploy.md and docs/testing.md one level down. Relative
links, written for docs/, are rewritten for the folder the manual is
written to (the current folder for standard output).
"""
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DOCS = os.path.join(ROOT, "docs")


def read(name):
    with open(os.path.join(DOCS, name), encoding="utf-8") as f:
        return f.read()


def shift(text, title):
    """Replaces the top heading with `title` and moves the others one
    level down, leaving code blocks alone."""
    lines = text.rstrip("\n").split("\n")
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    out, fence = ["## " + title], False
    for line in lines:
        if line.startswith("```"):
            fence = not fence
        if not fence and re.match(r"^#{1,5} ", line):
            line = "#" + line
        out.append(line)
    return "\n".join(out) + "\n"


def going_live():
    live = read("live.md")
    start = live.index("## Going live")
    end = live.find("\n## ", start + 5)
    part = live[start:end if end > 0 else len(live)].rstrip("\n")
    return part + "\n\nThe whole of live mode (config, credentials, endpoints, " \
        "retries, exit status, `--record`, `--db`): [live.md](live.md).\n"


# The docs after the overview, in order, with their titles in the manual;
# live.md contributes its "Going live" part only. The man page
# (scripts/build-man.py) is made from this same list, live.md whole.
PARTS = [("scenario.md", "Scenario file reference"),
         ("store.md", "The results database"),
         ("sweep.md", "Sweeps, tuning and figures"),
         ("traces.md", "Traces"),
         ("regression.md", "Regression suite"),
         ("policies.md", "Policies from the field: compare and tune"),
         ("native.md", "Keep the controller or go native?"),
         ("live.md", None),
         ("deploy.md", "Deploying: Lambda, a container, a timer"),
         ("testing.md", "Tests and benchmarks")]

LINK = re.compile(r"(\]\(\s*<?)([^\s)>#]+)")


def relink(text, out_dir):
    """Relative links of a docs/ page, rewritten for a page in out_dir;
    URLs, bare #anchors and code blocks are left alone."""
    out, fence = [], False
    for line in text.split("\n"):
        if line.startswith("```"):
            fence = not fence
        if not fence:
            line = LINK.sub(lambda m: m.group(1) + (
                m.group(2) if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", m.group(2))
                else os.path.relpath(os.path.join(DOCS, m.group(2)), out_dir)), line)
        out.append(line)
    return "\n".join(out)


def build(out_dir=None):
    """The manual, its links good for a page in out_dir (default: the
    current folder)."""
    parts = [read("overview.md").rstrip("\n") + "\n"]
    for name, title in PARTS:
        if name == "live.md":
            parts.append(going_live())
        else:
            parts.append(shift(read(name), title))
    return relink("\n".join(parts), os.path.abspath(out_dir or os.curdir))


def main(argv):
    if argv and argv[0] == "-o" and len(argv) == 2:
        out = argv[1]
        text = build(os.path.dirname(os.path.abspath(out)))
        tmp = out + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, out)
    elif not argv:
        sys.stdout.write(build())
    else:
        print("usage: build-manual.py [-o FILE]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
