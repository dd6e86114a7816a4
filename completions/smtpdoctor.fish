# fish completion for smtpdoctor(1). Installed in fish's vendor_completions.d.
# One block per subcommand, with exactly the options `smtpdoctor <cmd> --help` lists
# (tests/integration/docs_options_test.py compares them).

set -l commands check serve send explain selftest
set -l stages connect banner greeting ehlo first-ehlo first-helo starttls tls helo auth mail rcpt

complete -c smtpdoctor -f

# --only and --skip take a comma list: the probe ids not given yet, after the ones already there.
function __smtpdoctor_probe_list
    set -l token (string replace -r -- '^--[a-z]+=' '' (commandline -ct))
    set -l given (string match -r -- '^.*,' $token)
    set -l ids (string split -n -- , "$given")
    for probe in internet dns tcp banner ehlo tls auth envelope mta_sts tlsrpt dane
        contains -- $probe $ids; or echo "$given$probe"
    end
end

complete -c smtpdoctor -n "not __fish_seen_subcommand_from $commands" -s h -l help -d 'Show help'
complete -c smtpdoctor -n "not __fish_seen_subcommand_from $commands" -l version -d 'Show the version'
complete -c smtpdoctor -n "not __fish_seen_subcommand_from $commands" -a check -d 'Run the probe pipeline against a host, domain or address'
complete -c smtpdoctor -n "not __fish_seen_subcommand_from $commands" -a serve -d 'Run the loopback test SMTP server'
complete -c smtpdoctor -n "not __fish_seen_subcommand_from $commands" -a send -d 'Send one real test message'
complete -c smtpdoctor -n "not __fish_seen_subcommand_from $commands" -a explain -d 'Explain a pasted SMTP reply or bounce'
complete -c smtpdoctor -n "not __fish_seen_subcommand_from $commands" -a selftest -d 'Check the loopback test server'

for cmd in $commands
    complete -c smtpdoctor -n "__fish_seen_subcommand_from $cmd" -s h -l help -d "Show the options of $cmd"
end

# check
set -l c "__fish_seen_subcommand_from check"
complete -c smtpdoctor -n $c -a '(__fish_print_hostnames)' -d 'Target'
complete -c smtpdoctor -n $c -s s -l server -x -a '(__fish_print_hostnames)' -d 'The host to connect to'
complete -c smtpdoctor -n $c -s p -l port -x -a '587 465 25 26' -d 'Check this port (repeatable)'
complete -c smtpdoctor -n $c -l ports -x -a '587,465,25 587,465,25,26' -d 'Comma-separated ports'
complete -c smtpdoctor -n $c -s 4 -d 'IPv4 only'
complete -c smtpdoctor -n $c -s 6 -d 'IPv6 only'
complete -c smtpdoctor -n $c -l offline -d 'Contact nothing but the named target'
complete -c smtpdoctor -n $c -l proxy -x -a 'socks5:// socks5h:// socks4a:// http://' -d 'Reach the servers through this proxy'
complete -c smtpdoctor -n $c -l proxy-password-env -x -a '(set -nx)' -d 'Proxy password from this environment variable'
complete -c smtpdoctor -n $c -l helo -l ehlo -x -d 'Name to give in EHLO'
complete -c smtpdoctor -n $c -s f -l from -x -d 'Envelope sender'
complete -c smtpdoctor -n $c -s t -l to -x -d 'Envelope recipient (repeatable)'
complete -c smtpdoctor -n $c -l size -x -d 'Declare SIZE= in MAIL FROM'
complete -c smtpdoctor -n $c -l relay-test -d 'Check whether the server relays without login'
complete -c smtpdoctor -n $c -l submission -d 'Find and check the outgoing server (SRV, usual names)'
complete -c smtpdoctor -n $c -l quit-after -x -a "$stages" -d 'Stop after this stage'
complete -c smtpdoctor -n $c -l tls-sni -x -d 'Server name for SNI and the certificate check'
complete -c smtpdoctor -n $c -l tls-verify-name -x -d 'Match the certificate against this name'
complete -c smtpdoctor -n $c -l ca-file -r -F -d 'Trust the CAs in this PEM file'
complete -c smtpdoctor -n $c -l insecure -d 'Go on when a certificate does not verify'
complete -c smtpdoctor -n $c -l tls-on-connect -d 'Implicit TLS on every checked port'
complete -c smtpdoctor -n $c -s u -l auth-user -x -d 'Log in as this user'
complete -c smtpdoctor -n $c -l password-env -x -a '(set -nx)' -d 'Password from this environment variable'
complete -c smtpdoctor -n $c -l oauth2-token-env -x -a '(set -nx)' -d 'OAuth2 token from this environment variable'
complete -c smtpdoctor -n $c -l oauth2-token-file -r -F -d 'OAuth2 token from the first line of this file'
complete -c smtpdoctor -n $c -l oauth2-token-cmd -x -a '(__fish_complete_command)' -d 'OAuth2 token from this command'
complete -c smtpdoctor -n $c -l password-file -r -F -d 'Password from the first line of this file'
complete -c smtpdoctor -n $c -s a -l auth -x -a 'PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER' -d 'AUTH mechanism'
complete -c smtpdoctor -n $c -l auth-all -d 'Try every advertised mechanism'
complete -c smtpdoctor -n $c -l allow-plaintext-auth -d 'Send credentials even without TLS'
complete -c smtpdoctor -n $c -l only -x -a '(__smtpdoctor_probe_list)' -d 'Run only these probes'
complete -c smtpdoctor -n $c -l skip -x -a '(__smtpdoctor_probe_list)' -d 'Skip these probes'
complete -c smtpdoctor -n $c -l timeout -x -d 'Limit for each network operation'
complete -c smtpdoctor -n $c -l deadline -x -d 'Limit for the whole run'
complete -c smtpdoctor -n $c -l targets -r -F -d 'Check every target in this file'
complete -c smtpdoctor -n $c -l concurrency -x -d 'With --targets, targets checked at once'
complete -c smtpdoctor -n $c -l format -x -a 'human json nagios openmetrics' -d 'Output format'
complete -c smtpdoctor -n $c -l json -d 'Print the report as JSON'
complete -c smtpdoctor -n $c -s v -l verbose -d 'Add details and the transcript'
complete -c smtpdoctor -n $c -l strict -d 'A warning fails the check'
complete -c smtpdoctor -n $c -l dns-server -x -d 'Ask this resolver, IP[:PORT] (repeatable)'
complete -c smtpdoctor -n $c -l mx-limit -x -d 'Walk at most this many exchangers'
complete -c smtpdoctor -n $c -l reachability-target -x -d 'HOST:PORT for the internet probe'
complete -c smtpdoctor -n $c -l reachability-name -x -d 'The name the internet probe resolves'
complete -c smtpdoctor -n $c -l dnsbl -x -d 'DNS blocklist zone to look our address up in'
complete -c smtpdoctor -n $c -l pop -x -a '(__fish_print_hostnames)' -d 'POP3 server for the credential comparison'
complete -c smtpdoctor -n $c -l imap -x -a '(__fish_print_hostnames)' -d 'IMAP server for the credential comparison'
complete -c smtpdoctor -n $c -l pop-user -x -d 'User for POP3/IMAP when it differs'

# serve
set -l c "__fish_seen_subcommand_from serve"
complete -c smtpdoctor -n $c -s p -l port -x -d 'Port on 127.0.0.1 (0: any free port)'
complete -c smtpdoctor -n $c -l listen -x -d 'Listen on this address'
complete -c smtpdoctor -n $c -l tls-listen -x -d 'Also listen with implicit TLS'
complete -c smtpdoctor -n $c -l hostname -x -d 'Name in the greeting'
complete -c smtpdoctor -n $c -l max-connections -x -d 'Concurrent sessions'
complete -c smtpdoctor -n $c -l idle-timeout -x -d 'Close a silent session after'
complete -c smtpdoctor -n $c -l grace -x -d 'Time to finish on SIGTERM'
complete -c smtpdoctor -n $c -l cert -r -F -d 'PEM certificate chain'
complete -c smtpdoctor -n $c -l key -r -F -d 'PEM private key'
complete -c smtpdoctor -n $c -l require-tls -d '530 before STARTTLS'
complete -c smtpdoctor -n $c -l user -x -d 'Accept AUTH as NAME:PASS'
complete -c smtpdoctor -n $c -l oauth-token -x -d 'Accept XOAUTH2/OAUTHBEARER as USER:TOKEN'
complete -c smtpdoctor -n $c -l users-file -r -F -d 'File of NAME:PASS lines'
complete -c smtpdoctor -n $c -l require-auth -d '530 to MAIL before AUTH'
complete -c smtpdoctor -n $c -l local-domain -x -d 'Domain accepted without login'
complete -c smtpdoctor -n $c -l max-auth-failures -x -d 'Failed logins in a session before 421'
complete -c smtpdoctor -n $c -l max-auth-failures-per-address -x -d 'Failed logins from one address before 421'
complete -c smtpdoctor -n $c -l hide -x -a 'SIZE PIPELINING 8BITMIME SMTPUTF8 ENHANCEDSTATUSCODES CHUNKING DSN STARTTLS AUTH' -d 'Do not offer this capability'
complete -c smtpdoctor -n $c -l max-size -x -d 'Largest message in octets'
complete -c smtpdoctor -n $c -l max-recipients -x -d 'Recipients per message'
complete -c smtpdoctor -n $c -l bare-lf -x -a 'reject accept' -d 'A bare CR or LF in DATA'
complete -c smtpdoctor -n $c -l fault -x -a 'greeting-delay= banner=421 banner=554 ehlo-refused greylist=mail greylist=rcpt unknown-user= drop-after= tls-fail tarpit= 421-after=' -d 'Misbehave on purpose'
complete -c smtpdoctor -n $c -l store -x -a '(__fish_complete_directories)' -d 'Store messages here'
complete -c smtpdoctor -n $c -l store-sync -x -a 'group each' -d 'How stored mail is made durable before each 250'
complete -c smtpdoctor -n $c -l json -d 'Events as JSON lines'

# send
set -l c "__fish_seen_subcommand_from send"
complete -c smtpdoctor -n $c -s s -l server -x -a '(__fish_print_hostnames)' -d 'Server host[:port]'
complete -c smtpdoctor -n $c -s p -l port -x -a '25 465 587 2525' -d 'Port'
complete -c smtpdoctor -n $c -s 4 -d 'IPv4 only'
complete -c smtpdoctor -n $c -s 6 -d 'IPv6 only'
complete -c smtpdoctor -n $c -l timeout -x -d 'Seconds allowed for each step'
complete -c smtpdoctor -n $c -s f -l from -x -d 'Envelope sender'
complete -c smtpdoctor -n $c -s t -l to -x -d 'Recipient (repeatable)'
complete -c smtpdoctor -n $c -l helo -l ehlo -x -d 'Name to give in EHLO'
complete -c smtpdoctor -n $c -l bdat -d 'Use BDAT when CHUNKING is offered'
complete -c smtpdoctor -n $c -l proxy -x -a 'socks5:// socks5h:// socks4a:// http://' -d 'Send through this proxy'
complete -c smtpdoctor -n $c -l proxy-password-env -x -a '(set -nx)' -d 'Proxy password from this environment variable'
complete -c smtpdoctor -n $c -l tls -d 'Require STARTTLS'
complete -c smtpdoctor -n $c -l tls-on-connect -l tlsc -d 'TLS from the start (port 465)'
complete -c smtpdoctor -n $c -l no-tls -d 'Never use STARTTLS'
complete -c smtpdoctor -n $c -l tls-sni -x -d 'Server name to send in SNI'
complete -c smtpdoctor -n $c -l tls-verify-name -x -d 'Match the certificate against this name'
complete -c smtpdoctor -n $c -l ca-file -r -F -d 'Verify against the CAs in this file'
complete -c smtpdoctor -n $c -l insecure -d 'Continue when the certificate does not verify'
complete -c smtpdoctor -n $c -s a -l auth -x -a 'PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER' -d 'Log in (with this mechanism)'
complete -c smtpdoctor -n $c -l auth-user -l au -x -d 'User name for AUTH'
complete -c smtpdoctor -n $c -l password-env -x -a '(set -nx)' -d 'Password from this environment variable'
complete -c smtpdoctor -n $c -l oauth2-token-env -x -a '(set -nx)' -d 'OAuth2 token from this environment variable'
complete -c smtpdoctor -n $c -l oauth2-token-file -r -F -d 'OAuth2 token from the first line of this file'
complete -c smtpdoctor -n $c -l oauth2-token-cmd -x -a '(__fish_complete_command)' -d 'OAuth2 token from this command'
complete -c smtpdoctor -n $c -l password-file -r -F -d 'Password from the first line of this file'
complete -c smtpdoctor -n $c -l header -l add-header -x -d '"Name: value" header'
complete -c smtpdoctor -n $c -l body -x -d 'Message body'
complete -c smtpdoctor -n $c -l body-file -r -F -d 'Message body from a file (- for stdin)'
complete -c smtpdoctor -n $c -s v -l verbose -d 'Print the transcript'
complete -c smtpdoctor -n $c -l json -d 'Print the result as JSON'

# explain
set -l c "__fish_seen_subcommand_from explain"
complete -c smtpdoctor -n $c -l json -d 'Print each finding as JSON'

# selftest
set -l c "__fish_seen_subcommand_from selftest"
complete -c smtpdoctor -n $c -l format -x -a 'human json nagios' -d 'Output format'
complete -c smtpdoctor -n $c -l json -d 'Print the report as JSON'
complete -c smtpdoctor -n $c -s v -l verbose -d 'Add details and the transcript'
