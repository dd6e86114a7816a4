#!/usr/bin/env python3
"""Builds the manual page man/smtpdoctor.1 from its source man/smtpdoctor.1.scd.

    python3 man/generate.py           rewrite man/smtpdoctor.1 (needs scdoc)
    python3 man/generate.py --check   exit 1 with a diff when man/smtpdoctor.1 is not what the
                                      source gives (77 when scdoc is not installed)

The roff is committed, so building and installing smtpdoctor never need scdoc.

scdoc writes the roff. Its output is then made clean for `groff -ww` and `mandoc -Tlint`, which
scdoc alone cannot do, since it has no way to write a roff request or escape:
  - the paragraph macros mandoc skips are dropped (after a heading, before a heading or another
    paragraph), and the one scdoc writes just before the end of an indented block moves after it;
  - characters outside ASCII become \\[uXXXX] (groff without preconv reads its input as Latin-1),
    with an ASCII stand-in for the check marks a device has no glyph for (PostScript has no ✗);
  - "-" becomes "\\-", so an option copied from the page has the ASCII hyphen-minus, and "\\\\"
    becomes "\\e";
  - filled text lines longer than 80 bytes are broken at a space.
The page keeps the date it has while nothing else changes, so regenerating is reproducible; a
change to the text dates it today (or $SOURCE_DATE_EPOCH).
"""
import calendar
import difflib
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SOURCE = os.path.join(HERE, "smtpdoctor.1.scd")
PAGE = os.path.join(HERE, "smtpdoctor.1")
TH_DATE = re.compile(r'^\.TH "[^"]*" "\d" "(\d{4}-\d\d-\d\d)"', re.M)
# Glyphs some output devices lack, and what to print there instead.
STAND_INS = {0x2713: "v", 0x2717: "x"}
# One roff escape (kept as it is) or a character this script rewrites.
ESCAPE_OR_CHAR = re.compile(r"\\(?:\\|h'[^']*'|\(..|\[[^\]]*\]|.)|-|[^\x00-\x7f]")
MAX_LINE = 80


def scdoc(date):
    """The roff scdoc writes for the source, dated DATE (YYYY-MM-DD)."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(calendar.timegm(time.strptime(date, "%Y-%m-%d"))))
    with open(SOURCE, "rb") as source:
        result = subprocess.run(["scdoc"], stdin=source, capture_output=True, env=env)
    if result.returncode != 0:
        sys.exit(f"scdoc failed on {SOURCE}: {result.stderr.decode(errors='replace')}")
    return result.stdout.decode("utf-8")


def escape_text(text, used):
    def replace(match):
        s = match.group(0)
        if s == "\\\\":
            return "\\e"
        if s.startswith("\\"):
            return s
        if s == "-":
            return "\\-"
        used.add(ord(s))
        return f"\\[u{ord(s):04X}]"

    return ESCAPE_OR_CHAR.sub(replace, text)


def break_line(line):
    """A filled text line as lines of at most MAX_LINE bytes, broken at spaces between escapes."""
    lines = []
    while len(line) > MAX_LINE:
        spaces = [m.start() for m in re.finditer(r"\\(?:h'[^']*'|\(..|\[[^\]]*\]|.)| ", line)
                  if m.group(0) == " " and 0 < m.start() <= MAX_LINE]
        if not spaces:
            break
        lines.append(line[: spaces[-1]].rstrip(" "))
        line = line[spaces[-1]:].lstrip(" ")
        if line.startswith((".", "'")):
            line = "\\&" + line
    return lines + [line]


def tidy(roff):
    out = []
    paragraph = False  # a .P waits to be written before the next text
    filled = True
    used = set()
    for line in roff.splitlines():
        if line in (".P", ".PP"):
            paragraph = True
            continue
        if line == ".RE":
            out.append(line)  # the waiting .P, if any, goes after the end of the block
            continue
        heading = line.startswith((".SH ", ".SS "))
        if paragraph and out and not heading and not out[-1].startswith((".TH", ".SH", ".SS")):
            out.append(".P")
        paragraph = False
        if line == ".nf":
            filled = False
        elif line == ".fi":
            filled = True
        if heading:
            out.append(line[:4] + escape_text(line[4:], used))
        elif line.startswith(".") and not line.startswith("\\"):
            out.append(line)
        else:
            text = escape_text(line, used)
            if text.startswith("'"):
                text = "\\&" + text
            out.extend(break_line(text.rstrip(" ")) if filled else [text])
    th = next(i for i, l in enumerate(out) if l.startswith(".TH "))
    for code in sorted(used & STAND_INS.keys()):
        out.insert(th + 1, f".if !c\\[u{code:04X}] .char \\[u{code:04X}] {STAND_INS[code]}")
    return "\n".join(out) + "\n"


def committed_page():
    try:
        with open(PAGE, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return None


def main():
    check = sys.argv[1:] == ["--check"]
    if sys.argv[1:] not in ([], ["--check"]):
        sys.exit(__doc__)
    if not shutil.which("scdoc"):
        print("SKIP: scdoc is not installed (Debian package scdoc), so the page cannot be rebuilt")
        sys.exit(77 if check else 1)
    page = committed_page()
    dated = TH_DATE.search(page or "")
    date = dated.group(1) if dated else time.strftime("%Y-%m-%d", time.gmtime())
    generated = tidy(scdoc(date))
    if generated == page:
        print(f"{os.path.relpath(PAGE, ROOT)} is what {os.path.relpath(SOURCE, ROOT)} gives")
        return
    if check:
        sys.stdout.writelines(difflib.unified_diff(
            (page or "").splitlines(True), generated.splitlines(True),
            "man/smtpdoctor.1 (committed)", "man/smtpdoctor.1 (from smtpdoctor.1.scd)"))
        print("FAIL: man/smtpdoctor.1 differs from what man/smtpdoctor.1.scd gives; "
              "run `python3 man/generate.py` and commit both")
        sys.exit(1)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    today = time.gmtime(int(epoch)) if epoch else time.gmtime()
    with open(PAGE, "w", encoding="utf-8") as f:
        f.write(tidy(scdoc(time.strftime("%Y-%m-%d", today))))
    print(f"wrote {os.path.relpath(PAGE, ROOT)}")


if __name__ == "__main__":
    main()
