"""What the shell completion tests (completion_{bash,zsh,fish}_test.py) share: what a user may
type, taken from the built binary's --help and the code's own name tables, and the completions
every shell must offer for it. Each test only knows how to make its shell complete a line.

A completion result is the set of whole words the shell would put in place of the last word of
the line (`--only=tcp,ba` -> `--only=tcp,banner`), directories without their trailing slash.

Environment (set by ctest): SMTPDOCTOR (the binary), SMTPDOCTOR_SOURCE_DIR.
"""

import concurrent.futures
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("SMTPDOCTOR_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
COMPLETIONS = os.path.join(SOURCE_DIR, "completions")
BINARY = os.environ.get("SMTPDOCTOR")

# The exit code ctest reads as "skipped" (SKIP_RETURN_CODE in tests/CMakeLists.txt).
SKIP = 77
# An exported variable the shells must offer after --password-env.
PASSWORD_VARIABLE = "SMTPDOCTOR_COMPLETION_SECRET"


def skip(reason):
    print("skip: " + reason)
    sys.exit(SKIP)


def smtpdoctor(*args):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=30,
                          env=dict(os.environ, NO_COLOR="1", TERM="dumb"))


def help_text(*command):
    done = smtpdoctor(*command, "--help")
    assert done.returncode == 0, f"smtpdoctor {' '.join(command)} --help: {done.stderr}"
    return done.stdout


def long_options(text):
    """The long options of a CLI11 --help text (lines "  -a,--auth TEXT  description")."""
    names = set()
    for line in text.splitlines():
        if line.startswith("  -"):
            names.update(n for n in line.split()[0].split(",") if n.startswith("--"))
    return names


def description(text, option):
    """The help text of one option: its line and the indented lines that continue it."""
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines)
                 if l.startswith("  -") and option in l.split()[0].split(","))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith("     ")),
               len(lines))
    return " ".join(lines[start:end])


def names_in_source(path, table):
    """The string literals of a C++ name table, e.g. kNames in core/report/probe_id.cpp."""
    with open(os.path.join(SOURCE_DIR, path), encoding="utf-8") as f:
        source = f.read()
    body = re.search(table + r"(?:\[\])?\s*(?:=\s*)?\{(.*?)\};", source, re.S)
    assert body, f"no table {table} in {path}"
    return re.findall(r'"([^"]+)"', body.group(1))


def format_names(command):
    rejected = smtpdoctor(command, "--format", "no-such-format")
    listed = re.search(r"\{([^}]*)\}", rejected.stderr)
    assert rejected.returncode == 2 and listed, f"{command} --format no-such-format: {rejected.stderr}"
    return [f.strip() for f in listed.group(1).split(",")]


# The subcommands with --format.
FORMAT_COMMANDS = ("check", "selftest")


class Cli:
    """What the binary and the code say a user can type."""

    def __init__(self):
        top = help_text()
        section = top.split("Subcommands:", 1)[1] if "Subcommands:" in top else ""
        self.commands = [l.split()[0] for l in section.splitlines() if l.startswith("  ")]
        assert {"check", "send"} <= set(self.commands), f"subcommands from --help: {top}"
        self.top_options = long_options(top)
        with concurrent.futures.ThreadPoolExecutor(8) as pool:  # a sanitizer build starts slowly
            helps = pool.map(help_text, self.commands)
            # --format: the set CLI11 checks it against, as its error message lists it.
            formats = pool.map(format_names, FORMAT_COMMANDS)
            self.helps = dict(zip(self.commands, helps))
            self.formats = dict(zip(FORMAT_COMMANDS, formats))
        self.options = {c: long_options(t) for c, t in self.helps.items()}
        for command, options in self.options.items():
            assert "--help" in options and len(options) > 1, f"no options in {command} --help"

        # Probe ids: the one table the code parses --only/--skip with.
        self.probes = names_in_source("core/report/probe_id.cpp", "kNames")
        # Stages for --quit-after, as check --help names them.
        quit_after = description(self.helps["check"], "--quit-after")
        self.stages = re.findall(r"\b[a-z]+\b", quit_after.split("stage:", 1)[1])
        assert "rcpt" in self.stages, quit_after
        # AUTH mechanisms: those of the client (core/smtp/sasl.hpp) that each --auth help names.
        client = names_in_source("core/smtp/sasl.hpp", "kClientMechanisms")
        self.mechanisms = {}
        for command in ("check", "send"):
            text = description(self.helps[command], "--auth")
            self.mechanisms[command] = {m for m in client if re.search(rf"\b{m}\b", text)}
        # serve: the capabilities --hide names and the faults its footer lists.
        hide = description(self.helps["serve"], "--hide").split(":", 1)[1]
        self.capabilities = set(re.findall(r"\b[0-9A-Z]{3,}\b", hide))
        footer = self.helps["serve"].split("Faults", 1)[1].split("\n\n", 1)[0]
        self.faults = set()
        for spec in re.findall(r"^  ([a-z0-9-]+(?:=\S+)?)\s", footer, re.M):
            name, _, value = spec.partition("=")
            if not value:
                self.faults.add(name)
            elif value.isupper():  # a placeholder such as DUR, ADDR, VERB, N
                self.faults.add(name + "=")
            else:
                self.faults.update(f"{name}={v}" for v in value.split("|"))
        assert len(self.faults) > 3, footer

    def stage_accepted(self, stage):
        """Whether `check --quit-after STAGE` runs: checked against a loopback port no one
        listens on (the kernel's pick, closed again), so it ends at once."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        done = smtpdoctor("check", "--offline", "--only", "tcp", "--timeout", "2s",
                          "--quit-after", stage, f"127.0.0.1:{port}")
        return done.returncode != 2


class Files:
    """A temporary directory with files and a subdirectory the file completions must offer."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="smtpdoctor-completion-")
        self.files = [os.path.join(self.dir, n) for n in ("password.txt", "ca.pem")]
        self.subdir = os.path.join(self.dir, "keys")
        for path in self.files:
            with open(path, "w", encoding="utf-8") as f:
                f.write("secret\n")
        os.mkdir(self.subdir)
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir)


# Options whose value is a file (and --store, a directory), by subcommand.
FILE_OPTIONS = {
    "check": ["--password-file", "--ca-file"],
    "send": ["--password-file", "--ca-file", "--body-file"],
    "serve": ["--cert", "--key", "--users-file"],
}


def cases(cli, files):
    """[(line, expected words, filter)]: completing LINE must offer exactly EXPECTED among the
    offered words FILTER keeps (all of them when FILTER is None)."""
    everything = None
    options_only = lambda w: w.startswith("--")  # noqa: E731
    not_options = lambda w: not w.startswith("-")  # noqa: E731
    c = []
    c.append(("smtpdoctor ", set(cli.commands), not_options))
    c.append(("smtpdoctor --", cli.top_options, everything))
    prefix = cli.commands[0][:2]
    c.append((f"smtpdoctor {prefix}", {x for x in cli.commands if x.startswith(prefix)}, everything))
    for command in cli.commands:
        c.append((f"smtpdoctor {command} --", cli.options[command], options_only))
        # After an earlier option and its value, the options that still make sense.
        rest = cli.options[command] - {"--help", "--json", "--format", "--timeout"}
        earlier = "--json --timeout 5" if "--timeout" in cli.options[command] else "--json"
        if rest:
            c.append((f"smtpdoctor {command} {earlier} --", rest, rest.__contains__))

    probes = cli.probes
    for option in ("--only", "--skip"):
        c.append((f"smtpdoctor check {option} ", set(probes), everything))
        # A comma list: the ids not given yet, after what is already there.
        c.append((f"smtpdoctor check {option} {probes[0]},",
                  {f"{probes[0]},{p}" for p in probes[1:]}, everything))
        c.append((f"smtpdoctor check {option}={probes[1]},{probes[2]},",
                  {f"{option}={probes[1]},{probes[2]},{p}" for p in probes
                   if p not in probes[1:3]}, everything))
    assert "tcp" in probes and "banner" in probes
    c.append(("smtpdoctor check --only tcp,ba", {"tcp,banner"}, everything))
    c.append(("smtpdoctor check --skip=tcp,ba", {"--skip=tcp,banner"}, everything))

    for command, formats in cli.formats.items():
        c.append((f"smtpdoctor {command} --format ", set(formats), everything))
        c.append((f"smtpdoctor {command} --format={formats[-1][0]}",
                  {f"--format={f}" for f in formats if f[0] == formats[-1][0]}, everything))

    c.append(("smtpdoctor check --quit-after rc", {"rcpt"}, everything))
    for command, mechanisms in cli.mechanisms.items():
        c.append((f"smtpdoctor {command} --auth ", mechanisms, everything))
        c.append((f"smtpdoctor {command} -a ", mechanisms, everything))
    c.append(("smtpdoctor serve --hide ", cli.capabilities, everything))
    c.append(("smtpdoctor serve --fault ", cli.faults, everything))

    listing = set(files.files) | {files.subdir}
    password = files.files[0]
    for command, options in FILE_OPTIONS.items():
        for option in options:
            c.append((f"smtpdoctor {command} {option} {files.dir}/", listing, everything))
    c.append((f"smtpdoctor check --password-file {files.dir}/pa", {password}, everything))
    c.append((f"smtpdoctor send --password-file={files.dir}/pa",
              {f"--password-file={password}"}, everything))
    c.append((f"smtpdoctor serve --store {files.dir}/", {files.subdir}, everything))
    for command in ("check", "send"):
        c.append((f"smtpdoctor {command} --password-env {PASSWORD_VARIABLE[:-3]}",
                  {PASSWORD_VARIABLE}, everything))
    return c


def run(shell, complete):
    """The whole test for one shell: COMPLETE(list of lines, environment) -> list of sets of
    offered words. Prints each failure; exits 1 if there was one."""
    if not BINARY:
        print("FAIL: SMTPDOCTOR must name the built binary (see tests/CMakeLists.txt)")
        sys.exit(1)
    cli = Cli()
    env = dict(os.environ, **{PASSWORD_VARIABLE: "x"})
    failures = []
    with Files() as files:
        all_cases = cases(cli, files)
        # --quit-after: every stage check --help names, and no other the binary would refuse.
        stage_line, stages = "smtpdoctor check --quit-after ", set(cli.stages)
        lines = [line for line, _, _ in all_cases] + [stage_line]
        offered = complete(lines, env)
        assert len(offered) == len(lines), f"{shell}: {len(offered)} answers for {len(lines)} lines"
        for (line, expected, keep), got in zip(all_cases, offered):
            got = {w.rstrip("/") if w.endswith("/") and len(w) > 1 else w for w in got}
            if keep:
                got = {w for w in got if keep(w)}
            if got != expected:
                failures.append(f"{shell}: `{line}<TAB>` offers {sorted(got)}\n"
                                f"    expected {sorted(expected)}"
                                f"\n    missing {sorted(expected - got)}, extra {sorted(got - expected)}")
        got = offered[-1]
        for stage in sorted(stages - got):
            failures.append(f"{shell}: `{stage_line}<TAB>` does not offer {stage}")
        # Aliases (swaks' first-helo ...) are fine, as long as the binary takes them.
        aliases = sorted(got - stages)
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            accepted = list(pool.map(cli.stage_accepted, aliases))
        for stage in [s for s, ok in zip(aliases, accepted) if not ok]:
            failures.append(f"{shell}: `{stage_line}<TAB>` offers {stage}, which "
                            "`smtpdoctor check --quit-after` refuses")
    for failure in failures:
        print("FAIL: " + failure)
    if failures:
        sys.exit(1)
    print(f"{shell}: {len(lines)} completions as expected")
