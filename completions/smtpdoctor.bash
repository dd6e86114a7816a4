# bash completion for smtpdoctor(1)                                     -*- shell-script -*-
# Installed as share/bash-completion/completions/smtpdoctor.

_smtpdoctor() {
  local cur prev words cword split
  # -s: `--only=tcp` is completed like `--only tcp`.
  _init_completion -s || return

  local commands="check serve send explain selftest"
  local probes="internet dns tcp banner ehlo tls auth envelope mta_sts tlsrpt dane"
  local stages="connect banner greeting ehlo first-ehlo helo first-helo starttls tls auth mail rcpt"

  # The subcommand is the first word that is not an option.
  local cmd="" i
  for ((i = 1; i < cword; i++)); do
    case "${words[i]}" in
      check | serve | send | explain | selftest) cmd="${words[i]}"; break ;;
    esac
  done

  case "$prev" in
    --ca-file | --password-file | --oauth2-token-file | --cert | --key | --users-file | --body-file)
      _filedir; return ;;
    --store)
      _filedir -d; return ;;
    --password-env | --oauth2-token-env | --proxy-password-env)
      COMPREPLY=($(compgen -e -- "$cur")); return ;;
    --only | --skip)
      # A comma list of probe ids: the ids not given yet, after the ones already there.
      local given="" left="" probe
      [[ "$cur" == *,* ]] && given="${cur%,*},"
      for probe in $probes; do
        [[ ",$given" == *",$probe,"* ]] || left+=" $probe"
      done
      COMPREPLY=($(compgen -P "$given" -W "$left" -- "${cur##*,}")); return ;;
    --oauth2-token-cmd)
      COMPREPLY=($(compgen -c -- "$cur")); return ;;
    --oauth-token)
      COMPREPLY=(); return ;;
    --proxy)
      COMPREPLY=($(compgen -W "socks5:// socks5h:// socks4a:// http://" -- "$cur"))
      compopt -o nospace; return ;;
    --quit-after)
      COMPREPLY=($(compgen -W "$stages" -- "$cur")); return ;;
    -a | --auth)
      local mechs="PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER"
      COMPREPLY=($(compgen -W "$mechs" -- "$cur")); return ;;
    --format)
      local formats="human json nagios"
      [[ "$cmd" == check ]] && formats+=" openmetrics"
      COMPREPLY=($(compgen -W "$formats" -- "$cur")); return ;;
    --targets)
      COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --ports)
      COMPREPLY=($(compgen -W "587,465,25 587,465,25,26 587 465 25" -- "$cur")); return ;;
    --fault)
      COMPREPLY=($(compgen -W "greeting-delay= banner=421 banner=554 ehlo-refused
        greylist=mail greylist=rcpt unknown-user= drop-after= tls-fail tarpit= 421-after=" \
        -- "$cur"))
      compopt -o nospace; return ;;
    --bare-lf)
      COMPREPLY=($(compgen -W "reject accept" -- "$cur")); return ;;
    --store-sync)
      COMPREPLY=($(compgen -W "group each" -- "$cur")); return ;;
    --hide)
      COMPREPLY=($(compgen -W "SIZE PIPELINING 8BITMIME SMTPUTF8 ENHANCEDSTATUSCODES CHUNKING
        DSN STARTTLS AUTH" -- "$cur")); return ;;
    -s | --server | -p | --port | --helo | --ehlo | -f | --from | -t | --to | --size | \
    --tls-sni | --tls-verify-name | -u | --auth-user | --au | --pop | --imap | --pop-user | --dns-server | \
    --mx-limit | --reachability-target | --reachability-name | --dnsbl | --timeout | \
    --deadline | --concurrency | --listen | --tls-listen | --hostname | --user | --local-domain | --max-size | \
    --max-recipients | --max-connections | --idle-timeout | --grace | --max-auth-failures | \
    --max-auth-failures-per-address | --header | --add-header | \
    --body)
      return ;;  # a free-form value
  esac
  [[ "$split" == true ]] && return  # OPTION=VALUE for an option whose values are not completed

  local opts
  case "$cmd" in
    "")
      opts="--help --version $commands" ;;
    check)
      opts="--server --port --ports -4 -6 --offline --proxy --proxy-password-env --helo --ehlo --from --to --size
        --relay-test --submission --quit-after --tls-sni --tls-verify-name --ca-file --insecure --tls-on-connect
        --auth-user --password-env --password-file --oauth2-token-env --oauth2-token-file
        --oauth2-token-cmd --auth --auth-all --allow-plaintext-auth --only --skip
        --timeout --deadline --targets --concurrency --format --json --verbose --strict
        --dns-server --mx-limit --reachability-target --reachability-name --dnsbl --pop --imap --pop-user --help" ;;
    serve)
      opts="--port --listen --tls-listen --hostname --max-connections --idle-timeout --grace
        --cert --key --require-tls --user --oauth-token --users-file --require-auth --local-domain
        --max-auth-failures --max-auth-failures-per-address --hide --max-size --max-recipients
        --bare-lf --fault --store --store-sync --json --help" ;;
    send)
      opts="--server --port -4 -6 --timeout --proxy --proxy-password-env --from --to --helo --ehlo --bdat --tls
        --tls-on-connect --tlsc --no-tls --tls-sni --tls-verify-name --ca-file --insecure --auth --auth-user --au
        --password-env --password-file --oauth2-token-env --oauth2-token-file --oauth2-token-cmd
        --header --add-header --body --body-file --verbose --json
        --help" ;;
    explain)
      opts="--json --help -" ;;
    selftest)
      opts="--format --json --verbose --help" ;;
  esac
  if [[ -z "$cmd" || "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [[ "$cmd" == check ]]; then
    _known_hosts_real -- "$cur"
  fi
} &&
  complete -F _smtpdoctor smtpdoctor
