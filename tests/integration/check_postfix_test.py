#!/usr/bin/env python3
"""`smtpdoctor check` against real Postfix + Dovecot SASL (tests/peers) on loopback high ports:
the refusals a user meets with a real server — wrong password, relay denied, unknown user, AUTH
only after STARTTLS, TLS required — each come out as the probe status and diagnosis category the
user needs, and every --json report is valid against the published schema."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from check_common import categories, check, notes, probe  # noqa: E402
from peers.dovecot import ALICE, BOB  # noqa: E402
from peers.postfix import FOREIGN, UNKNOWN_LOCAL, MailStack  # noqa: E402
from peers.testing import PeerTestCase, main, needs_system_daemons  # noqa: E402


@needs_system_daemons()
class CheckAgainstPostfixTest(PeerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.mail = MailStack()
        cls.start_peer(cls.mail)
        cls.postfix = cls.mail.postfix

    def check(self, port, *args, password=None):
        env = {"CHECK_PW": password} if password is not None else None
        extra = ["--password-env", "CHECK_PW"] if password is not None else []
        return check("127.0.0.1:%d" % port, "--ca-file", self.mail.certs.ca_file, *args, *extra,
                     env=env)

    def test_starttls_and_a_real_login_pass_and_the_recipient_is_accepted(self):
        code, report = self.check(self.postfix.submission_port, "--auth-user", ALICE.address,
                                  "--to", BOB.address, password=ALICE.smtp_password)
        tls = probe(report, "tls")
        self.assertTrue(tls["details"]["verified"], tls)
        self.assertEqual(tls["details"]["mode"], "starttls")
        # This listener lets AUTH and MAIL happen before STARTTLS, which the probe warns about;
        # the certificate itself (90 days, signed by the fixture's CA) draws no warning.
        self.assertIn(tls["status"], ("ok", "warn"))
        self.assertFalse(any("expire" in n for n in tls["details"].get("notes", [])), tls)
        auth = probe(report, "auth")
        self.assertEqual(auth["status"], "ok", auth)
        self.assertIn("logged in as " + ALICE.address, auth["summary"])
        envelope = probe(report, "envelope")
        self.assertEqual(envelope["status"], "ok", envelope)
        self.assertIn("1/1 recipients accepted", envelope["summary"])
        self.assertIn("smtpdoctor-test-postfix", probe(report, "banner")["summary"])
        self.assertNotIn(ALICE.smtp_password, str(report))

    def test_a_wrong_password_is_auth_failed(self):
        code, report = self.check(self.postfix.submission_port, "--auth-user", ALICE.address,
                                  password="not-the-password")
        self.assertEqual(code, 1)
        auth = probe(report, "auth")
        self.assertEqual(auth["status"], "fail")
        self.assertIn("535", auth["summary"])
        self.assertIn("auth_failed", categories(auth))

    def test_a_wrong_password_is_the_root_cause_of_the_relay_refusal_after_it(self):
        code, report = self.check(self.postfix.submission_port, "--auth-user", ALICE.address,
                                  "--to", FOREIGN, password="not-the-password")
        self.assertEqual(code, 1)
        envelope = probe(report, "envelope")
        self.assertEqual(envelope["status"], "fail")
        self.assertIn("relay_denied", categories(envelope))
        self.assertEqual(envelope["consequence_of"], "auth")
        self.assertEqual(report["root_cause"]["probe"], "auth")
        self.assertEqual(report["root_cause"]["category"], "auth_failed")

    def test_auth_all_finds_the_mechanisms_dovecot_accepts(self):
        code, report = self.check(self.postfix.submission_port, "--auth-user", ALICE.address,
                                  "--auth-all", password=ALICE.smtp_password)
        tried = probe(report, "auth")["details"]["mechanisms_tried"]
        self.assertEqual(tried.get("PLAIN"), "works", tried)
        self.assertEqual(tried.get("LOGIN"), "works", tried)

    def test_a_foreign_recipient_without_login_is_relay_denied(self):
        code, report = self.check(self.postfix.submission_port, "--to", FOREIGN)
        self.assertEqual(code, 1)
        envelope = probe(report, "envelope")
        self.assertEqual(envelope["status"], "fail")
        self.assertIn("554", envelope["summary"])
        self.assertIn("relay_denied", categories(envelope))

    def test_postfix_is_not_an_open_relay(self):
        code, report = self.check(self.postfix.submission_port, "--relay-test")
        envelope = probe(report, "envelope")
        self.assertFalse(envelope["details"]["open_relay"])
        self.assertIn("Relay access denied", envelope["details"]["relay_test"])

    def test_an_unknown_local_user_is_recipient_unknown(self):
        code, report = self.check(self.postfix.submission_port, "--to", UNKNOWN_LOCAL, "--to",
                                  ALICE.address)
        self.assertEqual(code, 1)
        envelope = probe(report, "envelope")
        self.assertEqual(envelope["status"], "fail")
        self.assertIn("recipient_unknown", categories(envelope))
        accepted = {r["address"]: r["accepted"] for r in envelope["details"]["recipients"]}
        self.assertEqual(accepted, {UNKNOWN_LOCAL: False, ALICE.address: True})

    def test_auth_offered_only_after_starttls_is_reported(self):
        code, report = self.check(self.postfix.auth_tls_port)
        tls = probe(report, "tls")
        self.assertIn("AUTH is offered only after STARTTLS", notes(tls))
        auth = probe(report, "auth")
        self.assertEqual(auth["details"]["mechanisms_before_tls"], [])
        self.assertIn("PLAIN", auth["details"]["mechanisms_after_tls"])
        self.assertIn("AUTH is offered only after STARTTLS", notes(auth))

    def test_auth_before_starttls_is_noted_as_a_password_risk(self):
        code, report = self.check(self.postfix.submission_port)
        self.assertIn("before STARTTLS too", notes(probe(report, "tls")))

    def test_a_tls_required_listener_refuses_mail_before_starttls(self):
        code, report = self.check(self.postfix.tls_only_port)
        tls = probe(report, "tls")
        self.assertTrue(tls["details"]["starttls_enforced"], tls)
        self.assertIn("530", notes(tls))

    def test_a_listener_that_takes_mail_without_starttls_is_warned_about(self):
        code, report = self.check(self.postfix.submission_port)
        tls = probe(report, "tls")
        self.assertFalse(tls["details"]["starttls_enforced"])
        self.assertEqual(tls["status"], "warn")

    def test_the_implicit_tls_listener_is_checked_like_465(self):
        code, report = self.check(self.postfix.smtps_port, "--tls-on-connect")
        tls = probe(report, "tls")
        self.assertEqual(tls["details"]["mode"], "implicit")
        self.assertTrue(tls["details"]["verified"])
        self.assertEqual(probe(report, "ehlo")["status"], "ok")

    def test_all_listeners_at_once_show_no_starttls_stripping(self):
        ports = [self.postfix.submission_port, self.postfix.auth_tls_port,
                 self.postfix.tls_only_port]
        code, report = check("127.0.0.1", "--ports", ",".join(map(str, ports)), "--ca-file",
                             self.mail.certs.ca_file)
        for port in ports:
            self.assertEqual(probe(report, "tcp", port)["status"], "ok")
            self.assertNotIn("starttls_stripping_suspected", probe(report, "tls", port)["details"])


if __name__ == "__main__":
    main()
