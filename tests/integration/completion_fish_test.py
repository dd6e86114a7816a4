#!/usr/bin/env python3
"""completions/smtpdoctor.fish under fish's own completion engine: `fish --no-config` sources
the script and completes each line of completion_common.cases with `complete -C LINE`, which
prints what fish would offer at the end of LINE (the whole word, then a tab and the
description). Skipped (77) when fish is not installed.
"""

import os
import shutil
import subprocess

import completion_common as common

DRIVER = r'''
source $SMTPDOCTOR_COMPLETIONS/smtpdoctor.fish; or exit 1
for line in $argv
    complete -C $line
    echo '<<END>>'
end
'''


def complete(lines, env):
    with_home = dict(env, SMTPDOCTOR_COMPLETIONS=common.COMPLETIONS)
    done = subprocess.run(["fish", "--no-config", "-c", DRIVER, *lines], capture_output=True,
                          text=True, timeout=120, env=with_home)
    assert done.returncode == 0 and not done.stderr, f"fish: {done.returncode} {done.stderr}"
    answers = done.stdout.split("<<END>>\n")[:-1]
    return [{l.split("\t")[0] for l in answer.splitlines()} for answer in answers]


if __name__ == "__main__":
    if not shutil.which("fish"):
        common.skip("fish is not installed")
    common.run("fish", complete)
