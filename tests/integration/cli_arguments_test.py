#!/usr/bin/env python3
"""No command-line traps, for every subcommand (check, serve, send, explain, selftest): an option
takes one value per use, so a positional argument may follow any option (`check --port P --to
carol@example.test 127.0.0.1` checks 127.0.0.1:P); a bad value is one line "smtpdoctor: error:"
naming the option and the word, exit 2; and under --json, wherever it stands on the line, that
error is an smtpdoctor.error/1 document instead.

Only loopback: `smtpdoctor serve` on a kernel-chosen 127.0.0.1 port, `check --offline`.
Environment (set by ctest): SMTPDOCTOR (the binary), SMTPDOCTOR_SOURCE_DIR.
"""

import json
import os
import smtplib
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from check_common import HELO, SMTPDOCTOR, probe, run, validate  # noqa: E402
from serve_fixture import Serve  # noqa: E402


def free_port():
    """A loopback port with nothing listening (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def version():
    code, out, _ = run(["--version"])
    assert code == 0 and out.startswith("smtpdoctor "), out
    return out.split()[1]


def json_report(testcase, argv, timeout=60):
    code, out, err = run(argv, timeout=timeout)
    testcase.assertTrue(out.strip(), "no JSON on stdout (exit %d): %s" % (code, err))
    validate(out)
    return code, json.loads(out)


class PositionalAfterOptionsTest(unittest.TestCase):
    """Each subcommand reads a positional (or a stray word) after an option that takes a value as
    the positional, not as a second value of that option."""

    def test_check_target_after_port_and_to_is_the_target(self):
        with Serve(store=False) as server:
            port = str(server.port)
            for options in (["--port", port, "--to", "carol@example.test"],
                            ["-p", port, "-t", "carol@example.test"]):
                with self.subTest(options=options):
                    argv = ["check", "--json", "--insecure", "--helo", HELO, "--offline",
                            *options, "127.0.0.1"]
                    code, report = json_report(self, argv)
                    self.assertEqual(report["target"], "127.0.0.1")
                    self.assertEqual(report["options"]["ports"], [server.port])
                    tcp = probe(report, "tcp")
                    self.assertEqual((tcp["port"], tcp["status"]), (server.port, "ok"), tcp)
                    recipients = probe(report, "envelope")["details"]["recipients"]
                    self.assertEqual([r["address"] for r in recipients], ["carol@example.test"])
                    self.assertEqual(code, 0, report["verdict"])

    def test_check_comma_lists_and_repeated_options_then_the_target(self):
        with Serve(store=False) as server:
            code, report = json_report(self, [
                "check", "--json", "--insecure", "--helo", HELO, "--offline", "--only",
                "tcp,banner", "--to", "carol@example.test", "--to", "dave@example.test",
                "--port", str(server.port), "127.0.0.1"])
        self.assertEqual(report["target"], "127.0.0.1")
        ran = {p["id"] for p in report["probes"] if p["status"] != "skip"}
        self.assertEqual(ran, {"tcp", "banner"})
        self.assertEqual(code, 0, report["verdict"])

    def test_check_target_after_a_port_where_nothing_listens(self):
        port = free_port()
        code, report = json_report(self, ["check", "--json", "--offline", "--helo", HELO, "-p",
                                          str(port), "127.0.0.1"])
        self.assertEqual(report["target"], "127.0.0.1")
        self.assertEqual(probe(report, "tcp")["port"], port)
        self.assertEqual(probe(report, "tcp")["status"], "fail")
        self.assertEqual(code, 1)

    def test_explain_text_on_both_sides_of_a_flag_is_one_text(self):
        code, out, err = run(["explain", "550", "--json", "5.1.1", "<carol@example.test>:",
                              "Recipient address rejected: User unknown"])
        self.assertEqual(code, 0, err)
        finding = json.loads(out)["findings"][0]
        self.assertEqual((finding["code"], finding["enhanced_code"]), (550, "5.1.1"))
        self.assertIn("User unknown", finding["text"])

    def test_serve_repeated_local_domains_each_count(self):
        with Serve("--local-domain", "one.example.test", "--local-domain",
                   "two.example.test", store=False) as server:
            with smtplib.SMTP("127.0.0.1", server.port, timeout=10) as client:
                client.ehlo("client.example.test")
                self.assertEqual(client.mail("alice@example.org")[0], 250)
                self.assertEqual(client.rcpt("carol@one.example.test")[0], 250)
                self.assertEqual(client.rcpt("carol@two.example.test")[0], 250)
                # The list replaced the defaults: example.test is now somewhere else.
                self.assertEqual(client.rcpt("carol@example.test")[0], 554)

    def test_serve_a_word_after_a_repeatable_option_is_not_a_second_value(self):
        code, out, err = run(["serve", "--port", "0", "--local-domain", "one.example.test",
                              "two.example.test"], timeout=30)
        self.assertEqual(code, 2, out + err)
        self.assertEqual(out, "", "serve must not start")
        self.assertIn("unexpected argument 'two.example.test'", err.splitlines()[0])

    def test_send_options_in_any_order_and_a_stray_recipient_is_refused(self):
        with Serve() as server:
            code, out, err = run(["send", "--json", "--to", "carol@example.test", "--port",
                                  str(server.port), "--from", "alice@example.test", "--server",
                                  "127.0.0.1", "--insecure", "--helo", HELO])
            self.assertEqual(code, 0, out + err)
            self.assertTrue(json.loads(out)["accepted"])
            code, out, err = run(["send", "--server", "127.0.0.1:%d" % server.port, "--to",
                                  "carol@example.test", "dave@example.test", "--helo", HELO])
            self.assertEqual(code, 2, out + err)
            self.assertIn("unexpected argument 'dave@example.test'", err.splitlines()[0])
            messages = server.stored_messages()
        self.assertEqual([envelope["rcpts"] for _, envelope in messages], [["carol@example.test"]])

    def test_selftest_format_then_a_stray_word_is_refused_and_alone_runs(self):
        code, out, err = run(["selftest", "--format", "json", "extra"])
        self.assertEqual(code, 2, out + err)
        self.assertEqual(json.loads(out)["error"], "usage")
        self.assertIn("'extra'", json.loads(out)["message"])
        code, report = json_report(self, ["selftest", "--format", "json"], timeout=90)
        self.assertEqual(code, 0, report["verdict"])
        self.assertEqual(report["verdict"], "ok")


# (argv, the option that took the word, the word): each must be one "smtpdoctor: error:" line.
BAD_VALUES = [
    (["check", "--offline", "--port", "127.0.0.1"], "--port", "127.0.0.1"),
    (["check", "--offline", "-p", "3525x", "127.0.0.1"], "--port", "3525x"),
    (["check", "--offline", "--mx-limit", "all", "example.test"], "--mx-limit", "all"),
    (["check", "--offline", "--size", "big", "127.0.0.1"], "--size", "big"),
    (["check", "--offline", "--format", "xml", "127.0.0.1"], "--format", "xml"),
    (["check", "--offline", "--quit-after", "lunch", "127.0.0.1"], "--quit-after", "lunch"),
    (["check", "--offline", "--to", "carol", "127.0.0.1"], "--to", "carol"),
    (["serve", "--port", "70000"], "--port", "70000"),
    (["serve", "--port", "0", "--max-size", "0"], "--max-size", "0"),
    (["serve", "--port", "0", "--fault", "explode"], "--fault", "explode"),
    (["send", "--server", "127.0.0.1", "--to", "carol@example.test", "--port", "smtp"],
     "--port", "smtp"),
    (["send", "--server", "127.0.0.1", "--to", "carol@example.test", "--timeout", "soon"],
     "--timeout", "soon"),
    (["send", "--server", "127.0.0.1", "--to", "carol@example.test", "--from", "x@y@z"],
     "--from", "x@y@z"),
    (["selftest", "--format", "xml"], "--format", "xml"),
]


class BadValuesTest(unittest.TestCase):
    def test_a_bad_value_is_one_error_line_naming_the_option_and_the_word(self):
        for argv, option, word in BAD_VALUES:
            with self.subTest(argv=argv):
                code, out, err = run(argv, timeout=30)
                self.assertEqual(code, 2, out + err)
                self.assertEqual(out, "")
                lines = err.splitlines()
                self.assertTrue(lines and lines[0].startswith("smtpdoctor: error: "), err)
                self.assertIn(option, lines[0])
                self.assertIn(word, lines[0])
                # At most the hint follows, on its own line.
                self.assertTrue(all(line.startswith("Run 'smtpdoctor") for line in lines[1:]),
                                err)

    def test_the_port_error_says_what_a_port_is(self):
        code, _, err = run(["check", "--offline", "--port", "127.0.0.1"])
        self.assertEqual(code, 2)
        self.assertEqual(err.splitlines()[0],
                         "smtpdoctor: error: --port: '127.0.0.1' is not a port number (1-65535)")

    def test_an_unknown_option_is_named(self):
        code, _, err = run(["check", "--offline", "--prots", "25", "127.0.0.1"])
        self.assertEqual(code, 2)
        self.assertIn("smtpdoctor: error: unknown option '--prots'", err.splitlines()[0])

    def test_explain_with_nothing_to_explain(self):
        for argv in (["explain"], ["explain", " "]):
            with self.subTest(argv=argv):
                code, out, err = run(argv)
                self.assertEqual(code, 2, out + err)
                self.assertTrue(err.startswith("smtpdoctor: error: "), err)


# Usage errors of every subcommand, --json before, after, or far from the bad part.
JSON_USAGE_ERRORS = [
    (["check", "-p", "3525x", "127.0.0.1", "--json"], "3525x"),
    (["check", "--json", "--offline", "--port", "127.0.0.1"], "127.0.0.1"),
    (["check", "--offline", "--format", "json", "--quit-after", "lunch", "127.0.0.1"], "lunch"),
    (["check", "--offline", "--prots", "25", "127.0.0.1", "--format=json"], "--prots"),
    (["check", "--offline", "127.0.0.1", "stray", "--json"], "stray"),
    (["check", "--json", "--offline"], "TARGET"),
    (["serve", "--port", "x", "--json"], "'x'"),
    (["serve", "--json", "--port", "0", "--fault", "explode"], "explode"),
    (["send", "--json", "--server", "127.0.0.1:1", "--to", "carol@example.test", "stray"],
     "stray"),
    (["send", "--server", "127.0.0.1:1", "--to", "bad address", "--json"], "bad address"),
    (["explain", "--json"], "TEXT"),
    (["explain", "--json", " "], "nothing to explain"),
    (["selftest", "--format", "xml", "--json"], "xml"),
    (["nonsense", "--json"], "nonsense"),
]


class JsonUsageErrorsTest(unittest.TestCase):
    def test_usage_errors_of_every_subcommand_are_json_with_json(self):
        expected_version = version()
        for argv, word in JSON_USAGE_ERRORS:
            with self.subTest(argv=argv):
                code, out, err = run(argv, timeout=30)
                self.assertEqual(code, 2, out + err)
                self.assertEqual(err, "")
                validate(out)
                doc = json.loads(out)
                self.assertEqual(doc["schema"], "smtpdoctor.error/1")
                self.assertEqual(doc["tool"], "smtpdoctor")
                self.assertEqual(doc["version"], expected_version)
                self.assertEqual(doc["error"], "usage")
                self.assertEqual(doc["exit_code"], 2)
                self.assertIn(word, doc["message"])
                self.assertNotIn("\n", doc["message"])


if __name__ == "__main__":
    if not SMTPDOCTOR or not os.path.exists(SMTPDOCTOR):
        print("SKIP: set SMTPDOCTOR to the smtpdoctor binary")
        sys.exit(77)
    unittest.main(verbosity=2)
