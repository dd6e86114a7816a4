#!/usr/bin/env python3
"""Real Postfix + Dovecot on loopback, as a mail client meets them: swaks sends, POP3/IMAP read
the mailbox back, and each refusal a user can hit (bad password, relay, unknown user, TLS or AUTH
required) carries the reply code a real server gives.

The same stories driven by `smtpdoctor send` run once that subcommand exists in the build.
"""

import os
import socket
import subprocess
import sys
import unittest
import uuid

sys.path.insert(0, os.path.join(os.environ.get("SMTPDOCTOR_SOURCE_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", ".."), "tests"))

from peers import clients  # noqa: E402
from peers.clients import swaks, swaks_auth  # noqa: E402
from peers.dovecot import ALICE, BOB  # noqa: E402
from peers.postfix import MailStack  # noqa: E402
from peers.testing import (PeerTestCase, main, needs_system_daemons,  # noqa: E402
                           smtpdoctor_binary, smtpdoctor_has)

FOREIGN = "someone@foreign.test"
UNKNOWN_LOCAL = "nobody-here@smtpdoctor.test"


def needs_root():
    return needs_system_daemons()


@needs_root()
class PostfixThroughDovecotTest(PeerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.mail = MailStack()
        for peer in cls.mail.peers:
            cls.start_peer(peer)
        cls.postfix, cls.dovecot = cls.mail.postfix, cls.mail.dovecot

    def send_to_alice(self, port, *extra):
        token = "smtpdoctor-%s" % uuid.uuid4().hex
        result = swaks(port, "--from", ALICE.address, "--to", ALICE.address,
                       "--header", "Subject: %s" % token, "--body", "body %s" % token, *extra)
        return token, result

    def assert_delivered_to_alice(self, token):
        def pop3():
            return [m for m in clients.pop3_messages(self.dovecot.pop3_port, ALICE.address,
                                                     ALICE.password, self.mail.certs)
                    if token.encode() in m]
        found = clients.wait_for(pop3)
        self.assertEqual(len(found), 1, "message %s not in Alice's POP3 mailbox" % token)
        return found[0]

    # -- mail that goes through ---------------------------------------------------------------

    def test_mail_sent_with_starttls_and_auth_is_read_back_over_pop3_and_imap(self):
        token, result = self.send_to_alice(self.postfix.submission_port, "--tls",
                                           *swaks_auth(ALICE.address, ALICE.smtp_password))
        self.assertEqual(result.exit_code, clients.SWAKS_OK, result.transcript)
        self.assertIn("235 2.7.0 Authentication successful", result.transcript)
        message = self.assert_delivered_to_alice(token)
        # Postfix recorded that the message came in over TLS and after login.
        self.assertIn(b"(using TLS", message)
        self.assertIn(b"with ESMTPSA", message)
        for mode, port in (("starttls", self.dovecot.imap_port),
                           ("tls", self.dovecot.imaps_port)):
            with self.subTest(imap=mode):
                found = [m for m in clients.imap_messages(port, ALICE.address, ALICE.password,
                                                          self.mail.certs, mode=mode)
                         if token.encode() in m]
                self.assertEqual(len(found), 1)
        found = [m for m in clients.pop3_messages(self.dovecot.pop3s_port, ALICE.address,
                                                  ALICE.password, self.mail.certs, mode="tls")
                 if token.encode() in m]
        self.assertEqual(len(found), 1)

    def test_implicit_tls_listener_takes_mail_like_port_465(self):
        token, result = self.send_to_alice(self.postfix.smtps_port, "--tls-on-connect",
                                           *swaks_auth(ALICE.address, ALICE.smtp_password))
        self.assertEqual(result.exit_code, clients.SWAKS_OK, result.transcript)
        self.assert_delivered_to_alice(token)

    def test_a_logged_in_user_may_relay_but_nothing_leaves_the_machine(self):
        result = swaks(self.postfix.submission_port, "--from", ALICE.address, "--to", FOREIGN,
                       "--tls", "--quit-after", "RCPT",
                       *swaks_auth(ALICE.address, ALICE.smtp_password))
        self.assertEqual(result.exit_code, clients.SWAKS_OK, result.transcript)
        self.assertIn("250 2.1.5 Ok", result.transcript)

    # -- refusals a user can hit --------------------------------------------------------------

    def test_a_wrong_password_is_refused_with_535(self):
        result = swaks(self.postfix.submission_port, "--from", ALICE.address, "--to",
                       ALICE.address, "--tls", "--quit-after", "AUTH",
                       *swaks_auth(ALICE.address, "not-the-password"))
        self.assertEqual(result.exit_code, clients.SWAKS_AUTH_FAILED, result.transcript)
        self.assertIn("535 5.7.8", result.transcript)

    def test_relaying_to_a_foreign_domain_without_login_is_denied_554(self):
        result = swaks(self.postfix.submission_port, "--from", ALICE.address, "--to", FOREIGN,
                       "--quit-after", "RCPT")
        self.assertEqual(result.exit_code, clients.SWAKS_RCPT_REJECTED, result.transcript)
        self.assertIn("554 5.7.1 <%s>: Relay access denied" % FOREIGN, result.transcript)

    def test_an_unknown_local_user_is_rejected_550(self):
        result = swaks(self.postfix.submission_port, "--from", ALICE.address, "--to",
                       UNKNOWN_LOCAL, "--quit-after", "RCPT")
        self.assertEqual(result.exit_code, clients.SWAKS_RCPT_REJECTED, result.transcript)
        self.assertIn("550 5.1.1 <%s>" % UNKNOWN_LOCAL, result.transcript)

    def test_local_mail_needs_no_login(self):
        token, result = self.send_to_alice(self.postfix.submission_port)
        self.assertEqual(result.exit_code, clients.SWAKS_OK, result.transcript)
        self.assert_delivered_to_alice(token)

    def test_auth_is_offered_only_after_starttls_on_the_auth_tls_listener(self):
        plain = swaks(self.postfix.auth_tls_port, "--to", ALICE.address, "--quit-after", "EHLO")
        self.assertEqual(plain.exit_code, clients.SWAKS_OK, plain.transcript)
        self.assertIn("250-STARTTLS", plain.transcript)
        self.assertNotIn("AUTH", plain.transcript.split("EHLO", 1)[1])
        refused = swaks(self.postfix.auth_tls_port, "--to", ALICE.address, "--quit-after",
                        "AUTH", *swaks_auth(ALICE.address, ALICE.smtp_password))
        self.assertNotEqual(refused.exit_code, clients.SWAKS_OK, refused.transcript)
        self.assertIn("Host did not advertise authentication", refused.transcript)
        after_tls = swaks(self.postfix.auth_tls_port, "--to", ALICE.address, "--tls",
                          "--quit-after", "AUTH", *swaks_auth(ALICE.address, ALICE.smtp_password))
        self.assertEqual(after_tls.exit_code, clients.SWAKS_OK, after_tls.transcript)
        self.assertIn("235 2.7.0", after_tls.transcript)

    def test_the_tls_required_listener_refuses_mail_before_starttls(self):
        plain = swaks(self.postfix.tls_only_port, "--from", ALICE.address, "--to",
                      ALICE.address, "--quit-after", "RCPT")
        self.assertNotEqual(plain.exit_code, clients.SWAKS_OK, plain.transcript)
        self.assertIn("530 5.7.0 Must issue a STARTTLS command first", plain.transcript)
        secured = swaks(self.postfix.tls_only_port, "--from", ALICE.address, "--to",
                        ALICE.address, "--tls", "--quit-after", "RCPT")
        self.assertEqual(secured.exit_code, clients.SWAKS_OK, secured.transcript)

    def test_bobs_smtp_password_is_not_his_pop_password(self):
        self.assertNotEqual(BOB.smtp_password, BOB.password)
        good = swaks(self.postfix.submission_port, "--to", ALICE.address, "--tls",
                     "--quit-after", "AUTH", *swaks_auth(BOB.address, BOB.smtp_password))
        self.assertEqual(good.exit_code, clients.SWAKS_OK, good.transcript)
        with_pop_password = swaks(self.postfix.submission_port, "--to", ALICE.address, "--tls",
                                  "--quit-after", "AUTH", *swaks_auth(BOB.address, BOB.password))
        self.assertEqual(with_pop_password.exit_code, clients.SWAKS_AUTH_FAILED,
                         with_pop_password.transcript)
        self.assertIn("535 5.7.8", with_pop_password.transcript)

    def test_the_fixture_never_listens_on_port_25(self):
        with socket.socket() as probe:
            probe.settimeout(2)
            self.assertNotEqual(probe.connect_ex(("127.0.0.1", 25)), 0,
                                "something listens on 127.0.0.1:25 (a system MTA?)")
        with open(os.path.join(self.postfix.config_dir, "master.cf")) as master_cf:
            self.assertNotIn(":25 ", master_cf.read())


@needs_root()
@unittest.skipUnless(smtpdoctor_has("send", "--password-env"),
                     "`smtpdoctor send` is not in this build yet")
class SmtpdoctorSendThroughPostfixTest(PeerTestCase):
    """The stories above, driven by `smtpdoctor send`: exit 0 accepted, 1 refused."""

    @classmethod
    def setUpClass(cls):
        cls.mail = MailStack()
        for peer in cls.mail.peers:
            cls.start_peer(peer)
        cls.postfix, cls.dovecot = cls.mail.postfix, cls.mail.dovecot

    def send(self, port, to, *args, password=None):
        env = dict(os.environ)
        if password is not None:
            env["SMTPDOCTOR_TEST_PASSWORD"] = password
            args = args + ("--password-env", "SMTPDOCTOR_TEST_PASSWORD")
        if "--insecure" not in args and "--ca-file" not in args:
            args = args + ("--ca-file", self.mail.certs.ca_file)  # STARTTLS is tried by default
        argv = [smtpdoctor_binary(), "send", "--server", "127.0.0.1:%d" % port,
                "--from", ALICE.address, "--to", to, "--timeout", "10"] + list(args)
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=60, env=env)
        output = done.stdout.decode("utf-8", "replace")
        if password:
            self.assertNotIn(password, output, "the password leaked into the output")
        return done.returncode, output

    def test_send_with_starttls_and_auth_reaches_the_mailbox_over_pop3_and_imap(self):
        token = "smtpdoctor-%s" % uuid.uuid4().hex
        code, output = self.send(self.postfix.submission_port, ALICE.address, "--tls",
                                 "--ca-file", self.mail.certs.ca_file, "--auth", "PLAIN",
                                 "--auth-user", ALICE.address, "--header",
                                 "Subject: %s" % token, password=ALICE.smtp_password)
        self.assertEqual(code, 0, output)

        def pop3():
            return [m for m in clients.pop3_messages(self.dovecot.pop3_port, ALICE.address,
                                                     ALICE.password, self.mail.certs)
                    if token.encode() in m]
        self.assertEqual(len(clients.wait_for(pop3)), 1, output)
        over_imap = [m for m in clients.imap_messages(self.dovecot.imaps_port, ALICE.address,
                                                      ALICE.password, self.mail.certs, mode="tls")
                     if token.encode() in m]
        self.assertEqual(len(over_imap), 1)

    def test_send_with_a_wrong_password_exits_1_and_shows_535(self):
        code, output = self.send(self.postfix.submission_port, ALICE.address, "--tls",
                                 "--insecure", "--auth", "PLAIN", "--auth-user", ALICE.address,
                                 password="not-the-password")
        self.assertEqual(code, 1, output)
        self.assertIn("535", output)

    def test_send_to_a_foreign_domain_without_login_exits_1_relay_denied(self):
        code, output = self.send(self.postfix.submission_port, FOREIGN)
        self.assertEqual(code, 1, output)
        self.assertIn("554 5.7.1", output)

    def test_send_to_an_unknown_local_user_exits_1_with_550(self):
        code, output = self.send(self.postfix.submission_port, UNKNOWN_LOCAL)
        self.assertEqual(code, 1, output)
        self.assertIn("550 5.1.1", output)


if __name__ == "__main__":
    main()
