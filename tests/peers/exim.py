"""A private Exim 4 (Debian's exim4-daemon-light) on one 127.0.0.1 high port, configured like a
typical submission server, so `check` meets Exim's own reply texts next to Postfix's.

    submission_port  STARTTLS (certificate from certs.py); AUTH PLAIN/LOGIN offered only inside
                     TLS; MAIL before STARTTLS refused with 530; PIPELINING and PIPECONNECT

Policy (Exim's stock acl_check_rcpt, reordered so local recipients are verified for everyone):
exim.smtpdoctor.test has the mailboxes of USERS; a foreign RCPT without login gets Exim's "550
relay not permitted", an unknown local user "550 Unrouteable address", a wrong password "535
Incorrect authentication data". Mail a logged-in client sends to a foreign domain, and all local
mail, goes to :blackhole: — the fixture delivers nothing anywhere. host_lookup, RFC 1413 and every
router that could look something up are off, so Exim never asks a resolver (an strace of a whole
check_exim_test run showed no connect() and no read of /etc/resolv.conf).

Where Exim comes from: the exim4 packages conflict with postfix, so .ci/install-deps unpacks them
(apt-get download + dpkg -x) into ROOT instead of installing them; exim4 runs from there with
LD_LIBRARY_PATH and `-C` our config. Debian's binary looks up its compiled-in user Debian-exim
before reading any config (and refuses uid 0 for it), so an exim_user setting here cannot replace
it: install-deps creates that account, as the exim4-base package would. Without either, the tests
skip and say so (why_unavailable()). Needs root: Exim keeps its privilege with -C only for root,
and the daemon runs as our child in the foreground (-bdf), one process group for stop().
"""

import collections
import os
import pwd
import sys
import time

from . import ports
from .base import Peer, PeerError
from .certs import TestCertificates
from .testing import why_system_daemons_cannot_run

ROOT = os.environ.get("SMTPDOCTOR_EXIM_ROOT", "/var/cache/smtpdoctor-peers/exim/root")
EXIM = os.path.join(ROOT, "usr", "sbin", "exim4")
EXIM_USER = "Debian-exim"  # EXIM_USER=ref:Debian-exim in Debian's build

HOSTNAME = "mx.exim.smtpdoctor.test"
LOCAL_DOMAIN = "exim.smtpdoctor.test"
BANNER = "ESMTP smtpdoctor-test-exim"

User = collections.namedtuple("User", "address password")
ALICE = User("alice@" + LOCAL_DOMAIN, "alice-exim-pass")
BOB = User("bob@" + LOCAL_DOMAIN, "bob-exim-pass")
USERS = (ALICE, BOB)
FOREIGN = "someone@foreign.test"
UNKNOWN_LOCAL = "nobody-here@" + LOCAL_DOMAIN

CONFIGURE = """\
# Written by tests/peers/exim.py; nothing from /etc/exim4 is read.
primary_hostname = {hostname}
domainlist local_domains = {domain}
domainlist relay_to_domains =
hostlist relay_from_hosts =
local_interfaces = 127.0.0.1
daemon_smtp_ports = {port}
smtp_banner = $smtp_active_hostname {banner}

spool_directory = {dir}/spool
log_file_path = {dir}/log/%slog
pid_file_path = {dir}/exim.pid
keep_environment =

# Never ask a resolver: no reverse lookup of the client (nor when it says HELO with our name), no
# ident query, no DKIM key lookup for a signed message, and no dnslookup router below.
host_lookup =
rfc1413_hosts =
rfc1413_query_timeout = 0s
helo_lookup_domains =
dkim_verify_signers =

# A careful submission server: AUTH only inside TLS, and no MAIL before STARTTLS.
auth_advertise_hosts = ${{if def:tls_in_cipher {{*}}{{}}}}
tls_advertise_hosts = *
tls_certificate = {cert}
tls_privatekey = {key}
pipelining_advertise_hosts = *
pipelining_connect_advertise_hosts = *

acl_smtp_mail = acl_check_mail
acl_smtp_rcpt = acl_check_rcpt
acl_smtp_data = acl_check_data
# Accepted mail stays in the private spool (no delivery process, no queue runner).
queue_only = true

begin acl

# Exim has no stock text for this; the words are RFC 3207's (section 4), as Postfix says them.
acl_check_mail:
  deny    message       = 530 Must issue a STARTTLS command first
          !encrypted    = *
  accept

acl_check_rcpt:
  accept  hosts = :
  deny    message       = Restricted characters in address
          domains       = +local_domains
          local_parts   = ^[.] : ^.*[@%!/|]
  deny    message       = Restricted characters in address
          domains       = !+local_domains
          local_parts   = ^[./|] : ^.*[@%!] : ^.*/\\\\.\\\\./
  accept  local_parts   = postmaster
          domains       = +local_domains
  require verify        = sender
  accept  authenticated = *
          domains       = !+local_domains
          control       = submission
  require message       = relay not permitted
          domains       = +local_domains : +relay_to_domains
  require verify        = recipient
  accept

acl_check_data:
  accept

begin routers

# Everything for other domains is thrown away: a test server never sends mail anywhere.
foreign_domains:
  driver = redirect
  domains = ! +local_domains
  data = :blackhole:

local_users:
  driver = redirect
  domains = +local_domains
  local_parts = {local_parts}
  data = :blackhole:

begin transports

begin authenticators

PLAIN:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = ${{lookup{{$auth2}}lsearch{{{passwords}}}{{${{if eq{{$value}}{{$auth3}}}}}}fail}}
  server_set_id = $auth2

LOGIN:
  driver = plaintext
  public_name = LOGIN
  server_prompts = <| Username: | Password:
  server_condition = ${{lookup{{$auth1}}lsearch{{{passwords}}}{{${{if eq{{$value}}{{$auth2}}}}}}fail}}
  server_set_id = $auth1
"""


def why_unavailable():
    """None when the unpacked Exim can run here, else why not (for skipTest)."""
    if not os.access(EXIM, os.X_OK):
        return ("Exim is not unpacked at %s (run .ci/install-deps as root: the exim4 packages "
                "conflict with postfix, so it unpacks them there)" % ROOT)
    try:
        pwd.getpwnam(EXIM_USER)
    except KeyError:
        return ("the system user %s that Debian's exim4 is built to run as is missing (run "
                ".ci/install-deps as root)" % EXIM_USER)
    if os.geteuid() != 0:
        return "the Exim fixture needs root (Exim drops its privilege with -C for anyone else)"
    # Exim's SMTP sessions run as Debian-exim, which meets the same walls as Postfix's users.
    return why_system_daemons_cannot_run()


def _library_path():
    return os.pathsep.join(os.path.join(ROOT, part) for part in
                           ("usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu", "usr/lib"))


class Exim(Peer):
    name = "exim"

    def __init__(self):
        super().__init__()
        self.submission_port = None
        self.certs = None

    @property
    def config_file(self):
        return self.path("exim.conf")

    def log_files(self):
        if not self.dir:
            return []
        return [self.path("log", "mainlog"), self.path("log", "paniclog"),
                self.path("log", "rejectlog"), self.path("exim.out")]

    def _pick_ports(self):
        self.submission_port = ports.free_port()

    def _configure(self):
        reason = why_unavailable()
        if reason:
            raise PeerError(reason)
        exim = pwd.getpwnam(EXIM_USER)
        # The SMTP session runs as Debian-exim: it must reach the spool, log and key.
        os.chmod(self.dir, 0o755)
        for sub in ("spool", "log"):
            os.makedirs(self.path(sub))
            os.chown(self.path(sub), exim.pw_uid, exim.pw_gid)
        self.certs = TestCertificates(self.path("certs"), names=(HOSTNAME, "localhost"))
        self.certs.create()
        os.chown(self.certs.key_file, exim.pw_uid, exim.pw_gid)
        passwords = self.path("passwd")
        with open(passwords, "w") as table:
            for user in USERS:
                table.write("%s: %s\n" % (user.address, user.password))
        os.chmod(passwords, 0o644)
        with open(self.config_file, "w") as config:
            config.write(CONFIGURE.format(
                hostname=HOSTNAME, domain=LOCAL_DOMAIN, port=self.submission_port,
                banner=BANNER, dir=self.dir, cert=self.certs.cert_file,
                key=self.certs.key_file, passwords=passwords,
                local_parts=" : ".join(u.address.split("@")[0] for u in USERS)))
        # Exim refuses a -C file that anyone but root (or its user) could have written.
        os.chmod(self.config_file, 0o644)

    def _launch(self):
        # -bdf: the daemon stays in the foreground as our child; -q0s would start queue
        # runners, which have nothing to do here.
        self.spawn([EXIM, "-C", self.config_file, "-bdf", "-oX", str(self.submission_port)],
                   "exim.out", env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
                                    "LD_LIBRARY_PATH": _library_path()})

    def _probe(self, deadline):
        try:
            ports.wait_for_tcp(self.submission_port, min(deadline, time.monotonic() + 0.3),
                               banner_prefix="220 " + HOSTNAME)
        except TimeoutError:
            return False
        return True


def environment(exim):
    return {
        "SMTPDOCTOR_EXIM_PORT": str(exim.submission_port),
        "SMTPDOCTOR_TEST_CA": exim.certs.ca_file,
        "SMTPDOCTOR_TEST_USER": ALICE.address,
        "SMTPDOCTOR_TEST_PASSWORD": ALICE.password,
    }


def describe(exim):
    return ({
        "submission": "STARTTLS required, AUTH PLAIN/LOGIN inside TLS, PIPECONNECT",
        "exim log": exim.log_files()[0],
        "try": "swaks --server 127.0.0.1:%d --tls --auth PLAIN --auth-user %s "
               "--auth-password %s --to %s" % (exim.submission_port, ALICE.address,
                                               ALICE.password, FOREIGN),
    }, environment(exim))


def main(args=None):
    from .cli import run
    return run(Exim(), describe, sys.argv[1:] if args is None else args)


if __name__ == "__main__":
    sys.exit(main())
