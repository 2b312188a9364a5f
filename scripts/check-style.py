#!/usr/bin/env python3
"""check-style.py: the project's mechanical style rule, checked by make test
(tests/cli/test_style.sh).

  scripts/check-style.py [FILE...]   (default: every C source and header
                                      git tracks, and the CLI test scripts)

For C sources and headers (*.c, *.h): lines of at most 100 columns (the
width the code is written at: 99 % of its lines fit in it), indentation
with spaces, no tab characters. For every file checked: no trailing
whitespace, no carriage return, a final newline. Prints
`FILE:LINE: what is wrong` for each fault and exits 1 when there is one.
"""
import os
import subprocess
import sys

WIDTH = 100


def tracked():
    out = subprocess.run(["git", "ls-files", "*.c", "*.h", "tests/cli/*.sh", "scripts/*.py",
                          "scripts/*.sh"],
                         capture_output=True, text=True, check=True).stdout
    return [p for p in out.split("\n") if p and os.path.exists(p)]


def check(path):
    faults = []
    with open(path, "rb") as f:
        data = f.read()
    text = data.decode("utf-8", errors="replace")
    is_c = path.endswith((".c", ".h"))
    lines = text.split("\n")
    for n, line in enumerate(lines[:-1] if text.endswith("\n") else lines, 1):
        if "\r" in line:
            faults.append((n, "carriage return"))
        if line.rstrip("\r") != line.rstrip():
            faults.append((n, "trailing whitespace"))
        if is_c and "\t" in line:
            faults.append((n, "tab character (indent with spaces)"))
        if is_c and len(line) > WIDTH:
            faults.append((n, f"{len(line)} columns, more than {WIDTH}"))
    if data and not data.endswith(b"\n"):
        faults.append((len(lines), "no newline at the end of the file"))
    return faults


def main(argv):
    paths = argv[1:] or tracked()
    bad = 0
    for p in paths:
        for n, what in check(p):
            print(f"{p}:{n}: {what}")
            bad += 1
    if bad:
        print(f"style: {bad} fault(s) in {len(paths)} files", file=sys.stderr)
        return 1
    print(f"style: {len(paths)} files checked, 0 faults")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
