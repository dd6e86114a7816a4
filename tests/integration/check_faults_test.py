#!/usr/bin/env python3
"""`smtpdoctor check` against the loopback test server (`smtpdoctor serve`) playing each of its
faults: every fault shows up as the probe status and the diagnosis category a user would need,
and every report is valid against the published JSON Schema. Only 127.0.0.1."""

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from check_common import (HELO, SMTPDOCTOR, categories, check, environment,  # noqa: E402
                          make_certificates, notes, probe, run, validate)
from serve_fixture import Serve  # noqa: E402


def free_port():
    """A loopback port with nothing listening (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Certificates:
    """One test CA and server certificate for the whole module (openssl CLI, well under 1 s)."""
    dir = None
    ca_file = cert_file = key_file = None

    @classmethod
    def get(cls):
        if cls.dir is None:
            cls.dir = tempfile.mkdtemp(prefix="smtpdoctor-check-certs-")
            cls.ca_file, cls.cert_file, cls.key_file = make_certificates(cls.dir)
        return cls


def serve(*args):
    """`smtpdoctor serve` with the test CA's certificate, so --ca-file makes TLS verify."""
    certs = Certificates.get()
    return Serve("--cert", certs.cert_file, "--key", certs.key_file, *args, store=False,
                 json_events=True)


def trusted(port, *args):
    return ("127.0.0.1:%d" % port, "--ca-file", Certificates.get().ca_file, *args)


class HealthyServerTest(unittest.TestCase):
    def test_a_healthy_server_with_a_login_passes_every_probe_and_exits_0(self):
        with serve("--user", "alice:s3cret", "--require-tls") as server:
            code, report = check(*trusted(server.port, "--auth-user", "alice",
                                          "--password-env", "CHECK_PW", "--to",
                                          "bob@example.test"), env={"CHECK_PW": "s3cret"})
        self.assertEqual(code, 0, report)
        self.assertEqual(report["verdict"], "ok")
        for probe_id in ("tcp", "banner", "ehlo", "tls", "auth", "envelope"):
            self.assertEqual(probe(report, probe_id)["status"], "ok", probe(report, probe_id))
        tls = probe(report, "tls")
        self.assertTrue(tls["details"]["verified"])
        self.assertTrue(tls["details"]["starttls_enforced"])
        self.assertIn("AUTH is offered only after STARTTLS", notes(tls))
        self.assertIn("logged in as alice", probe(report, "auth")["summary"])
        self.assertIn("1/1 recipients accepted", probe(report, "envelope")["summary"])
        # The password never appears anywhere in the report.
        self.assertNotIn("s3cret", str(report))

    @unittest.skipUnless(os.geteuid() == 0 and shutil.which("unshare"),
                         "needs root and unshare(1) for a host name of its own")
    def test_a_host_name_without_a_dot_leaves_a_healthy_check_ok_in_every_format(self):
        # A UTS namespace gives the check a dot-less host name ("buildbox") without touching
        # the machine's. Without --helo, EHLO then says the address literal of our side of the
        # connection (RFC 5321 §4.1.4), and a submission port does not warn about the name.
        with serve("--user", "alice:s3cret", "--require-tls") as server:
            argv = [*trusted(server.port, "--auth-user", "alice", "--password-env", "CHECK_PW",
                             "--to", "bob@example.test"), "--offline"]
            outputs = {}
            for fmt in ("json", "human", "nagios"):
                script = 'hostname buildbox && exec "$@"'
                command = ["unshare", "--uts", "sh", "-c", script, "sh", SMTPDOCTOR, "check",
                           *argv, "--format", fmt]
                done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, timeout=60,
                                      env=environment(CHECK_PW="s3cret"))
                outputs[fmt] = (done.returncode, done.stdout)
        code, out = outputs["json"]
        report = json.loads(out)
        self.assertEqual((code, report["verdict"]), (0, "ok"), report)
        self.assertEqual(probe(report, "ehlo")["details"]["helo"], "[127.0.0.1]")
        self.assertEqual(probe(report, "ehlo")["status"], "ok")
        self.assertEqual(outputs["human"][0], 0)
        self.assertIn("Result: ok", outputs["human"][1])
        self.assertEqual(outputs["nagios"][0], 0)
        self.assertTrue(outputs["nagios"][1].startswith("SMTP OK"), outputs["nagios"][1])

    def test_the_transcript_redacts_the_password_and_never_sends_data(self):
        with serve("--user", "alice:s3cret") as server:
            code, out, err = run(["check", *trusted(server.port, "--auth-user", "alice",
                                                    "--password-env", "CHECK_PW", "--auth",
                                                    "PLAIN", "--to", "bob@example.test"),
                                  "--offline", "--helo", HELO, "-v"], env={"CHECK_PW": "s3cret"})
        self.assertEqual(code, 0, out + err)
        self.assertIn("Transcript of", out)
        self.assertIn("<redacted>", out)
        self.assertNotIn("s3cret", out + err)
        self.assertNotIn("czNjcmV0", out + err)  # base64("s3cret")
        self.assertNotIn("-> DATA", out)
        self.assertNotIn("-> BDAT", out)
        self.assertIn("~> RSET", out)
        self.assertIn("~> QUIT", out)


class FaultTest(unittest.TestCase):
    def test_a_421_greeting_fails_the_banner_as_service_unavailable(self):
        with serve("--fault", "banner=421") as server:
            code, report = check(*trusted(server.port))
        self.assertEqual(code, 1)
        banner = probe(report, "banner")
        self.assertEqual(banner["status"], "fail")
        self.assertIn("421", banner["summary"])
        self.assertIn("service_unavailable", categories(banner))
        self.assertEqual(probe(report, "ehlo")["status"], "skip")
        self.assertIn("refused the session", probe(report, "ehlo")["skip_reason"])

    def test_a_554_greeting_fails_the_banner(self):
        with serve("--fault", "banner=554") as server:
            code, report = check(*trusted(server.port))
        self.assertEqual(code, 1)
        banner = probe(report, "banner")
        self.assertEqual(banner["status"], "fail")
        self.assertIn("554", banner["summary"])
        self.assertIn("service_unavailable", categories(banner))
        # Everything after the greeting follows from it; the greeting is the root cause.
        self.assertEqual(report["root_cause"]["probe"], "banner")
        for later in ("ehlo", "tls", "auth", "envelope"):
            self.assertEqual(probe(report, later)["consequence_of"], "banner", later)

    def test_a_server_that_refuses_ehlo_is_talked_to_with_helo_and_offers_no_starttls(self):
        with serve("--fault", "ehlo-refused") as server:
            code, report = check(*trusted(server.port))
        self.assertEqual(code, 1)
        ehlo = probe(report, "ehlo")
        self.assertEqual(ehlo["status"], "warn")
        self.assertTrue(ehlo["details"]["used_helo"])
        self.assertIn("HELO accepted", ehlo["summary"])
        self.assertEqual(probe(report, "tls")["status"], "fail")
        self.assertIn("STARTTLS not offered", probe(report, "tls")["summary"])

    def test_greylisting_at_mail_is_a_warning_diagnosed_greylisted(self):
        with serve("--fault", "greylist=mail") as server:
            code, report = check(*trusted(server.port, "--to", "bob@example.test"))
        envelope = probe(report, "envelope")
        self.assertEqual(envelope["status"], "warn")
        self.assertIn("451", envelope["summary"])
        self.assertIn("greylisted", categories(envelope))
        self.assertEqual(code, 0, "a warning alone exits 0")
        self.assertEqual(report["verdict"], "warn")

    def test_strict_makes_a_warning_fail(self):
        with serve("--fault", "greylist=mail") as server:
            code, report = check(*trusted(server.port, "--to", "bob@example.test", "--strict"))
        self.assertEqual(code, 1)

    def test_greylisting_at_rcpt_names_the_recipient(self):
        with serve("--fault", "greylist=rcpt") as server:
            code, report = check(*trusted(server.port, "--to", "bob@example.test"))
        envelope = probe(report, "envelope")
        self.assertEqual(envelope["status"], "warn")
        self.assertEqual(envelope["details"]["recipients"][0]["address"], "bob@example.test")
        self.assertFalse(envelope["details"]["recipients"][0]["accepted"])
        self.assertIn("greylisted", categories(envelope))

    def test_an_unknown_user_fails_the_envelope_and_the_other_recipient_is_still_reported(self):
        with serve("--fault", "unknown-user=nobody@example.test") as server:
            code, report = check(*trusted(server.port, "--to", "nobody@example.test", "--to",
                                          "bob@example.test"))
        self.assertEqual(code, 1)
        envelope = probe(report, "envelope")
        self.assertEqual(envelope["status"], "fail")
        self.assertIn("1/2 recipients accepted", envelope["summary"])
        self.assertIn("recipient_unknown", categories(envelope))
        outcomes = {r["address"]: r["accepted"] for r in envelope["details"]["recipients"]}
        self.assertEqual(outcomes, {"nobody@example.test": False, "bob@example.test": True})

    def test_a_connection_dropped_at_mail_fails_the_envelope(self):
        with serve("--fault", "drop-after=MAIL") as server:
            code, report = check(*trusted(server.port, "--to", "bob@example.test"))
        self.assertEqual(code, 1)
        envelope = probe(report, "envelope")
        self.assertEqual(envelope["status"], "fail")
        self.assertIn("closed", envelope["summary"])

    def test_a_broken_tls_handshake_fails_tls_and_skips_what_needs_it(self):
        with serve("--fault", "tls-fail") as server:
            code, report = check(*trusted(server.port))
        self.assertEqual(code, 1)
        tls = probe(report, "tls")
        self.assertEqual(tls["status"], "fail")
        self.assertIn("tls_failure", categories(tls))
        self.assertEqual(probe(report, "auth")["status"], "skip")
        self.assertIn("STARTTLS failed", probe(report, "auth")["skip_reason"])
        self.assertEqual(report["root_cause"]["probe"], "tls")
        self.assertEqual(report["root_cause"]["category"], "tls_failure")
        for later in ("auth", "envelope"):
            self.assertEqual(probe(report, later)["consequence_of"], "tls", later)

    def test_an_untrusted_certificate_fails_tls_as_cert_invalid(self):
        with serve() as server:
            code, report = check("127.0.0.1:%d" % server.port)
        self.assertEqual(code, 1)
        tls = probe(report, "tls")
        self.assertEqual(tls["status"], "fail")
        self.assertIn("cert_invalid", categories(tls))

    def test_a_certificate_expiring_within_14_days_is_a_warning(self):
        directory = tempfile.mkdtemp(prefix="smtpdoctor-check-expiring-")
        try:
            ca, cert, key = make_certificates(directory, days=5)
            with Serve("--cert", cert, "--key", key, store=False, json_events=True) as server:
                code, report = check("127.0.0.1:%d" % server.port, "--ca-file", ca, "--only",
                                     "tls")
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        tls = probe(report, "tls")
        self.assertEqual(tls["status"], "warn")
        self.assertTrue(tls["details"]["verified"])
        self.assertLess(tls["details"]["days_to_expiry"], 14)
        self.assertIn("the certificate expires in", notes(tls))

    def test_a_certificate_for_another_name_fails_the_host_name_check(self):
        directory = tempfile.mkdtemp(prefix="smtpdoctor-check-othername-")
        try:
            ca, cert, key = make_certificates(directory, names=("DNS:mail.other.test",))
            with Serve("--cert", cert, "--key", key, store=False, json_events=True) as server:
                code, report = check("127.0.0.1:%d" % server.port, "--ca-file", ca)
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        self.assertEqual(code, 1)
        tls = probe(report, "tls")
        self.assertEqual(tls["status"], "fail")
        self.assertFalse(tls["details"]["hostname_match"])
        self.assertIn("cert_invalid", categories(tls))

    def test_insecure_goes_on_past_a_bad_certificate_but_says_so(self):
        with serve() as server:
            code, report = check("127.0.0.1:%d" % server.port, "--insecure")
        tls = probe(report, "tls")
        self.assertEqual(tls["status"], "warn")
        self.assertFalse(tls["details"]["verified"])
        self.assertTrue(tls["details"]["insecure"])
        self.assertTrue(report["options"]["insecure"])
        self.assertIn("cert_invalid", categories(tls))
        self.assertNotEqual(probe(report, "envelope")["status"], "skip")

    def test_a_submission_port_without_starttls_fails_tls(self):
        with serve("--hide", "STARTTLS") as server:
            code, report = check(*trusted(server.port))
        self.assertEqual(code, 1)
        self.assertEqual(probe(report, "tls")["status"], "fail")
        self.assertIn("STARTTLS not offered", probe(report, "tls")["summary"])

    def test_the_same_port_given_the_mx_role_takes_a_missing_starttls_as_a_warning(self):
        # PORT/ROLE: a high port playing 25. Server to server, STARTTLS is opportunistic.
        with serve("--hide", "STARTTLS") as server:
            code, report = check("127.0.0.1", "--ports", "%d/mx" % server.port, "--ca-file",
                                 Certificates.get().ca_file)
            _, human, _ = run(["check", "127.0.0.1", "--port", "%d/mx" % server.port,
                               "--offline", "--helo", HELO])
        self.assertEqual(report["options"]["port_roles"], {str(server.port): "mx"})
        self.assertEqual(probe(report, "tcp")["details"]["port_role"], "mx")
        self.assertEqual(probe(report, "tls")["status"], "warn", probe(report, "tls"))
        self.assertIn("port %d mx" % server.port, human.splitlines()[1])

    def test_a_port_role_that_does_not_exist_is_a_usage_error(self):
        code, out, err = run(["check", "127.0.0.1", "--ports", "2525/relay", "--offline"])
        self.assertEqual(code, 2)
        self.assertIn("expected mx, submission or submissions", err)

    def test_mail_accepted_before_starttls_on_a_submission_port_is_a_warning(self):
        with serve() as server:
            code, report = check(*trusted(server.port))
        tls = probe(report, "tls")
        self.assertEqual(tls["status"], "warn")
        self.assertFalse(tls["details"]["starttls_enforced"])
        self.assertIn("MAIL FROM before STARTTLS was accepted", notes(tls))

    def test_a_wrong_password_fails_auth_as_auth_failed(self):
        with serve("--user", "alice:s3cret") as server:
            code, report = check(*trusted(server.port, "--auth-user", "alice", "--password-env",
                                          "CHECK_PW"), env={"CHECK_PW": "wrong"})
        self.assertEqual(code, 1)
        auth = probe(report, "auth")
        self.assertEqual(auth["status"], "fail")
        self.assertIn("535", auth["summary"])
        self.assertIn("auth_failed", categories(auth))

    def test_after_a_wrong_password_the_refused_envelope_follows_from_the_login(self):
        with serve("--user", "alice:s3cret", "--require-auth") as server:
            argv = trusted(server.port, "--auth-user", "alice", "--password-env", "CHECK_PW")
            code, report = check(*argv, env={"CHECK_PW": "wrong"})
            _, human, _ = run(["check", *argv, "--offline", "--helo", HELO],
                              env={"CHECK_PW": "wrong"})
        self.assertEqual(code, 1)
        envelope = probe(report, "envelope")
        self.assertEqual(envelope["status"], "fail")
        self.assertEqual(envelope["consequence_of"], "auth")
        self.assertEqual(report["root_cause"]["category"], "auth_failed")
        # The report's list of what is wrong holds the cause, not the knock-on refusal.
        self.assertNotIn("auth_required", [d["category"] for d in report["diagnoses"]])
        # People see the password as the one cause, and no fix under the envelope.
        self.assertIn("Root cause  auth on", human)
        after_envelope = human.split("✗ envelope", 1)[1].split("\n\n", 1)[0]
        self.assertIn("follows from auth", after_envelope)
        self.assertNotIn("fix", after_envelope)

    def test_auth_all_reports_each_mechanism(self):
        with serve("--user", "alice:s3cret") as server:
            code, report = check(*trusted(server.port, "--auth-user", "alice", "--password-env",
                                          "CHECK_PW", "--auth-all"), env={"CHECK_PW": "s3cret"})
        tried = probe(report, "auth")["details"]["mechanisms_tried"]
        self.assertEqual(tried, {"PLAIN": "works", "LOGIN": "works", "CRAM-MD5": "works"})

    def test_credentials_are_not_sent_without_tls(self):
        password = {"CHECK_PW": "s3cret"}
        with serve("--user", "alice:s3cret", "--hide", "STARTTLS") as server:
            code, report = check(*trusted(server.port, "--auth-user", "alice", "--password-env",
                                          "CHECK_PW"), env=password)
            auth = probe(report, "auth")
            self.assertEqual(auth["status"], "skip")
            self.assertIn("not encrypted", auth["skip_reason"])
            code, report = check(*trusted(server.port, "--auth-user", "alice", "--password-env",
                                          "CHECK_PW", "--allow-plaintext-auth"), env=password)
            self.assertEqual(probe(report, "auth")["status"], "ok")

    def test_the_password_is_asked_for_on_the_terminal_without_echo(self):
        import pty
        with serve("--user", "alice:s3cret") as server:
            pid, fd = pty.fork()
            if pid == 0:  # the child: smtpdoctor with the pty as its terminal
                os.execve(SMTPDOCTOR, [SMTPDOCTOR, "check", *trusted(server.port, "--auth-user",
                                                                  "alice", "--only", "auth"),
                                       "--offline", "--helo", HELO, "--json"], environment())
            output = b""
            deadline = time.monotonic() + 20

            def read_some():
                # Never block past the deadline: a lost keystroke must fail the test, not hang it.
                ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
                if not ready:
                    return b""
                try:
                    return os.read(fd, 4096)
                except OSError:
                    return b""

            while b"Password for alice:" not in output and time.monotonic() < deadline:
                output += read_some()
            os.write(fd, b"s3cret\n")
            while time.monotonic() < deadline:
                chunk = read_some()
                if not chunk:
                    break
                output += chunk
            if time.monotonic() >= deadline:
                os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            os.close(fd)
        text = output.decode("utf-8", "replace")
        self.assertIn("Password for alice:", text)
        self.assertNotIn("s3cret", text, "the password must not be echoed or printed")
        self.assertIn("logged in as alice", text)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)

    def run_on_terminal(self, argv, env):
        """Runs smtpdoctor with a pseudo-terminal as stdin/stdout/stderr; returns its output."""
        import pty
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(SMTPDOCTOR, [SMTPDOCTOR] + argv, env)
        output = b""
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        return os.waitstatus_to_exitcode(status), output.decode("utf-8", "replace")

    def test_on_a_terminal_there_is_a_progress_line_and_colour_unless_no_color(self):
        with serve() as server:
            argv = ["check", *trusted(server.port, "--only", "tcp,banner,ehlo"), "--offline",
                    "--helo", HELO]
            env = {k: v for k, v in environment().items() if k != "NO_COLOR"}
            env["TERM"] = "xterm"
            code, text = self.run_on_terminal(argv, env)
            self.assertEqual(code, 0, text)
            self.assertIn("checking", text)        # the live progress line (stderr)
            self.assertIn("\x1b[32m", text)        # a green ✓
            code, text = self.run_on_terminal(argv, dict(env, NO_COLOR="1"))
            self.assertNotIn("\x1b[32m", text)

    def test_a_user_at_domain_target_with_server_sets_the_recipient(self):
        with serve() as server:
            code, report = check("bob@example.test", "--server",
                                 "127.0.0.1:%d" % server.port, "--ca-file",
                                 Certificates.get().ca_file)
        envelope = probe(report, "envelope")
        self.assertEqual(envelope["details"]["recipients"][0]["address"], "bob@example.test")
        self.assertEqual(report["target"], "bob@example.test")

    def test_tls_sni_is_sent_and_reported(self):
        with serve() as server:
            code, report = check(*trusted(server.port, "--tls-sni", "localhost", "--only",
                                          "tls"))
        self.assertEqual(probe(report, "tls")["details"]["sni"], "localhost")

    def test_a_refused_relay_passes_the_relay_test(self):
        with serve() as server:
            code, report = check(*trusted(server.port, "--relay-test"))
        envelope = probe(report, "envelope")
        self.assertFalse(envelope["details"]["open_relay"])
        self.assertIn("relaying refused", envelope["details"]["relay_test"])

    def test_an_open_relay_fails_the_envelope(self):
        with serve("--local-domain", "smtpdoctor-relay-test.invalid") as server:
            code, report = check(*trusted(server.port, "--relay-test"))
        self.assertEqual(code, 1)
        envelope = probe(report, "envelope")
        self.assertEqual(envelope["status"], "fail")
        self.assertTrue(envelope["details"]["open_relay"])
        self.assertIn("open relay", envelope["summary"])

    def test_size_is_declared_on_mail_from(self):
        with serve("--max-size", "1000") as server:
            code, out, err = run(["check", *trusted(server.port, "--size", "5000", "--to",
                                                    "bob@example.test"),
                                  "--offline", "--helo", HELO, "-v"])
        self.assertIn("SIZE=5000", out)
        self.assertIn("over the server's limit", out)


class TransportTest(unittest.TestCase):
    def test_a_closed_port_fails_tcp_as_connection_refused(self):
        port = free_port()
        code, report = check("127.0.0.1:%d" % port)
        self.assertEqual(code, 1)
        tcp = probe(report, "tcp")
        self.assertEqual(tcp["status"], "fail")
        self.assertEqual(tcp["details"]["outcome"], "refused")
        self.assertIn("connection_refused", categories(tcp))
        self.assertEqual(tcp["details"]["families"], {"ipv4": "refused"})
        self.assertIn("tcp refused", probe(report, "banner")["skip_reason"])

    def test_ipv6_loopback_is_checked_with_brackets(self):
        try:
            with socket.socket(socket.AF_INET6) as s:
                s.bind(("::1", 0))
                port = s.getsockname()[1]
        except OSError:
            self.skipTest("no IPv6 loopback")
        code, report = check("[::1]:%d" % port, "--only", "tcp")
        tcp = probe(report, "tcp")
        self.assertEqual(tcp["details"]["families"], {"ipv6": "refused"})

    def test_implicit_tls_is_used_on_the_tls_listener(self):
        certs = Certificates.get()
        with serve("--tls-listen", "127.0.0.1:0") as server:
            line = server.wait_for_line(r'"tls": ?"implicit"')
            import json
            tls_port = json.loads(line)["port"]
            code, report = check("127.0.0.1:%d" % tls_port, "--tls-on-connect", "--ca-file",
                                 certs.ca_file)
        tls = probe(report, "tls")
        self.assertEqual(tls["status"], "ok", tls)
        self.assertEqual(tls["details"]["mode"], "implicit")
        self.assertTrue(tls["details"]["verified"])

    def test_all_ports_are_checked_at_once(self):
        # Three servers that each wait 1 s before greeting: checked one after another they take
        # over 3 s; at once, about 1 s. Compare against the sum, not a wall-clock number.
        servers = [serve("--fault", "greeting-delay=1s") for _ in range(3)]
        try:
            ports = [s.port for s in servers]
            started = time.monotonic()
            code, report = check("127.0.0.1", "--ports", ",".join(map(str, ports)), "--ca-file",
                                 Certificates.get().ca_file)
            elapsed = time.monotonic() - started
        finally:
            for s in servers:
                s.__exit__(None, None, None)
        per_port = []
        for port in ports:
            total = sum(p["duration_ms"] for p in report["probes"] if p.get("port") == port)
            self.assertGreaterEqual(probe(report, "banner", port)["details"]["greeting_delay_ms"],
                                    900)
            per_port.append(total)
        self.assertLess(report["duration_ms"], 0.6 * sum(per_port),
                        "ports ran one after another: %s ms vs per-port %s" %
                        (report["duration_ms"], per_port))
        self.assertLess(elapsed * 1000, 0.75 * sum(per_port) + 1000)

    def test_a_greet_pause_is_told_apart_from_a_slow_network(self):
        # 4 s, not the 3 s threshold itself: the client measures from its own connect, which a
        # loaded machine can see a few milliseconds after the server started waiting.
        with serve("--fault", "greeting-delay=4s") as server:
            code, report = check(*trusted(server.port, "--only", "banner"))
        banner = probe(report, "banner")
        self.assertEqual(banner["details"]["greeting_delay"], "greet-pause")
        self.assertIn("greet-pause", notes(banner))
        self.assertEqual(banner["status"], "ok")

    def test_the_deadline_cuts_a_tarpit_short(self):
        with serve("--fault", "tarpit=5s") as server:
            started = time.monotonic()
            code, report = check(*trusted(server.port, "--deadline", "1s"))
            elapsed = time.monotonic() - started
        self.assertLess(elapsed, 4.5)
        self.assertEqual(code, 1)
        cut = [p for p in report["probes"] if p["summary"].startswith("cut short")]
        self.assertTrue(cut, report["probes"])
        skipped = [p for p in report["probes"] if p.get("skip_reason") == "--deadline reached"]
        self.assertTrue(skipped)

    def test_timeout_limits_each_operation(self):
        with serve("--fault", "tarpit=5s") as server:
            started = time.monotonic()
            code, report = check(*trusted(server.port, "--timeout", "500ms"))
            elapsed = time.monotonic() - started
        self.assertLess(elapsed, 4.5)
        self.assertEqual(probe(report, "banner")["status"], "fail")

    def test_quit_after_ehlo_stops_there_like_swaks(self):
        with serve() as server:
            code, report = check(*trusted(server.port, "--quit-after", "ehlo"))
        self.assertEqual(probe(report, "ehlo")["status"], "ok")
        for probe_id in ("tls", "auth", "envelope"):
            self.assertEqual(probe(report, probe_id)["skip_reason"], "--quit-after ehlo")

    def test_only_and_skip_select_probes(self):
        with serve() as server:
            code, report = check(*trusted(server.port, "--only", "tcp,banner"))
            self.assertEqual(probe(report, "tcp")["status"], "ok")
            self.assertEqual(probe(report, "ehlo")["skip_reason"], "not selected by --only")
            code, report = check(*trusted(server.port, "--skip", "envelope"))
            self.assertEqual(probe(report, "envelope")["skip_reason"], "--skip envelope")
            self.assertNotEqual(probe(report, "tls")["status"], "skip")

    def test_sigint_interrupts_with_exit_130_and_a_report(self):
        with serve("--fault", "tarpit=10s") as server:
            proc = subprocess.Popen([SMTPDOCTOR, "check", "127.0.0.1:%d" % server.port,
                                     "--offline", "--json", "--helo", HELO],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    env=environment())
            # Interrupt it in the middle of the session (its handler is set up by then), however
            # slowly a loaded machine or a sanitizer build starts it.
            self.assertTrue(server.wait_for_line(r'"event": ?"connect"', timeout=30))
            time.sleep(0.3)
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, 130, err)
        validate(out)
        import json
        report = json.loads(out)
        self.assertTrue(report["interrupted"])


class UsageTest(unittest.TestCase):
    def test_a_misspelt_probe_gets_a_suggestion_and_exit_2(self):
        code, out, err = run(["check", "127.0.0.1:25", "--offline", "--only", "tsl"])
        self.assertEqual(code, 2)
        self.assertIn("did you mean 'tls'", err)

    def test_usage_errors_are_json_with_json(self):
        code, out, err = run(["check", "127.0.0.1:25", "--offline", "--json", "--quit-after",
                              "lunch"])
        self.assertEqual(code, 2)
        import json
        error = json.loads(out)
        self.assertEqual(error["error"], "usage")
        self.assertIn("lunch", error["message"])

    def test_a_password_is_never_taken_from_a_pipe(self):
        code, out, err = run(["check", "127.0.0.1:25", "--offline", "--auth-user", "alice"])
        self.assertEqual(code, 2)
        self.assertIn("--password-env", err)

    def test_bad_targets_and_ports_are_usage_errors(self):
        for argv in (["check", "bad host"], ["check", "127.0.0.1", "--ports", "25,x"],
                     ["check"], ["check", "127.0.0.1", "--to", "not-an-address"],
                     ["check", "[::1]:25", "-4"], ["check", "127.0.0.1", "--port", "0"],
                     ["check", "127.0.0.1", "--deadline", "soon"]):
            code, out, err = run(argv + ["--offline"])
            self.assertEqual(code, 2, argv)

    def test_a_run_where_no_probe_can_run_exits_3(self):
        # dns does not apply to an address and is the only probe asked for: nothing was checked.
        code, out, err = run(["check", "127.0.0.1:25", "--offline", "--only", "dns"])
        self.assertEqual(code, 3, out + err)

    def test_nagios_format_has_nagios_exit_codes(self):
        port = free_port()
        code, out, err = run(["check", "127.0.0.1:%d" % port, "--offline", "--format", "nagios",
                              "--helo", HELO])
        self.assertEqual(code, 2)
        self.assertTrue(out.startswith("SMTP CRITICAL"), out)
        self.assertEqual(out.count("\n"), 1)


def tearDownModule():
    if Certificates.dir:
        shutil.rmtree(Certificates.dir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
