#!/usr/bin/env python3
"""build-man.py: writes the spotbench(1) man page from the docs, so that
what `man spotbench` says is what docs/ says.

  scripts/build-man.py SPOTBENCH OUT.1

Sections: NAME; SYNOPSIS and COMMANDS from the binary's own help texts
(`spotbench help COMMAND`, the text `--help` prints); DESCRIPTION from the
opening of docs/overview.md; then the rest of the overview and every doc
of the manual, in its order (scripts/build-manual.py's PARTS; live mode
whole), each heading a section (.SH) or subsection (.SS); FILES and SEE
ALSO.
Markdown is turned into roff by the few rules the docs use: headings,
paragraphs, fenced code (.nf), bullet and numbered lists (.IP), tables (rows
kept as preformatted lines), `code` and **bold** in bold, [text](link) as
text.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def esc(s):
    """Escapes roff's specials in running text."""
    s = s.replace("\\", "\\e").replace("-", "\\-")
    return s


def inline(s):
    s = esc(s)
    s = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", s)
    s = re.sub(r"\*\*([^*]+)\*\*", r"\\fB\1\\fR", s)
    s = re.sub(r"`([^`]+)`", r"\\fB\1\\fR", s)
    s = re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"\\fI\1\\fR", s)
    return s


def line_safe(s):
    """A roff input line must not start with '.' or '\''."""
    return "\\&" + s if s[:1] in (".", "'") else s


def md_to_roff(text, top_level=2):
    out, para, fence = [], [], False

    def flush():
        if para:
            out.append(line_safe(inline(" ".join(para))))
            para.clear()

    for raw in text.split("\n"):
        line = raw.rstrip()
        if line.startswith("<!--"):
            continue
        if line.startswith("```"):
            flush()
            if not fence:
                out += [".PP", ".RS 4", ".nf"]
            else:
                out += [".fi", ".RE"]
            fence = not fence
            continue
        if fence:
            out.append(line_safe(esc(line)))
            continue
        m = re.match(r"^(#{1,6}) (.*)$", line)
        if m:
            flush()
            level = len(m.group(1))
            title = re.sub(r"`", "", m.group(2))
            if level <= top_level:
                out.append(".SH " + esc(title.upper()))
            else:
                out.append(".SS " + esc(title))
            continue
        if line.startswith("|"):
            flush()
            if re.match(r"^\|[\s:|-]+\|$", line):
                continue
            cells = [c.strip() for c in line.strip("|").split("|")]
            out += [".IP", line_safe(inline(" \u2014 ".join(c for c in cells if c)))]
            continue
        m = re.match(r"^(\s*)([-*]|\d+\.) (.*)$", line)
        if m:
            flush()
            bullet = "\\(bu" if m.group(2) in ("-", "*") else m.group(2)
            out += [f'.IP "{bullet}" 4', line_safe(inline(m.group(3)))]
            continue
        if not line.strip():
            flush()
            out.append(".PP")
            continue
        para.append(line.strip())
    flush()
    # Collapse runs of paragraph breaks.
    res = []
    for l in out:
        if l == ".PP" and res and res[-1] in (".PP", ".IP") or (l == ".PP" and not res):
            continue
        res.append(l)
    return "\n".join(res)


def load_build_manual():
    """scripts/build-manual.py as a module (its name has a dash)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "build_manual", os.path.join(ROOT, "scripts", "build-manual.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def read(name):
    with open(os.path.join(ROOT, "docs", name), encoding="utf-8") as fh:
        return fh.read()


def main(argv):
    if len(argv) != 2:
        print("usage: build-man.py SPOTBENCH OUT.1", file=sys.stderr)
        return 2
    sb, out_path = argv
    version = subprocess.run([sb, "--version"], capture_output=True, text=True).stdout.strip()
    main_help = subprocess.run([sb, "--help"], capture_output=True, text=True).stdout
    cmds = re.findall(r"^  (\w[\w-]*)\s{2,}(.*)$", main_help.split("commands:")[1].split("options:")[0],
                      re.M)
    cmds = [(n, d) for n, d in cmds if n != "help"]
    overview = read("overview.md")
    # The opening, without its title.
    intro = "\n".join(l for l in overview.split("\n## ", 1)[0].split("\n")
                      if not l.startswith("# "))
    parts = [f'.TH SPOTBENCH 1 "" "{esc(version)}" "spotbench manual"',
             ".SH NAME",
             "spotbench \\- Spot Fleet + on\\-demand fallback simulator, tuner and live controller",
             ".SH SYNOPSIS",
             ".B spotbench",
             ".I COMMAND",
             "[\\fIARGS\\fR]...",
             ".br",
             ".B spotbench help",
             ".I COMMAND",
             ".SH DESCRIPTION",
             md_to_roff(intro),
             ".SH COMMANDS"]
    for name, desc in cmds:
        usage = subprocess.run([sb, "help", name], capture_output=True, text=True).stdout
        parts += [f".SS {esc(name)}", line_safe(inline(desc)), ".PP", ".RS 4", ".nf"]
        parts += [line_safe(esc(l)) for l in usage.rstrip("\n").split("\n")]
        parts += [".fi", ".RE"]
    # The docs of the manual, in its order (build-manual.py's PARTS); live
    # mode whole rather than its "Going live" part.
    manual = load_build_manual()
    rest = overview.split("\n## ", 1)
    if len(rest) > 1:
        parts.append(md_to_roff("## " + rest[1], top_level=2))
    for name, title in manual.PARTS:
        text = read(name)
        if title:
            text = manual.shift(text, title)
        elif name == "live.md":
            text = manual.shift(text, "Live mode")
        parts.append(md_to_roff(text, top_level=2))
    parts += [".SH FILES",
              ".TP", "\\fI/etc/spotbench/live.json\\fR",
              "the live configuration of spotbench\\-live.service",
              ".TP", "\\fI/var/lib/spotbench/live.db\\fR", "its ticks (\\-\\-db)",
              ".TP", "\\fI/var/log/spotbench/ticks.jsonl\\fR",
              "its observations (\\-\\-record), rotated by logrotate",
              ".SH SEE ALSO",
              "The documentation in the source tree: README.md and docs/*.md."]
    text = "\n".join(parts) + "\n"
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, out_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
