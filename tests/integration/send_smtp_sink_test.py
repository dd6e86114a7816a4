#!/usr/bin/env python3
"""`smtpdoctor send` against Postfix's smtp-sink, a real SMTP server started by the test on a
loopback high port. smtp-sink's -d dump shows what arrived, so the message is checked on the
server's side, not only by the exit code."""

import glob
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

SMTPDOCTOR = os.environ.get("SMTPDOCTOR", "smtpdoctor")
SMTP_SINK = "/usr/sbin/smtp-sink"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, deadline=5.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"smtp-sink did not listen on 127.0.0.1:{port}")


class Sink:
    """smtp-sink on 127.0.0.1:<free port>, dumping each message into a private directory."""

    def __init__(self, *extra):
        self.dir = tempfile.mkdtemp(prefix="smtpdoctor-sink-")
        os.chmod(self.dir, 0o777)  # smtp-sink drops to `nobody` when started as root
        self.port = free_port()
        if os.geteuid() == 0:
            # As nobody it would have to reach self.dir through every folder above it, which a
            # root that only root may enter (a fresh chroot) forbids: chroot into it instead.
            args = [SMTP_SINK, "-R", self.dir, "-u", "nobody", "-d", "/%M."]
        else:
            args = [SMTP_SINK, "-d", os.path.join(self.dir, "%M.")]
        args += list(extra) + [f"127.0.0.1:{self.port}", "10"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_listening(self.port)

    def messages(self):
        out = []
        for path in sorted(glob.glob(os.path.join(self.dir, "*"))):
            with open(path, "rb") as f:
                out.append(f.read().decode("utf-8", "replace"))
        return out

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=5)
        self.proc.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def send(*args, env=None, stdin=None):
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([SMTPDOCTOR, "send", *args], capture_output=True, text=True,
                          timeout=60, env=full_env, input=stdin)


@unittest.skipUnless(os.path.exists(SMTP_SINK), "smtp-sink (Debian package postfix) missing")
class SendThroughSmtpSink(unittest.TestCase):
    def setUp(self):
        self.sink = Sink()
        self.server = f"127.0.0.1:{self.sink.port}"

    def tearDown(self):
        self.sink.stop()

    def test_a_message_is_accepted_and_arrives_with_headers_and_unstuffed_dots(self):
        body = "first line\n.starts with a dot\n..two dots\nlast"
        r = send("--server", self.server, "--from", "alice@example.org",
                 "--to", "bob@example.org", "--to", "carol@example.org",
                 "--helo", "client.example.org", "--body", body)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("accepted: 250", r.stdout)
        (message,) = self.sink.messages()
        self.assertIn("X-Mail-Args: <alice@example.org>", message)
        self.assertIn("X-Rcpt-Args: <bob@example.org>", message)
        self.assertIn("X-Rcpt-Args: <carol@example.org>", message)
        self.assertIn("X-Helo-Args: client.example.org", message)
        self.assertIn("Subject: smtpdoctor test message", message)
        self.assertIn("From: <alice@example.org>", message)
        self.assertIn("Message-ID: <", message)
        self.assertIn("\n.starts with a dot\n..two dots\nlast", message.replace("\r\n", "\n"))

    def test_verbose_transcript_shows_the_conversation_but_never_the_password(self):
        r = send("--server", self.server, "--from", "alice@example.org", "--to", "bob@example.org",
                 "--auth", "PLAIN", "--auth-user", "alice", "--password-env", "SINK_PASSWORD", "-v",
                 env={"SINK_PASSWORD": "hunter2-secret"})
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(" -> EHLO", r.stdout)
        self.assertIn("<-  220", r.stdout)
        self.assertIn(" -> AUTH PLAIN <redacted>", r.stdout)
        everything = r.stdout + r.stderr
        self.assertNotIn("hunter2-secret", everything)
        self.assertNotIn("AGFsaWNlAGh1bnRlcjItc2VjcmV0", everything)  # base64 of the PLAIN message

    def test_auth_alone_picks_the_best_offered_mechanism_and_reads_the_password_file(self):
        with tempfile.NamedTemporaryFile("w", suffix=".pw") as pw:
            pw.write("s3cret\n")
            pw.flush()
            r = send("--server", self.server, "--from", "a@example.org", "--to", "b@example.org",
                     "--auth", "--auth-user", "alice", "--password-file", pw.name, "-v")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # smtp-sink offers PLAIN and LOGIN; PLAIN is the stronger of the two.
        self.assertIn(" -> AUTH PLAIN <redacted>", r.stdout)
        self.assertNotIn("s3cret", r.stdout + r.stderr)
        self.assertNotIn("AGFsaWNlAHMzY3JldA==", r.stdout + r.stderr)  # base64 of the PLAIN message

    def test_json_result_has_the_pipelined_envelope_and_the_final_reply(self):
        r = send("--server", self.server, "--from", "a@example.org", "--to", "b@example.org",
                 "--header", "Subject: json check", "--json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["schema"], "smtpdoctor.send/1")
        self.assertTrue(doc["accepted"])
        self.assertEqual(doc["connected"]["address"], "127.0.0.1")
        self.assertTrue(doc["envelope"]["pipelined"])
        self.assertEqual(doc["envelope"]["final"]["code"], 250)
        self.assertEqual(doc["envelope"]["recipients"][0]["address"], "b@example.org")
        self.assertIn("Subject: json check", self.sink.messages()[0])

    def test_body_from_stdin(self):
        r = send("--server", self.server, "--from", "a@example.org", "--to", "b@example.org",
                 "--body-file", "-", stdin="piped body\n")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("piped body", self.sink.messages()[0])

    def test_requiring_tls_from_a_server_without_starttls_fails_with_exit_1(self):
        r = send("--server", self.server, "--from", "a@example.org", "--to", "b@example.org",
                 "--tls")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("does not offer STARTTLS", r.stdout)
        self.assertEqual(self.sink.messages(), [])


@unittest.skipUnless(os.path.exists(SMTP_SINK), "smtp-sink (Debian package postfix) missing")
class RefusalsAndBadInput(unittest.TestCase):
    def test_a_refused_recipient_exits_1_and_prints_the_reply(self):
        sink = Sink("-f", "RCPT")  # every RCPT gets a hard error
        try:
            r = send("--server", f"127.0.0.1:{sink.port}", "--from", "a@example.org",
                     "--to", "b@example.org")
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn("recipient refused: b@example.org: 5", r.stdout)
            self.assertEqual(sink.messages(), [])
        finally:
            sink.stop()

    def test_nothing_listening_exits_3(self):
        port = free_port()
        r = send("--server", f"127.0.0.1:{port}", "--from", "a@example.org", "--to", "b@example.org")
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("cannot connect", r.stdout + r.stderr)

    def test_bad_flags_exit_2_with_one_clear_line(self):
        cases = [
            (["--server", "127.0.0.1:2", "--to", "not an address"], "invalid --to address"),
            (["--server", "127.0.0.1:2", "--to", "a@b.example", "--from", "x@y@z"], "invalid --from"),
            (["--server", "127.0.0.1:2"], "--to"),
            (["--to", "a@b.example"], "--server is required"),
            (["--server", "127.0.0.1:2", "--to", "a@b.example", "--header", "NoColon"], "--header"),
            (["--server", "127.0.0.1:2", "--to", "a@b.example", "--tls", "--no-tls"], "exclude"),
            (["--server", "127.0.0.1:2", "--to", "a@b.example", "--auth", "PLAIN"], "--auth-user"),
            (["--server", "127.0.0.1:2", "--to", "a@b.example", "--timeout", "-1"], "timeout"),
            (["--server", "127.0.0.1:99999", "--to", "a@b.example"], "--server"),
        ]
        for args, expected in cases:
            with self.subTest(args=args):
                r = send(*args)
                self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
                self.assertIn(expected, r.stderr)
                self.assertNotIn("Traceback", r.stderr)

    def test_bad_flags_with_json_give_a_json_error(self):
        r = send("--server", "127.0.0.1:2", "--to", "bad address", "--json")
        self.assertEqual(r.returncode, 2)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["error"], "usage")
        self.assertIn("--to", doc["message"])

    def test_no_system_mail_server_listens_on_port_25(self):
        # The postfix package is installed for smtp-sink only; a running Postfix on :25 would
        # mean tests could deliver somewhere real.
        with socket.socket() as s:
            s.settimeout(2)
            self.assertNotEqual(s.connect_ex(("127.0.0.1", 25)), 0,
                                "something listens on 127.0.0.1:25; stop the system Postfix")


if __name__ == "__main__":
    unittest.main(verbosity=2)
