#!/usr/bin/env python3
"""`smtpdoctor check` and DANE (RFC 7672): a domain whose MX host publishes TLSA records in a
DNSSEC-signed zone, served by unbound on loopback behind a validating unbound whose trust anchor
is the zone's own key (tests/peers/dnssec.py). The MX host is `smtpdoctor serve` on a high port
checked in the mx role, with a certificate from the test CA.

- TLSA 3 1 1 of the server's key, signed: the dane probe is ok and names the record.
- TLSA for another key, signed: the dane probe fails (dane_mismatch), its fix names the record
  to publish for the current key, and the run exits 1.
- The TLSA RRset's signature broken in the served zone: the resolver says SERVFAIL, with CD it
  gives the data: the dane probe fails as bogus.
- The same TLSA records in an unsigned zone: insecure, not used by senders (skipped, run ok).
- No TLSA in the signed zone: DANE not in use; its absence is signed.
- --offline without --dns-server: skipped, nothing asked.

The association data the test publishes comes from the openssl CLI, not from smtpdoctor."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from check_common import SOURCE_DIR, categories, check, notes, probe, run  # noqa: E402
from serve_fixture import Serve  # noqa: E402

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests"))
from peers.certs import TestCertificates  # noqa: E402
from peers.dnssec import DnssecResolver, Zone  # noqa: E402
from peers.testing import main  # noqa: E402

MX_NAMES = ("mx-match.dane.test", "mx-mismatch.dane.test", "mx-bogus.dane.test",
            "mx-none.dane.test", "mx.plain.test", "localhost")


def spki_sha256(cert_file):
    """The "3 1 1" association data of a certificate: SHA-256 of its SubjectPublicKeyInfo."""
    key = subprocess.run(["openssl", "x509", "-in", cert_file, "-pubkey", "-noout"],
                         check=True, stdout=subprocess.PIPE).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=key,
                         check=True, stdout=subprocess.PIPE).stdout
    digest = subprocess.run(["openssl", "dgst", "-sha256", "-r"], input=der, check=True,
                            stdout=subprocess.PIPE, text=False).stdout
    return digest.split()[0].decode()


class Fixture:
    """One server, one signed and one unsigned zone, one validating resolver, for the module."""
    made = None

    @classmethod
    def get(cls):
        if cls.made is None:
            cls.made = cls()
        return cls.made

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="smtpdoctor-check-dane-")
        self.certs = TestCertificates(self.dir, names=MX_NAMES).create()
        self.server = Serve("--cert", self.certs.cert_file, "--key", self.certs.key_file,
                            store=False)
        # A self-signed certificate for a name no CA vouches for: only DANE-EE can make it good.
        self.self_signed_cert, self_signed_key = self.certs.self_signed(
            "self-signed", dns_names=("mx-selfsigned.dane.test",), ip_addresses=())
        self.self_signed_server = Serve("--cert", self.self_signed_cert, "--key",
                                        self_signed_key, store=False)
        port = self.server.port
        self.port = port
        self.good = spki_sha256(self.certs.cert_file)
        self.wrong = spki_sha256(self.certs.ca_file)  # a real key, but not the server's
        tlsa = "_%d._tcp.%%s TLSA 3 1 1 %%s" % port
        signed = ["match MX 10 mx-match", "mx-match A 127.0.0.1", tlsa % ("mx-match", self.good),
                  "mismatch MX 10 mx-mismatch", "mx-mismatch A 127.0.0.1",
                  tlsa % ("mx-mismatch", self.wrong),
                  "bogus MX 10 mx-bogus", "mx-bogus A 127.0.0.1", tlsa % ("mx-bogus", self.good),
                  "none MX 10 mx-none", "mx-none A 127.0.0.1",
                  "selfsigned MX 10 mx-selfsigned", "mx-selfsigned A 127.0.0.1",
                  "_%d._tcp.mx-selfsigned TLSA 3 1 1 %s" % (
                      self.self_signed_server.port, spki_sha256(self.self_signed_cert))]
        unsigned = ["@ MX 10 mx", "mx A 127.0.0.1", tlsa % ("mx", self.good)]
        zones = [Zone("dane.test", signed, signed=True,
                      break_signatures=["_%d._tcp.mx-bogus" % port]),
                 Zone("plain.test", unsigned)]
        try:
            self.dns = DnssecResolver(zones).start()
        except BaseException:
            self.server.__exit__(None, None, None)
            self.self_signed_server.__exit__(None, None, None)
            raise

    def check(self, domain, *args, port=None):
        return check(domain, "--dns-server", self.dns.address, "--port",
                     "%d/mx" % (port or self.port), "--ca-file", self.certs.ca_file, *args)

    def remove(self):
        self.dns.stop()
        self.server.__exit__(None, None, None)
        self.self_signed_server.__exit__(None, None, None)
        shutil.rmtree(self.dir, ignore_errors=True)


def tearDownModule():
    if Fixture.made is not None:
        Fixture.made.remove()
        Fixture.made = None


TOOLS = ("unbound", "unbound-checkconf", "ldns-signzone", "ldns-keygen", "openssl")


@unittest.skipUnless(all(shutil.which(t) for t in TOOLS),
                     "needs %s (packages unbound, ldnsutils)" % ", ".join(TOOLS))
class DaneTest(unittest.TestCase):
    def dane(self, report):
        return probe(report, "dane")

    def test_a_signed_tlsa_record_of_the_servers_key_matches(self):
        f = Fixture.get()
        code, report = f.check("match.dane.test")
        dane = self.dane(report)
        self.assertEqual(dane["status"], "ok", dane)
        self.assertIn("DANE-EE record 3 1 1 %s" % f.good[:16], dane["summary"])
        self.assertIn("DNSSEC-signed", dane["summary"])
        self.assertEqual(dane["host"], "mx-match.dane.test")
        self.assertEqual(dane["port"], f.port)
        self.assertEqual(dane["details"]["dnssec"], "secure")
        self.assertEqual(dane["details"]["mx_dnssec"], "secure")
        self.assertEqual(dane["details"]["tlsa_name"], "_%d._tcp.mx-match.dane.test" % f.port)
        self.assertEqual(dane["details"]["records"][0]["record"], "3 1 1 " + f.good)
        self.assertTrue(dane["details"]["records"][0]["matched"])
        self.assertEqual(probe(report, "tls")["status"], "ok")
        self.assertEqual(code, 0, report)

    def test_a_self_signed_certificate_with_a_matching_dane_ee_record_is_fine_for_dane(self):
        f = Fixture.get()
        code, report = f.check("selfsigned.dane.test", port=f.self_signed_server.port)
        tls = probe(report, "tls")
        self.assertEqual(tls["status"], "fail", tls)  # ordinary clients cannot verify it
        dane = self.dane(report)
        self.assertEqual(dane["status"], "ok", dane)
        self.assertIn("DANE-EE record 3 1 1", dane["summary"])
        self.assertIn("the certificate does not verify for ordinary clients", notes(dane))
        self.assertIn("self-signed", notes(dane))
        self.assertIn("DANE-EE senders check only the key", notes(dane))

    def test_a_signed_tlsa_record_for_another_key_fails_with_the_record_to_publish(self):
        f = Fixture.get()
        code, report = f.check("mismatch.dane.test")
        dane = self.dane(report)
        self.assertEqual(dane["status"], "fail", dane)
        self.assertIn("TLSA records do not match the certificate: DANE-enforcing senders",
                      dane["summary"])
        self.assertIn("dane_mismatch", categories(dane))
        diagnosis = dane["diagnoses"][0]
        self.assertEqual(diagnosis["rule"], "dane-mismatch")
        self.assertIn("_%d._tcp.mx-mismatch.dane.test" % f.port, diagnosis["cause"])
        self.assertIn("smtp_tls_security_level = dane", diagnosis["cause"])
        # The fix names the record for the key the server has now, in full.
        self.assertIn("_%d._tcp.mx-mismatch.dane.test IN TLSA 3 1 1 %s" % (f.port, f.good),
                      diagnosis["fix"])
        self.assertIn("before rolling the certificate", diagnosis["fix"])
        self.assertEqual(dane["details"]["current_key_record"], "3 1 1 " + f.good)
        self.assertFalse(dane["details"]["records"][0]["matched"])
        self.assertEqual(report["verdict"], "fail")
        self.assertEqual(code, 1)

    def test_a_broken_signature_on_the_tlsa_records_is_bogus(self):
        f = Fixture.get()
        code, report = f.check("bogus.dane.test")
        dane = self.dane(report)
        self.assertEqual(dane["status"], "fail", dane)
        self.assertEqual(dane["details"]["dnssec"], "bogus")
        self.assertEqual(dane["details"]["tlsa_status"], "servfail")
        self.assertIn("fail DNSSEC validation (bogus)", dane["summary"])
        self.assertEqual([d["rule"] for d in dane["diagnoses"]], ["dane-tlsa-bogus"])
        self.assertIn("checking disabled (CD)", notes(dane))
        self.assertEqual(code, 1)

    def test_tlsa_records_in_an_unsigned_zone_are_not_used_by_senders(self):
        f = Fixture.get()
        code, report = f.check("plain.test")
        dane = self.dane(report)
        self.assertEqual(dane["status"], "skip", dane)
        self.assertIn("not DNSSEC-signed (insecure): senders do not use them",
                      dane["skip_reason"])
        self.assertEqual(dane["details"]["dnssec"], "insecure")
        self.assertEqual(dane["details"]["mx_dnssec"], "insecure")
        self.assertEqual(dane["diagnoses"], [])
        self.assertEqual(code, 0, report)

    def test_no_tlsa_records_means_dane_is_not_in_use(self):
        f = Fixture.get()
        code, report = f.check("none.dane.test")
        dane = self.dane(report)
        self.assertEqual(dane["status"], "skip", dane)
        self.assertIn("no TLSA records at _%d._tcp.mx-none.dane.test: DANE is not in use"
                      % f.port, dane["skip_reason"])
        self.assertIn("absence is DNSSEC-signed", dane["skip_reason"])
        self.assertEqual(code, 0, report)

    def test_offline_without_a_dns_server_skips_dane(self):
        f = Fixture.get()
        code, report = check("127.0.0.1", "--port", "%d/mx" % f.port, "--ca-file",
                             f.certs.ca_file)
        dane = self.dane(report)
        self.assertEqual(dane["status"], "skip")
        self.assertIn("--offline", dane["skip_reason"])

    def test_the_human_report_shows_the_mismatch_and_its_fix(self):
        f = Fixture.get()
        code, out, err = run(["check", "mismatch.dane.test", "--offline", "--dns-server",
                              f.dns.address, "--port", "%d/mx" % f.port, "--ca-file",
                              f.certs.ca_file, "--helo", "client.example.test"])
        self.assertEqual(code, 1, out + err)
        self.assertIn("dane", out)
        self.assertIn("TLSA records do not match the certificate", out)
        self.assertIn("IN TLSA 3 1 1 " + f.good, re.sub(r"\s+", " ", out))
        # Nagios and OpenMetrics carry the probe like every other.
        code, out, err = run(["check", "mismatch.dane.test", "--offline", "--dns-server",
                              f.dns.address, "--port", "%d/mx" % f.port, "--ca-file",
                              f.certs.ca_file, "--format", "nagios"])
        self.assertEqual(code, 2, out + err)
        self.assertIn("dane", out.split("|")[0])
        code, out, err = run(["check", "mismatch.dane.test", "--offline", "--dns-server",
                              f.dns.address, "--port", "%d/mx" % f.port, "--ca-file",
                              f.certs.ca_file, "--format", "openmetrics"])
        self.assertIn('probe="dane"', out)


if __name__ == "__main__":
    main()
