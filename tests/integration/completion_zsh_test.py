#!/usr/bin/env python3
"""completions/_smtpdoctor under zsh's real completion system: an interactive `zsh -f` on a
pseudo-terminal runs compinit with our directory first on $fpath, and each line of
completion_common.cases is typed followed by TAB, as a user would (then erased with ^U).
compadd is wrapped to also print the words it adds; everything else (_arguments, _values,
_files, _describe ...) is zsh's own.
Skipped (77) when zsh is not installed.
"""

import fcntl
import os
import pty
import select
import shutil
import struct
import subprocess
import tempfile
import termios
import time

import completion_common as common

# Sourced by the interactive zsh. A completion widget bound to TAB prints a begin and an end
# mark around zsh's own _main_complete; compadd prints what it adds, with the prefixes (-P, -p,
# and the ignored prefix $IPREFIX, e.g. "--only=tcp,") that make it the whole word. Ambiguous
# completions are not listed (NO_AUTO_LIST), so no "do you wish to see all" prompt waits.
INIT = r'''
PS1='' PS2='' RPS1=''
unsetopt AUTO_LIST BEEP
fpath=("$SMTPDOCTOR_COMPLETIONS" $fpath)
autoload -Uz compinit && compinit -u -D
bindkey -e
compadd() {
  # Calls that only compute matches (-O, -A, -D) are the completion system's own bookkeeping.
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
    builtin compadd "$@"; return
  fi
  local -a hits
  builtin compadd -A hits "$@"
  builtin compadd "$@" || return
  local -A prefixes
  zparseopts -E -A prefixes P: p:
  local hit
  for hit in $hits; do print -r -- "<<MATCH>>$IPREFIX${prefixes[-P]}${prefixes[-p]}$hit"; done
}
_smtpdoctor_test_complete() { print -r -- $'\n<<BEGIN>>'; _main_complete; print -r -- $'\n<<END>>' }
zle -C smtpdoctor-test-complete complete-word _smtpdoctor_test_complete
bindkey '^I' smtpdoctor-test-complete
print '<<READY>>'
'''
KILL_WHOLE_LINE = b"\x15"  # ^U in the emacs keymap


class Terminal:
    def __init__(self, argv, env):
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 250, 0, 0))
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True)
        os.close(slave)
        self.pending = b""

    def write(self, data):
        os.write(self.master, data)

    def read_until(self, mark, timeout=30):
        deadline = time.monotonic() + timeout
        while mark not in self.pending:
            ready, _, _ = select.select([self.master], [], [], max(0, deadline - time.monotonic()))
            if not ready:
                raise AssertionError(f"zsh: no {mark!r} within {timeout}s; the terminal shows:\n"
                                     + self.pending[-2000:].decode(errors="replace"))
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                raise AssertionError("zsh exited: " + self.pending[-2000:].decode(errors="replace"))
            self.pending += chunk
        end = self.pending.index(mark) + len(mark)
        text, self.pending = self.pending[:end], self.pending[end:]
        return text.decode(errors="replace")

    def close(self):
        self.proc.kill()
        self.proc.wait()
        os.close(self.master)


def complete(lines, env):
    with tempfile.TemporaryDirectory(prefix="smtpdoctor-zsh-") as home:
        init = os.path.join(home, "init.zsh")
        with open(init, "w", encoding="utf-8") as f:
            f.write(INIT)
        env = dict(env, HOME=home, ZDOTDIR=home, TERM="dumb",
                   SMTPDOCTOR_COMPLETIONS=common.COMPLETIONS)
        terminal = Terminal(["zsh", "-f", "-i"], env)
        try:
            terminal.write(f"source {init}\n".encode())
            terminal.read_until(b"<<READY>>\r\n")
            result = []
            for line in lines:
                terminal.write(line.encode() + b"\t")
                terminal.read_until(b"<<BEGIN>>")
                shown = terminal.read_until(b"<<END>>")
                result.append({l.split("<<MATCH>>", 1)[1].rstrip("\r")
                               for l in shown.split("\n") if "<<MATCH>>" in l})
                terminal.write(KILL_WHOLE_LINE)
            return result
        finally:
            terminal.close()


if __name__ == "__main__":
    if not shutil.which("zsh"):
        common.skip("zsh is not installed")
    common.run("zsh", complete)
