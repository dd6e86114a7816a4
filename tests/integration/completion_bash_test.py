#!/usr/bin/env python3
"""completions/smtpdoctor.bash under the real bash-completion: bash loads
/usr/share/bash-completion/bash_completion and our script, `complete -p smtpdoctor` must name
the function, and each line of completion_common.cases is completed by calling that function
with COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT set as readline sets them (words split at
blanks and at the COMP_WORDBREAKS characters = and :). COMPREPLY is what readline would offer.
Skipped (77) when bash-completion is not installed.
"""

import os
import re
import shlex
import subprocess

import completion_common as common

BASH_COMPLETION = "/usr/share/bash-completion/bash_completion"

# Reads one query per line: COMP_LINE, then the words; prints the reply words, then a mark.
DRIVER = r'''
. "$1" || exit 1
. "$2" || exit 1
# compopt (e.g. -o nospace) works only while readline runs a completion; here it has no effect.
compopt() { builtin compopt "$@" 2>/dev/null || true; }
spec=$(complete -p smtpdoctor) || exit 1
[[ $spec =~ -F\ ([^ ]+) ]] || { echo "not a completion function: $spec" >&2; exit 1; }
function=${BASH_REMATCH[1]}
query() {
  COMP_LINE=$1 COMP_POINT=${#1}
  shift
  COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMPREPLY=()
  "$function" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  (( ${#COMPREPLY[@]} )) && printf '%s\n' "${COMPREPLY[@]}"
  echo "<<END>>"
}
while IFS= read -r q; do eval "query $q"; done
'''

# Readline's word breaks that a smtpdoctor line can hold (bash's default COMP_WORDBREAKS also
# breaks at quotes, < > ; | & and parentheses, which these lines never contain).
BREAKS = "=:"


def readline_words(line):
    words = re.findall(rf"[{BREAKS}]+|[^\s{BREAKS}]+", line)
    if not line or line[-1].isspace():
        words.append("")
    return words


def complete(lines, env):
    queries = "".join(
        " ".join(shlex.quote(w) for w in [line, *readline_words(line)]) + "\n" for line in lines)
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", DRIVER, "_", BASH_COMPLETION,
         os.path.join(common.COMPLETIONS, "smtpdoctor.bash")],
        input=queries, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0 and not done.stderr, f"bash: {done.returncode} {done.stderr}"
    answers = done.stdout.split("<<END>>\n")[:-1]
    result = []
    for line, answer in zip(lines, answers):
        # Readline replaces the text after the last blank or word break; the shell's word is
        # that text's beginning (e.g. "--only=") plus the reply.
        last = re.split(r"\s", line)[-1]
        kept = last[: max(last.rfind(c) for c in BREAKS) + 1]
        result.append({kept + w for w in answer.splitlines()})
    return result


if __name__ == "__main__":
    if not os.path.exists(BASH_COMPLETION):
        common.skip(f"{BASH_COMPLETION} not found (Debian package bash-completion)")
    common.run("bash", complete)
