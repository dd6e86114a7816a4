#!/usr/bin/env bash
# The README's first command on a brand-new Debian 12, and the Debian package it makes installed
# on another brand-new one — what a new user meets first, proved on every CI run.
#
#   tests/fresh/readme_and_deb.sh [--deb FILE] [OUT_DIR]
#
# 1. Runs the README's first set-up command, exactly as the README writes it (read from
#    README.md, so the two cannot drift), in a fresh root made by ../shared/tools/fresh-machine.sh;
#    then `cpack -G DEB` in its build folder. The .deb leaves the root base64-encoded on stdout
#    (the root is deleted when the command ends, and nothing else crosses its boundary).
# 2. Installs that .deb with dpkg -i in a second fresh root (apt-get -f install pulls in the
#    Depends that cpack computed — a missing one shows as a binary that cannot start) and runs
#    `smtpdoctor selftest`, `man -w smtpdoctor`, and bash completion of `smtpdoctor ch<TAB>`.
# --deb FILE skips step 1 and tests that package (handy after `cpack -G DEB` in a build folder).
# Skips (exit 0 with a note) when the fresh-machine tool is not beside the project.
set -euo pipefail
cd "$(dirname "$0")/../.."
tool=../shared/tools/fresh-machine.sh
given_deb=""
if [ "${1:-}" = --deb ]; then
  given_deb=$(realpath "${2:?--deb needs a file}")
  shift 2
fi
out=${1:-$(mktemp -d "${TMPDIR:-/tmp}/smtpdoctor-fresh.XXXXXX")}
mkdir -p "$out"
if [ ! -x "$tool" ] && [ ! -f "$tool" ]; then
  echo "fresh: skipped: $tool is not here (CI and developers' machines have it)"
  exit 0
fi

# stage_done EXIT WHAT LOG WHY: prints how a stage went; on failure its log's end, and stops.
stage_done() {
  set -e
  echo "fresh: $2: exit $1 in $(( $(date +%s) - start )) s (log: $out/$3)"
  if [ "$1" -ne 0 ]; then
    tail -40 "$out/$3" >&2
    echo "fresh: FAIL: $4" >&2
    exit 1
  fi
}

if [ -n "$given_deb" ]; then
  name=$(basename "$given_deb")
  cp "$given_deb" "$out/$name"
else
  # The first fenced sh block of the README's set-up section is the build-and-selftest command.
  readme_cmd=$(awk '/^## Set-up/{s=1} s&&/^```sh/{f=1;next} f&&/^```/{exit} f' README.md)
  [ -n "$readme_cmd" ] || { echo "fresh: FAIL: no set-up command found in README.md" >&2; exit 1; }
  echo "fresh: README's first command: $readme_cmd"

  start=$(date +%s)
  set +e
  bash "$tool" "set -e; { $readme_cmd; } >&2
    apt-get install -y -qq --no-install-recommends dpkg-dev file >/dev/null 2>&1
    (cd build && cpack -G DEB) >&2
    deb=\$(ls build/smtpdoctor_*.deb); echo \"DEB \$(basename \$deb)\"; base64 -w0 \"\$deb\"; echo" \
    >"$out/deb.b64" 2>"$out/readme.log"
  stage_done $? "README's first command + cpack" readme.log \
    "the README's first command does not pass on a brand-new Debian 12"
  name=$(awk '$1=="DEB"{print $2}' "$out/deb.b64")
  tail -n 1 "$out/deb.b64" | base64 -d >"$out/$name"
fi
dpkg-deb --info "$out/$name" | sed -n '/Package:/,/Description:/p'

# fresh-machine.sh clones the git repo it stands in: hand it a throwaway one holding the .deb.
repo="$out/deb-repo"
rm -rf "$repo"; mkdir -p "$repo"
cp "$out/$name" "$repo/"
git -C "$repo" init -q
git -C "$repo" add "$name"
git -C "$repo" -c user.name=ci -c user.email=ci@localhost commit -q -m "the package under test"
start=$(date +%s)
set +e
(cd "$repo" && bash "$OLDPWD/$tool" "set -e
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  dpkg -i $name || apt-get install -f -y -qq --no-install-recommends
  dpkg-query -W -f='\${Status}\n' smtpdoctor | grep -q 'install ok installed'
  echo '== selftest'; smtpdoctor selftest
  apt-get install -y -qq --no-install-recommends man-db bash-completion >/dev/null
  echo '== man -w'; man -w smtpdoctor
  echo '== bash completion of: smtpdoctor ch<TAB>'
  got=\$(bash -c '. /usr/share/bash-completion/bash_completion
    _completion_loader smtpdoctor
    fn=\$(complete -p smtpdoctor | sed -n \"s/.*-F \\([^ ]*\\).*/\\1/p\")
    COMP_WORDS=(smtpdoctor ch); COMP_CWORD=1; COMP_LINE=\"smtpdoctor ch\"; COMP_POINT=\${#COMP_LINE}
    \$fn smtpdoctor ch smtpdoctor; echo \"\${COMPREPLY[*]}\"')
  echo \"\$got\"; [ \"\$got\" = check ]
  echo '== deb ok'") >"$out/deb.log" 2>&1
stage_done $? ".deb in a fresh root" deb.log "the .deb does not install and work on a brand-new Debian 12"
grep -E '^(== |/usr|check$)' "$out/deb.log" || true
echo "fresh: ok"
