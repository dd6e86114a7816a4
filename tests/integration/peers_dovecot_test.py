#!/usr/bin/env python3
"""The Dovecot fixture as a mail app meets it: POP3 and IMAP, each over STARTTLS/STLS and over
implicit TLS, verified against the fixture's test CA; failed logins answered at once; Bob's
mailbox password differing from his SMTP password."""

import os
import poplib
import imaplib
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("SMTPDOCTOR_SOURCE_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", ".."), "tests"))

from peers import clients  # noqa: E402
from peers.dovecot import ALICE, BOB, Dovecot  # noqa: E402
from peers.testing import PeerTestCase, main, needs_system_daemons  # noqa: E402


@needs_system_daemons()
class DovecotTest(PeerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.dovecot = cls.start_peer(Dovecot())
        cls.certs = cls.dovecot.certs

    def test_alice_logs_in_on_every_pop3_and_imap_port_with_a_verified_certificate(self):
        d = self.dovecot
        for protocol, port, mode in (("pop3", d.pop3_port, "stls"), ("pop3", d.pop3s_port, "tls"),
                                     ("imap", d.imap_port, "starttls"),
                                     ("imap", d.imaps_port, "tls")):
            with self.subTest(protocol=protocol, port=port, mode=mode):
                read = clients.pop3_messages if protocol == "pop3" else clients.imap_messages
                self.assertEqual(read(port, ALICE.address, ALICE.password, self.certs, mode=mode),
                                 [])

    def test_the_plain_ports_advertise_starttls(self):
        pop = poplib.POP3("127.0.0.1", self.dovecot.pop3_port, timeout=10)
        try:
            self.assertIn("STLS", pop.capa())
        finally:
            pop.quit()
        imap = imaplib.IMAP4("127.0.0.1", self.dovecot.imap_port, timeout=10)
        try:
            self.assertIn("STARTTLS", imap.capabilities)
        finally:
            imap.logout()

    def test_a_wrong_password_is_refused_at_once(self):
        started = time.monotonic()
        with self.assertRaises(poplib.error_proto) as refused:
            clients.pop3_messages(self.dovecot.pop3_port, ALICE.address, "wrong", self.certs)
        self.assertIn(b"-ERR", refused.exception.args[0])
        # Dovecot's default auth_failure_delay (2 s) would slow every negative test.
        self.assertLess(time.monotonic() - started, 1.5)

    def test_bobs_mailbox_password_is_not_his_smtp_password(self):
        self.assertEqual(clients.pop3_messages(self.dovecot.pop3_port, BOB.address, BOB.password,
                                               self.certs), [])
        self.assertEqual(clients.imap_messages(self.dovecot.imap_port, BOB.address, BOB.password,
                                               self.certs), [])
        with self.assertRaises(poplib.error_proto):
            clients.pop3_messages(self.dovecot.pop3_port, BOB.address, BOB.smtp_password,
                                  self.certs)
        with self.assertRaises(imaplib.IMAP4.error):
            clients.imap_messages(self.dovecot.imap_port, BOB.address, BOB.smtp_password,
                                  self.certs)

    def test_the_certificate_is_not_trusted_without_the_test_ca(self):
        import ssl
        with self.assertRaises(ssl.SSLCertVerificationError):
            poplib.POP3_SSL("127.0.0.1", self.dovecot.pop3s_port,
                            context=ssl.create_default_context(), timeout=10)


if __name__ == "__main__":
    main()
