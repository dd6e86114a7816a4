#!/usr/bin/env python3
"""`smtpdoctor check DOMAIN` reads the domain's MTA-STS policy (RFC 8461) and TLS-RPT record
(RFC 8460) as a sending MTA does, and judges the policy against the MX hosts' certificates.

Everything is on loopback: dnsmasq serves the test zone (tests/data/zone, the sts-*.test
domains); a Python HTTPS server on 127.0.0.31 port 443 — the policy URL has no port, so it must
be 443, which root may bind on loopback — serves each domain's policy by its Host field, with a
certificate from the test CA (tests/peers/certs.py) passed with --ca-file; two `smtpdoctor serve`
instances on one high port of 127.0.0.21 (a certificate naming the MX hosts) and 127.0.0.22 (one
naming another host) are the MX hosts, checked with --port. Not root: every test is skipped,
saying why."""

import errno
import http.server
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from check_common import SOURCE_DIR, categories, check, probe, run  # noqa: E402
from serve_fixture import SMTPDOCTOR  # noqa: E402

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests"))
from peers import zone  # noqa: E402
from peers.certs import TestCertificates  # noqa: E402
from peers.dns import DnsServer  # noqa: E402
from peers.testing import main  # noqa: E402

POLICY_PATH = "/.well-known/mta-sts.txt"


def policy(mode, *mx, max_age=604800):
    lines = ["version: STSv1", "mode: " + mode] + ["mx: " + m for m in mx]
    return "\r\n".join(lines + ["max_age: %d" % max_age, ""])


# Host -> (status, headers, body) the policy server answers with.
POLICIES = {
    "mta-sts." + zone.STS_GOOD: (200, {}, policy("enforce", "mx.sts-good.test")),
    "mta-sts." + zone.STS_ENFORCE: (200, {}, policy("enforce", "*.sts-enforce.test")),
    "mta-sts." + zone.STS_TESTING: (200, {}, policy("testing", "mx.sts-testing.test")),
    "mta-sts." + zone.STS_UNLISTED: (200, {}, policy("enforce", "mail.sts-unlisted.test")),
    "mta-sts." + zone.STS_SYNTAX: (200, {}, "version: STSv1\nmode: enforcing\n"
                                             "mx: mx.sts-syntax.test\nmax_age: 604800\n"),
    "mta-sts." + zone.STS_REDIRECT: (301, {"Location": "https://mta-sts.%s%s"
                                           % (zone.STS_GOOD, POLICY_PATH)}, "moved\n"),
    "mta-sts." + zone.STS_BADCERT: (200, {}, policy("enforce", "mx.sts-badcert.test")),
    # Valid lines, but more than the 64 KiB a sender reads.
    "mta-sts." + zone.STS_HUGE: (200, {}, policy("enforce", *["mx%d.sts-huge.test" % i
                                                              for i in range(4000)])),
    "mta-sts." + zone.STS_SLOW: (200, {}, policy("enforce", "mx.sts-slow.test")),
}
SLOW_SECONDS = 8  # how long the sts-slow policy host waits before answering
# The names the policy server's certificate carries: all but sts-badcert's.
POLICY_CERT_NAMES = tuple(h for h in POLICIES if h != "mta-sts." + zone.STS_BADCERT)


def why_cannot_run():
    if os.geteuid() != 0:
        return "the policy server must listen on port 443 of 127.0.0.31, which needs root"
    return None


class PolicyServer:
    """HTTPS on STS_POLICY_IP:443, answering from POLICIES by Host; `requests` lists the
    (host, path) of every request, so a test can tell a redirect was not followed."""

    def __init__(self, cert, key):
        self.requests = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                host = (self.headers.get("Host") or "").split(":")[0]
                owner.requests.append((host, self.path))
                if host == "mta-sts." + zone.STS_SLOW:
                    time.sleep(SLOW_SECONDS)
                status, headers, body = POLICIES.get(host, (404, {}, "no such policy\n"))
                if self.path != POLICY_PATH:
                    status, headers, body = 404, {}, "not found\n"
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        # The zone fixes the address, so a second run of this test on the machine (another
        # worktree's ctest) holds it for a while: wait for it rather than fail at once.
        deadline = time.monotonic() + 90
        while True:
            try:
                self.httpd = http.server.ThreadingHTTPServer((zone.STS_POLICY_IP, 443), Handler)
                break
            except OSError as e:
                if e.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                    raise
                time.sleep(1)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def free_port_on(*addresses):
    """A TCP port free on every one of `addresses`."""
    for _ in range(50):
        with socket.socket() as probe_socket:
            probe_socket.bind((addresses[0], 0))
            port = probe_socket.getsockname()[1]
        try:
            for address in addresses:
                with socket.socket() as s:
                    s.bind((address, port))
            return port
        except OSError:
            continue
    raise RuntimeError("no port free on %s" % (addresses,))


class MxServer:
    """`smtpdoctor serve --listen ADDRESS:PORT` with a given certificate."""

    def __init__(self, address, port, cert, key):
        self.proc = subprocess.Popen(
            [SMTPDOCTOR, "serve", "--listen", "%s:%d" % (address, port), "--cert", cert,
             "--key", key, "--hostname", "mx.test"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = self.proc.stdout.readline()
        if "listening on %s:%d" % (address, port) not in first:
            self.proc.kill()
            raise AssertionError("serve did not start: %r %s" % (first, self.proc.stderr.read()))
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for pipe in (self.proc.stdout, self.proc.stderr):
            pipe.close()


@unittest.skipIf(why_cannot_run() is not None, why_cannot_run() or "")
class MtaStsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="smtpdoctor-mta-sts-")
        cls.certs = TestCertificates(cls.dir).create()
        good_names = tuple(host for hosts in zone.STS_MX.values() for host, ip in hosts
                           if ip == zone.STS_GOOD_MX_IP)
        cls.good_mx = cls.certs.issue("good-mx", dns_names=good_names, ip_addresses=())
        cls.bad_mx = cls.certs.issue("bad-mx", dns_names=("other-host.test",), ip_addresses=())
        cls.policy_cert = cls.certs.issue("policy", dns_names=POLICY_CERT_NAMES, ip_addresses=())
        cls.dns = DnsServer().start()
        cls.stack = [cls.dns.stop]
        try:
            cls.policy = PolicyServer(*cls.policy_cert)
            cls.stack.append(cls.policy.stop)
            cls.port = free_port_on(zone.STS_GOOD_MX_IP, zone.STS_BAD_MX_IP)
            for address, pair in ((zone.STS_GOOD_MX_IP, cls.good_mx),
                                  (zone.STS_BAD_MX_IP, cls.bad_mx)):
                server = MxServer(address, cls.port, *pair)
                cls.stack.append(server.stop)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for stop in reversed(cls.stack):
            stop()
        cls.stack = []
        shutil.rmtree(cls.dir, ignore_errors=True)

    def args(self, domain, *more, timeout="5s"):
        return (domain, "--dns-server", self.dns.address, "--port", str(self.port), "--ca-file",
                self.certs.ca_file, "--timeout", timeout, *more)

    def check(self, domain, *more):
        code, report = check(*self.args(domain, *more))
        return code, report, probe(report, "mta_sts"), probe(report, "tlsrpt")

    def test_valid_enforce_policy_whose_mx_certificate_matches(self):
        code, report, sts, rpt = self.check(zone.STS_GOOD)
        self.assertEqual(sts["status"], "ok", sts)
        self.assertIn("enforce policy id 20260101good", sts["summary"])
        self.assertIn("1 of 1 MX host listed with a valid certificate", sts["summary"])
        self.assertEqual(sts["details"]["policy"]["mx"], ["mx.sts-good.test"])
        self.assertEqual(sts["details"]["mx_checks"][0]["ports"][0]["certificate"], "verified")
        self.assertEqual(rpt["status"], "ok", rpt)
        self.assertEqual(rpt["details"]["rua"], ["mailto:tlsrpt@sts-good.test",
                                                 "https://reports.sts-good.test/v1"])
        self.assertIn("reports go to mailto:tlsrpt@sts-good.test", rpt["summary"])

    def test_enforce_policy_and_an_mx_whose_certificate_does_not_match_fails_with_the_fix(self):
        code, report, sts, rpt = self.check(zone.STS_ENFORCE)
        self.assertEqual(code, 1)
        self.assertEqual(sts["status"], "fail", sts)
        self.assertEqual(categories(sts), ["mta_sts"])
        cause = sts["diagnoses"][0]["cause"]
        self.assertIn("In enforce mode, senders will refuse to deliver to mx2.sts-enforce.test: "
                      "its certificate does not match", cause)
        self.assertIn("other-host.test", cause)
        self.assertNotIn("mx1.sts-enforce.test", cause)
        self.assertIn("certificate for the name mx2.sts-enforce.test", sts["diagnoses"][0]["fix"])
        self.assertIn("1 of 2 MX hosts", sts["summary"])
        # The same run, in words.
        code, out, err = run(["check", *self.args(zone.STS_ENFORCE), "--offline", "--helo",
                              "client.example.test"])
        self.assertIn("senders will refuse to deliver to mx2.sts-enforce.test", out)
        self.assertIn("✗ mta_sts", out)

    def test_bad_tlsrpt_record_is_a_warning_naming_the_uri(self):
        code, report, sts, rpt = self.check(zone.STS_ENFORCE)
        self.assertEqual(rpt["status"], "warn", rpt)
        self.assertEqual(categories(rpt), ["tls_reporting"])
        self.assertIn('"ftp://reports.sts-enforce.test/" is neither mailto: nor https:',
                      rpt["summary"])

    def test_testing_mode_mismatch_is_a_warning(self):
        code, report, sts, rpt = self.check(zone.STS_TESTING)
        self.assertEqual(sts["status"], "warn", sts)
        self.assertEqual([d["rule"] for d in sts["diagnoses"]], ["mta-sts-tls-testing"])
        self.assertIn("In testing mode, senders still deliver to mx.sts-testing.test",
                      sts["diagnoses"][0]["cause"])
        self.assertEqual(rpt["status"], "ok")
        self.assertIn("no TLS-RPT record", rpt["summary"])

    def test_mx_matching_no_pattern_fails(self):
        code, report, sts, rpt = self.check(zone.STS_UNLISTED)
        self.assertEqual(sts["status"], "fail", sts)
        self.assertEqual([d["rule"] for d in sts["diagnoses"]], ["mta-sts-mx-not-listed"])
        cause = sts["diagnoses"][0]["cause"]
        self.assertIn("mx.sts-unlisted.test matches no mx line", cause)
        self.assertIn("mx: mail.sts-unlisted.test", cause)
        self.assertIn("refuse to deliver", cause)
        self.assertIn('Add "mx: mx.sts-unlisted.test"', sts["diagnoses"][0]["fix"])

    def test_bad_policy_syntax_names_the_line(self):
        code, report, sts, rpt = self.check(zone.STS_SYNTAX)
        self.assertEqual(sts["status"], "fail", sts)
        self.assertEqual([d["rule"] for d in sts["diagnoses"]], ["mta-sts-policy-invalid"])
        self.assertIn('line 2: mode must be enforce, testing or none, not "enforcing"',
                      sts["summary"])
        self.assertIn('line 2: mode must be', " ".join(sts["details"]["policy"]["errors"]))

    def test_txt_record_without_a_policy_host_fails(self):
        code, report, sts, rpt = self.check(zone.STS_NOHOST)
        self.assertEqual(sts["status"], "fail", sts)
        self.assertEqual([d["rule"] for d in sts["diagnoses"]], ["mta-sts-policy-unavailable"])
        self.assertIn("mta-sts.sts-nohost.test does not exist (NXDOMAIN)", sts["summary"])

    def test_policy_host_with_a_certificate_for_other_names_fails(self):
        code, report, sts, rpt = self.check(zone.STS_BADCERT)
        self.assertEqual(sts["status"], "fail", sts)
        self.assertIn("its certificate is not valid for mta-sts.sts-badcert.test", sts["summary"])
        # --insecure does not lower the bar: senders verify the policy host whatever we do.
        code, report, sts, rpt = self.check(zone.STS_BADCERT, "--insecure")
        self.assertEqual(sts["status"], "fail", sts)

    def test_redirect_is_reported_and_not_followed(self):
        before = len(self.policy.requests)
        code, report, sts, rpt = self.check(zone.STS_REDIRECT)
        self.assertEqual(sts["status"], "fail", sts)
        self.assertIn("301", sts["summary"])
        self.assertIn("redirect, which senders do not follow", sts["summary"])
        self.assertEqual(sts["details"]["http_status"], 301)
        asked = self.policy.requests[before:]
        self.assertEqual(asked, [("mta-sts." + zone.STS_REDIRECT, POLICY_PATH)])

    def test_a_policy_over_64_kib_is_not_read(self):
        code, report, sts, rpt = self.check(zone.STS_HUGE)
        self.assertEqual(sts["status"], "fail", sts)
        self.assertIn("the body is larger than the limit", sts["summary"])

    def test_a_policy_host_that_does_not_answer_is_given_up_on_time(self):
        started = time.monotonic()
        code, report = check(*self.args(zone.STS_SLOW, timeout="2s"))
        sts = probe(report, "mta_sts")
        self.assertLess(time.monotonic() - started, SLOW_SECONDS - 1)
        self.assertEqual(sts["status"], "fail", sts)
        self.assertIn("no whole response within 2 s", sts["summary"])

    def test_a_domain_without_mta_sts_says_so(self):
        code, report, sts, rpt = self.check(zone.TWO_MX_DOMAIN, "--only", "mta_sts,tlsrpt")
        self.assertEqual(sts["status"], "ok")
        self.assertIn("no MTA-STS policy", sts["summary"])
        self.assertIn("no TLS-RPT record", rpt["summary"])

    def test_offline_without_a_dns_server_and_a_server_target_skip(self):
        code, report = check("127.0.0.1", "--port", str(self.port))
        self.assertEqual(probe(report, "mta_sts")["status"], "skip")
        self.assertIn("IP address", probe(report, "mta_sts")["skip_reason"])
        code, report = check(zone.STS_GOOD, "--port", str(self.port), "--only", "mta_sts")
        self.assertEqual(probe(report, "mta_sts")["status"], "skip")
        self.assertIn("--dns-server", probe(report, "mta_sts")["skip_reason"])
        self.assertIn("not selected", probe(report, "tlsrpt")["skip_reason"])

    def test_nagios_and_openmetrics_carry_the_verdict(self):
        code, out, err = run(["check", *self.args(zone.STS_ENFORCE), "--offline", "--format",
                              "nagios", "--helo", "client.example.test"])
        self.assertEqual(code, 2, out + err)  # CRITICAL
        self.assertIn("mta_sts", out)
        code, out, err = run(["check", *self.args(zone.STS_GOOD), "--offline", "--format",
                              "openmetrics", "--helo", "client.example.test"])
        self.assertIn('probe="mta_sts"', out)


if __name__ == "__main__":
    main()
