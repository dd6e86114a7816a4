#!/bin/sh
# The manual page and the shell completions: the page renders without a groff warning (on the
# terminal and on groff's default PostScript device) and passes mandoc's lint, each completion
# script parses in its shell, bash completes what a user types, and every option the completions
# offer is documented in the page (so the two cannot drift apart silently).
# A shell, groff or mandoc that is not installed is skipped, not failed.
set -u
src=${SMTPDOCTOR_SOURCE_DIR:?}
page=$src/man/smtpdoctor.1
comp=$src/completions
failed=0
fail() { echo "FAIL: $*"; failed=1; }

if command -v groff >/dev/null 2>&1; then
  warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
  [ -z "$warnings" ] || fail "groff -Tutf8 warns about $page: $warnings"
  warnings=$(groff -man -ww -z "$page" 2>&1)
  [ -z "$warnings" ] || fail "groff (default device) warns about $page: $warnings"
else
  echo "skip: groff not installed"
fi
if command -v mandoc >/dev/null 2>&1; then
  warnings=$(mandoc -Tlint "$page" 2>&1)
  [ -z "$warnings" ] || fail "mandoc -Tlint finds problems in $page: $warnings"
else
  echo "skip: mandoc not installed"
fi

bash -n "$comp/smtpdoctor.bash" || fail "bash cannot parse smtpdoctor.bash"
if command -v zsh >/dev/null 2>&1; then
  zsh -n "$comp/_smtpdoctor" || fail "zsh cannot parse _smtpdoctor"
else
  echo "skip: zsh not installed"
fi
if command -v fish >/dev/null 2>&1; then
  fish --no-execute "$comp/smtpdoctor.fish" || fail "fish cannot parse smtpdoctor.fish"
  got=$(fish -c "source $comp/smtpdoctor.fish; complete -C 'smtpdoctor check --only '" | cut -f1 | tr '\n' ' ')
  case "$got" in *envelope*) ;; *) fail "fish: --only does not offer probe ids: $got" ;; esac
else
  echo "skip: fish not installed"
fi

# bash: drive the completion function the way readline does, with bash-completion's helpers
# stubbed so the test does not depend on the bash-completion package.
got=$(bash -c '
  _init_completion() { words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; cur="${words[cword]}"; prev="${words[cword-1]}"; }
  _filedir() { COMPREPLY=(FILES); }
  _known_hosts_real() { COMPREPLY=(HOSTS); }
  compopt() { :; }
  . "$1/smtpdoctor.bash"
  t() { COMP_WORDS=("$@"); COMP_CWORD=$(($#-1)); COMPREPLY=(); _smtpdoctor; echo "${COMPREPLY[*]}"; }
  t smtpdoctor ""
  t smtpdoctor check --only tcp,ba
  t smtpdoctor check --quit-after rc
  t smtpdoctor check --format n
  t smtpdoctor send --ca-file ""
  t smtpdoctor serve --requ
' _ "$comp")
expected='--help --version check serve send explain selftest
tcp,banner
rcpt
nagios
FILES
--require-tls --require-auth'
[ "$got" = "$expected" ] || fail "bash completions differ:
--- expected
$expected
--- got
$got"

# Every long option offered by the bash completion appears in the manual page.
for opt in $(grep -o -- '--[a-z][a-z0-9-]*' "$comp/smtpdoctor.bash" | sort -u); do
  grep -q -- "$(printf '%s' "$opt" | sed 's/-/\\\\-/g')" "$page" || fail "$opt is completed but not in the man page"
done

[ "$failed" = 0 ] && echo "docs ok"
exit $failed
