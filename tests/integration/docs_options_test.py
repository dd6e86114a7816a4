#!/usr/bin/env python3
"""The manual page and the shell completions against the real binary.

Runs `smtpdoctor <cmd> --help` for every subcommand the top-level help lists and fails when
  - a long option of a subcommand is not documented in that subcommand's section of
    man/smtpdoctor.1 (as the tag of an entry: a text line followed by the indented block of its
    description, the shape scdoc gives `*--opt* _ARG_` followed by a tab-indented paragraph), or
    the section documents one the subcommand does not have, or the page mentions a long option
    no command has;
  - the entries of the page's PROBES section are not exactly the probe ids of core/report/probe_id.cpp
    (which `check --only` must also list when it rejects an id), or the entries of DIAGNOSIS
    CATEGORIES not exactly the category names of core/diagnosis/diagnosis.cpp;
  - bash, as a user would drive it, does not offer exactly that subcommand's long options after
    `--`, or offers options where an option's value is expected (or a value after a flag);
  - fish does not offer exactly those long options (when fish is installed);
  - the zsh completion's block for the subcommand does not name exactly those options (zsh has
    no way to drive completion non-interactively, so this one reads the script).
Needs SMTPDOCTOR (the binary) and SMTPDOCTOR_SOURCE_DIR in the environment.
"""
import os
import re
import shutil
import subprocess
import sys

BINARY = os.environ.get("SMTPDOCTOR")
SOURCE = os.environ.get("SMTPDOCTOR_SOURCE_DIR")
if not BINARY or not SOURCE:
    print("FAIL: SMTPDOCTOR and SMTPDOCTOR_SOURCE_DIR must be set (see tests/CMakeLists.txt)")
    sys.exit(1)
PAGE = os.path.join(SOURCE, "man", "smtpdoctor.1")
COMPLETIONS = os.path.join(SOURCE, "completions")

failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message)


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=30, **kwargs)


# ---- the binary -------------------------------------------------------------------------------

# CLI11 help: an option line starts with two spaces and a dash; the names are comma-separated,
# followed by the value's type (TEXT, INT, DUR, [MECH] ...), markers such as "Excludes:", and the
# description from column 30 on (or on the next line when the names are long).
OPTION_LINE = re.compile(r"^  (-[^\s]+)(.*)$")
NOT_A_TYPE = {"Excludes:", "Needs:", "REQUIRED"}


def help_options(args):
    """{long option: takes a value} from `smtpdoctor ARGS --help`."""
    result = run([BINARY, *args, "--help"])
    if result.returncode != 0:
        fail(f"`smtpdoctor {' '.join(args)} --help` exited {result.returncode}: {result.stderr}")
    options = {}
    for line in result.stdout.splitlines():
        match = OPTION_LINE.match(line)
        if not match:
            continue
        rest = line[: 30] if len(line) > 30 and line[28:30] == "  " else line
        words = rest.split()[1:]
        takes_value = bool(words) and words[0] not in NOT_A_TYPE and (
            words[0][0].isupper() or words[0][0] == "[")
        for name in match.group(1).split(","):
            if name.startswith("--"):
                options[name] = takes_value
    return options, result.stdout


top_options, top_help = help_options([])
commands = []
in_subcommands = False
for line in top_help.splitlines():
    if line.startswith("Subcommands:"):
        in_subcommands = True
    elif in_subcommands and line.startswith("  ") and line.split():
        commands.append(line.split()[0])
if set(commands) != {"check", "serve", "send", "explain", "selftest"}:
    fail(f"top-level --help lists subcommands {commands}")
if set(top_options) != {"--help", "--version"}:
    fail(f"top-level --help lists options {sorted(top_options)}")

options_of = {}
for command in commands:
    options_of[command], _ = help_options([command])
    # A parser that found nothing would make every comparison below pass.
    if "--help" not in options_of[command] or len(options_of[command]) < 2:
        fail(f"found no options in `smtpdoctor {command} --help`: {options_of[command]}")
all_options = set(top_options).union(*(set(o) for o in options_of.values()))

# ---- the manual page --------------------------------------------------------------------------

with open(PAGE, encoding="utf-8") as f:
    page = f.read()
lines = page.splitlines()


def unescape(roff):
    """Roff text as a reader sees it: font changes and zero-width escapes gone, \\- as -."""
    return re.sub(r"\\f[BIRP]|\\&", "", roff).replace("\\-", "-").replace("\\e", "\\")


def section(macro, title):
    """The lines of the .SH/.SS section whose title starts with TITLE, up to the next heading
    (for a .SH, up to its first .SS), or None."""
    heading = re.compile(rf'^\.{macro} "?{re.escape(title)}(?![\w-])')
    start = next((i for i, l in enumerate(lines) if heading.match(unescape(l))), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith((".SS", ".SH"))),
               len(lines))
    return lines[start + 1: end]


def entry_tags(body, depth=None):
    """The tags of the entries in BODY, unescaped: a text line followed by the indented block of
    its description. With DEPTH, only the entries at that nesting (0: not inside another)."""
    tags = []
    level = 0
    for i, line in enumerate(body):
        if line.startswith(".RS"):
            level += 1
        elif line.startswith(".RE"):
            level -= 1
        elif (not line.startswith(".") and i + 1 < len(body) and body[i + 1].startswith(".RS")
              and (depth is None or level == depth)):
            tags.append(unescape(line))
    return tags


LONG = re.compile(r"(?<![\w-])--[a-z0-9][a-z0-9-]*")
for opt in sorted(set(LONG.findall(unescape(page))) - all_options):
    fail(f"the man page mentions {opt}, which no smtpdoctor command has")

for command in commands:
    body = section("SS", f"smtpdoctor {command}")
    if body is None:
        fail(f"the man page has no section .SS \"smtpdoctor {command} ...\"")
        continue
    documented = set()
    for tag in entry_tags(body):
        documented.update(LONG.findall(tag))
    expected = set(options_of[command]) - {"--help"}  # documented once, under COMMANDS
    for opt in sorted(expected - documented):
        fail(f"`smtpdoctor {command}` has {opt}, but its man page section does not document it")
    for opt in sorted(documented - set(options_of[command])):
        fail(f"the man page documents {opt} for `smtpdoctor {command}`, which has no such option")
if "\\-\\-help" not in page:
    fail("the man page does not mention --help")

# ---- probe ids and diagnosis categories ---------------------------------------------------------


def name_table(path, table, entry):
    """The names in the std::array TABLE of the C++ file PATH, each matched by the regex ENTRY;
    fails when their count is not the array's declared size (a table this test misreads)."""
    with open(os.path.join(SOURCE, path), encoding="utf-8") as f:
        code = f.read()
    declared = re.search(rf"std::array<[^;{{]*?,\s*(\d+)>\s*{table}\s*\{{+(.*?)\}}+;", code, re.S)
    if not declared:
        fail(f"found no table {table} in {path}")
        return []
    names = re.findall(entry, declared.group(2))
    if len(names) != int(declared.group(1)) or len(set(names)) != len(names):
        fail(f"read {len(names)} names from {path}'s {table}, which holds {declared.group(1)}: "
             f"{names}")
    return names


def compare_entries(what, names, heading, body):
    if body is None:
        fail(f"the man page has no section {heading}")
        return
    tags = entry_tags(body, depth=0)
    if not tags:
        fail(f"found no entries in the man page's {heading} section")
    for name in names:
        if name not in tags:
            fail(f"{what} {name} is not an entry of the man page's {heading} section")
    for tag in tags:
        if tag not in names:
            fail(f"the man page's {heading} section documents {tag!r}, which is no {what}")


probe_ids = name_table("core/report/probe_id.cpp", "kNames", r'"([a-z0-9_]+)"')
compare_entries("probe id", probe_ids, "PROBES", section("SH", "PROBES"))
# The report's probes[].id lists them again, in bold.
report = section("SS", "smtpdoctor.report/1") or []
id_entry = next((i for i, l in enumerate(report)
                 if unescape(l) == "id" and i + 1 < len(report) and report[i + 1] == ".RS 4"), None)
if id_entry is None:
    fail("the man page's JSON OUTPUT has no entry for probes[].id")
else:
    described = report[id_entry + 2: report.index(".RE", id_entry)]
    listed = re.findall(r"\\fB([a-z0-9_]+)\\fR", " ".join(described))
    if listed != probe_ids:
        fail(f"the man page gives the report's probe ids as {listed}, the code has {probe_ids}")
# The list `check --only` gives when it rejects an id is what a user goes by: the same ids.
result = run([BINARY, "check", "--offline", "127.0.0.1", "--only=nosuchprobe"])
listed = re.search(r"\(probes: ([a-z0-9_, ]+)\)", result.stderr + result.stdout)
if result.returncode != 2 or not listed:
    fail(f"`smtpdoctor check --only nosuchprobe` exited {result.returncode} without listing the "
         f"probes: {result.stderr}{result.stdout}")
elif listed.group(1).split(", ") != probe_ids:
    fail(f"`check --only` lists the probes {listed.group(1)}, core/report/probe_id.cpp has {probe_ids}")

categories = name_table("core/diagnosis/diagnosis.cpp", "kCategoryNames",
                        r'\{Category::\w+,\s*"([a-z0-9_]+)"\}')
compare_entries("diagnosis category", categories, "DIAGNOSIS CATEGORIES",
                section("SH", "DIAGNOSIS CATEGORIES"))

# ---- bash -------------------------------------------------------------------------------------

# Drive the completion function the way readline does, with bash-completion's helpers stubbed
# so the test does not depend on the bash-completion package. One completion per line of stdin.
BASH_DRIVER = r'''
_init_completion() { words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; cur="${words[cword]}"; prev="${words[cword-1]}"; }
_filedir() { COMPREPLY=(FILES); }
_known_hosts_real() { COMPREPLY=(HOSTS); }
compopt() { :; }
. "$1/smtpdoctor.bash"
while IFS= read -r line; do
  eval "COMP_WORDS=($line)"
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _smtpdoctor
  echo "${COMPREPLY[*]}"
done
'''


def bash_complete(word_lists):
    script = "\n".join(" ".join("'" + w + "'" for w in words) for words in word_lists) + "\n"
    result = run(["bash", "-c", BASH_DRIVER, "_", COMPLETIONS], input=script)
    if result.returncode != 0 or result.stderr:
        fail(f"bash completion errors: {result.stderr}")
    out = result.stdout.split("\n")
    return [set(o.split()) for o in out[: len(word_lists)]]


queries = [["smtpdoctor", "--"], ["smtpdoctor", ""]]
for command in commands:
    queries.append(["smtpdoctor", command, "--"])
    for opt in sorted(options_of[command]):
        if opt != "--help":
            queries.append(["smtpdoctor", command, opt, "-"])
answers = iter(bash_complete(queries))
got = next(answers)
if got != set(top_options):
    fail(f"bash: `smtpdoctor --<TAB>` offers {sorted(got)}, not {sorted(top_options)}")
got = next(answers)
if not set(commands) <= got:
    fail(f"bash: `smtpdoctor <TAB>` offers {sorted(got)}, missing {sorted(set(commands) - got)}")
for command in commands:
    got = {w for w in next(answers) if w.startswith("--")}
    for opt in sorted(set(options_of[command]) - got):
        fail(f"bash: `smtpdoctor {command} --<TAB>` does not offer {opt}")
    for opt in sorted(got - set(options_of[command])):
        fail(f"bash: `smtpdoctor {command} --<TAB>` offers {opt}, which it does not have")
    for opt in sorted(options_of[command]):
        if opt == "--help":
            continue
        offers_options = any(w.startswith("-") for w in next(answers))
        if options_of[command][opt] and offers_options:
            fail(f"bash: after `smtpdoctor {command} {opt}` (which takes a value) options are offered")
        if not options_of[command][opt] and not offers_options:
            fail(f"bash: after the flag `smtpdoctor {command} {opt}` no options are offered "
                 "(it is completed as if it took a value)")

# ---- fish -------------------------------------------------------------------------------------

if shutil.which("fish"):
    fish_script = os.path.join(COMPLETIONS, "smtpdoctor.fish")
    for command in commands:
        result = run(["fish", "-c", f"source {fish_script}; complete -C 'smtpdoctor {command} --'"])
        got = {l.split("\t")[0] for l in result.stdout.splitlines() if l.startswith("--")}
        for opt in sorted(set(options_of[command]) - got):
            fail(f"fish: `smtpdoctor {command} --<TAB>` does not offer {opt}")
        for opt in sorted(got - set(options_of[command])):
            fail(f"fish: `smtpdoctor {command} --<TAB>` offers {opt}, which it does not have")
else:
    print("skip: fish not installed")

# ---- zsh --------------------------------------------------------------------------------------

with open(os.path.join(COMPLETIONS, "_smtpdoctor"), encoding="utf-8") as f:
    zsh = f.read()
for command in commands:
    # Each subcommand's specs sit in its own `        check)` ... `;;` block.
    block = re.search(rf"^\s+{command}\)\n(.*?)^\s+;;", zsh, re.S | re.M)
    if not block:
        fail(f"zsh: no completion block for {command}")
        continue
    got = set(LONG.findall(block.group(1)))
    for opt in sorted(set(options_of[command]) - got):
        fail(f"zsh: the {command} block does not complete {opt}")
    for opt in sorted(got - set(options_of[command])):
        fail(f"zsh: the {command} block completes {opt}, which `smtpdoctor {command}` does not have")

if failures:
    print(f"{len(failures)} problem(s); the man page and completions must follow cli/ and core/ "
          "(see above)")
    sys.exit(1)
print(f"docs agree with the binary: {sum(len(o) for o in options_of.values())} options "
      f"of {len(commands)} commands, {len(probe_ids)} probes, {len(categories)} categories")
