#!/usr/bin/env python3
"""Issue 5 inside `smtpdoctor check`, end to end on loopback: the dns probe choosing the
exchangers the transport probes walk (with the dnsmasq fixture as --dns-server), a null-MX domain
skipping them, the POP3 comparison naming credentials_differ_from_pop after Postfix refuses Bob's
mailbox password, and the egress address echoed by `smtpdoctor serve`. Every --json report is
validated against the published schema (check_common.check)."""

import os

from check_common import categories, check, probe  # noqa: E402
from peers import zone  # noqa: E402
from peers.dns import DnsServer  # noqa: E402
from peers.dovecot import BOB  # noqa: E402
from peers.postfix import MailStack  # noqa: E402
from peers.testing import PeerTestCase, main, needs_system_daemons  # noqa: E402
from serve_fixture import Serve  # noqa: E402


class DnsInCheckTest(PeerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.dns = cls.start_peer(DnsServer())

    def test_a_null_mx_domain_fails_dns_and_skips_every_transport_probe(self):
        code, report = check("bob@" + zone.NULL_MX_DOMAIN, "--dns-server", self.dns.address,
                             "--port", "25")
        self.assertEqual(code, 1)
        dns = probe(report, "dns")
        self.assertEqual((dns["status"], categories(dns)), ("fail", ["null_mx"]))
        tcp = probe(report, "tcp")
        self.assertEqual(tcp["status"], "skip")
        self.assertIn("null MX", tcp["skip_reason"])

    def test_the_egress_address_echoed_by_the_server_is_reported(self):
        with Serve() as server:
            code, report = check("127.0.0.1:%d" % server.port, "--dns-server", self.dns.address)
        egress = [p for p in report["probes"]
                  if p["id"] == "dns" and p["details"].get("check") == "egress"]
        self.assertEqual(len(egress), 1, report["probes"])
        self.assertEqual(egress[0]["details"]["address"], "127.0.0.1")
        self.assertIn("private address", egress[0]["summary"])


@needs_system_daemons()
class CredentialsInCheckTest(PeerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.dns = cls.start_peer(DnsServer())
        cls.mail = cls.start_peer(MailStack())

    def test_smtp_refusing_bobs_mailbox_password_that_pop3_accepts(self):
        code, report = check(
            "bob@" + zone.MAIL_DOMAIN, "--dns-server", self.dns.address,
            "--port", str(self.mail.postfix.submission_port), "--ca-file",
            self.mail.certs.ca_file, "--auth-user", BOB.address, "--password-env", "BOB_PASS",
            "--pop", "pop3s://127.0.0.1:%d" % self.mail.dovecot.pop3s_port,
            env={"BOB_PASS": BOB.password})
        self.assertEqual(code, 1)
        # The transport probes walked the MX exchanger by name, at the fixture's address.
        tcp = probe(report, "tcp")
        self.assertEqual((tcp["host"], tcp["address"]), (zone.MAIL_HOST, "127.0.0.1"))
        # ... and TLS was verified against that name (SNI mx.smtpdoctor.test), not the address.
        self.assertTrue(probe(report, "tls")["details"]["verified"])
        credentials = [p for p in report["probes"]
                       if p["id"] == "auth" and p["details"].get("check") == "credentials"]
        self.assertEqual(len(credentials), 1)
        self.assertEqual(categories(credentials[0]), ["credentials_differ_from_pop"])
        self.assertIn("credentials_differ_from_pop",
                      [d["category"] for d in report["diagnoses"]])
        self.assertNotIn(BOB.password, str(report))


if __name__ == "__main__":
    main()
