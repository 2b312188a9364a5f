#!/usr/bin/env python3
"""build-readme.py: puts README.md together from docs/, so the references a
newcomer reads in the README and the ones linked from code stay one text.

  scripts/build-readme.py          rewrite README.md
  scripts/build-readme.py --check  exit 1 when README.md is out of date

Parts, in order: docs/overview.md as it is; then docs/scenario.md,
docs/store.md, docs/sweep.md, docs/traces.md, docs/regression.md and
docs/policies.md one heading level down; the "Going live" part of docs/live.md; docs/deploy.md
one level down; docs/testing.md.
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def read(name):
    with open(os.path.join(ROOT, "docs", name), encoding="utf-8") as f:
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
        "retries, exit status, `--record`, `--db`): [docs/live.md](docs/live.md).\n"


# The docs after the overview, in order, with their titles in the README;
# live.md contributes its "Going live" part only (None). The man page
# (scripts/build-man.py) is made from this same list.
PARTS = [("scenario.md", "Scenario file reference"),
         ("store.md", "The results database"),
         ("sweep.md", "Sweeps, tuning and figures"),
         ("traces.md", "Traces"),
         ("regression.md", "Regression suite"),
         ("policies.md", "Policies from the field: compare and tune"),
         ("live.md", None),
         ("deploy.md", "Deploying: Lambda, a container, a timer"),
         ("testing.md", None)]


def build():
    parts = [read("overview.md").rstrip("\n") + "\n"]
    for name, title in PARTS:
        if name == "live.md":
            parts.append(going_live())
        elif title:
            parts.append(shift(read(name), title))
        else:
            parts.append(read(name).rstrip("\n") + "\n")
    return "\n".join(parts)


def main():
    text = build()
    path = os.path.join(ROOT, "README.md")
    if "--check" in sys.argv[1:]:
        with open(path, encoding="utf-8") as f:
            if f.read() != text:
                print("README.md is out of date: run scripts/build-readme.py", file=sys.stderr)
                return 1
        return 0
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
