#!/usr/bin/env python3
"""check-links.py: every relative link and image in the Markdown pages leads
somewhere, each page read on its own (as a repository host renders it).

  scripts/check-links.py           README.md and docs/*.md
  scripts/check-links.py FILE...   only these pages

A link's path is taken relative to the page that holds it and must name a
file or folder that exists; its #anchor must be a heading (or an HTML id or
name) of the target page, or of the page itself for a bare #anchor. Anchors
are the headings' slugs as GitHub makes them: the heading's text as shown
(inline code, emphasis and link syntax removed), lower-cased, every
character but letters, digits, '-', '_' and spaces dropped, each space a
'-'; a repeated slug gets -1, -2, ... Links with a scheme (https:, mailto:)
are not followed. Text in code blocks and code spans is not a link.

Each broken link is printed on standard error as
  FILE:LINE: broken link 'TARGET' (what is wrong)
LINE being the line of its target; then a count on standard output. The
exit status is 1 when a link is broken, 2 when a page cannot be read.
"""
import glob
import os
import re
import sys
import unicodedata
import urllib.parse

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# [text](target "title") and ![alt](target): text may hold one level of
# brackets and run over lines; target may be <in angle brackets>.
INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
                    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")
REFDEF = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*(<[^>\n]*>|\S+)", re.M)
HTML_LINK = re.compile(r"<(?:a|img)\b[^>]*?\b(?:href|src)\s*=\s*[\"']([^\"']*)[\"']", re.I)
HTML_ID = re.compile(r"<[a-z][^>]*?\b(?:id|name)\s*=\s*[\"']([^\"']*)[\"']", re.I)
ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")


def without_fences(text):
    """The page's lines with fenced code blocks emptied: a '#' or a link
    there is code."""
    out, fence = [], None
    for line in text.split("\n"):
        m = FENCE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                    and not line.strip()[len(m.group(1)):].strip():
                fence = None
            out.append("")
        elif m:
            fence = m.group(1)
            out.append("")
        else:
            out.append(line)
    return out


def blank_code(text):
    """The text with code blocks and code spans turned into spaces, line
    breaks kept, so that line numbers still hold."""
    def spaces(m):
        return re.sub(r"[^\n]", " ", m.group(0))
    # A code span: a run of backticks up to the next run of the same length.
    return re.sub(r"(`+)(?:(?!\1)[\s\S])*?(?<!`)\1(?!`)", spaces,
                  "\n".join(without_fences(text)))


def heading_text(raw):
    """A heading's text as it is shown."""
    s = re.sub(r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\([^)]*\)", r"\1", raw)
    s = re.sub(r"<[^>]+>", "", s)
    s = s.replace("`", "")
    s = re.sub(r"(\*+)(\S(?:.*?\S)?)\1", r"\2", s)
    return s.strip()


def slug(text):
    out = []
    for c in heading_text(text).lower():
        if c == " ":
            out.append("-")
        elif c in "-_" or unicodedata.category(c)[0] in "LNM":
            out.append(c)
    return "".join(out)


def anchors(text):
    """The anchors a page has: its headings' slugs and its HTML ids."""
    lines = without_fences(text)
    seen, found = {}, set()
    prev = ""
    for line in lines:
        m = ATX.match(line)
        title = None
        if m:
            title = m.group(2) or ""
        elif SETEXT.match(line) and prev.strip() and not ATX.match(prev) \
                and not re.match(r"^ {0,3}([-*+>|]|\d+[.)])", prev):
            title = prev.strip()
        if title is not None:
            s = slug(title)
            n = seen.get(s, 0)
            seen[s] = n + 1
            found.add(s if n == 0 else "%s-%d" % (s, n))
        prev = line
    for m in HTML_ID.finditer("\n".join(lines)):
        found.add(m.group(1))
    return found


_pages = {}


def page_anchors(path):
    if path not in _pages:
        with open(path, encoding="utf-8") as f:
            _pages[path] = anchors(f.read())
    return _pages[path]


def links(text):
    """(line, target) of every link and image of a page, in order."""
    clean = blank_code(text)
    found = []

    def inline(start, end):
        pos = start
        while True:
            m = INLINE.search(clean, pos, end)
            if not m:
                return
            found.append((m.start(1), m.group(1)))
            # An image inside a link's text: [![alt](img)](target).
            inline(m.start() + 1, clean.rindex("](", m.start(), m.start(1)))
            pos = m.end()
    inline(0, len(clean))
    # Reference definitions, [label]: target, are checked where they stand.
    found += [(m.start(2), m.group(2)) for m in REFDEF.finditer(clean)]
    found += [(m.start(1), m.group(1)) for m in HTML_LINK.finditer(clean)]
    out = []
    for pos, target in sorted(found):
        if target.startswith("<") and target.endswith(">"):
            target = target[1:-1]
        out.append((clean.count("\n", 0, pos) + 1, target))
    return out


def check(path, shown):
    """The number of links of one page, and its broken ones as messages."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    here = os.path.dirname(os.path.abspath(path))
    found, bad = links(text), []
    for line, target in found:
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", target) or target.startswith("//"):
            continue  # a URL, not followed
        why = None
        file_part, _, frag = target.partition("#")
        file_part = urllib.parse.unquote(file_part)
        frag = urllib.parse.unquote(frag)
        if not target:
            why = "empty target"
        elif file_part.startswith("/"):
            why = "an absolute path: no page would find it"
        else:
            dest = os.path.normpath(os.path.join(here, file_part)) if file_part \
                else os.path.abspath(path)
            if not os.path.exists(dest):
                rel = os.path.relpath(dest)
                why = "no such file: %s" % (dest if rel.startswith("..") else rel)
            elif frag and os.path.isfile(dest) and dest.endswith(".md"):
                if frag not in page_anchors(dest):
                    why = "no heading #%s in %s" % (
                        frag, os.path.basename(dest) if file_part else "this page")
        if why:
            bad.append("%s:%d: broken link '%s' (%s)" % (shown, line, target, why))
    return len(found), bad


def main(argv):
    if any(a.startswith("-") for a in argv):
        print("usage: check-links.py [FILE.md]...", file=sys.stderr)
        return 2
    files = argv or [os.path.join(ROOT, "README.md")] + \
        sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    broken, count = [], 0
    for path in files:
        shown = path if argv else os.path.relpath(path, ROOT)
        try:
            n, msgs = check(path, shown)
        except (OSError, UnicodeDecodeError) as e:
            print("%s: %s" % (shown, e), file=sys.stderr)
            return 2
        count += n
        broken += msgs
    for msg in broken:
        print(msg, file=sys.stderr)
    print("links: %d checked in %d pages, %d broken" % (count, len(files), len(broken)))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
