#!/usr/bin/env python3
"""`smtpdoctor explain` through the real binary: pasted text on stdin and as arguments, JSON and
human output, exit codes, and bad input (nothing, over 1 MiB, random bytes). Corpus entries come
from tests/data/replies/corpus.jsonl (real replies with their public sources). No network.

Environment (set by ctest): SMTPDOCTOR (the binary), SMTPDOCTOR_SOURCE_DIR.
"""

import json
import os
import random
import subprocess
import sys
import unittest

BIN = os.environ.get("SMTPDOCTOR")
SRC = os.environ.get("SMTPDOCTOR_SOURCE_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..")
CORPUS = os.path.join(SRC, "tests", "data", "replies", "corpus.jsonl")


def explain(args, stdin=b""):
    return subprocess.run([BIN, "explain", *args], input=stdin, capture_output=True, timeout=60)


def corpus():
    with open(CORPUS, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


class ExplainCli(unittest.TestCase):
    def test_corpus_entries_via_stdin_json(self):
        entries = corpus()
        # One entry per category, so every kind of input goes through the real binary once.
        # Only entries the rules were tuned on: held-out ones are measured (and never shown) by
        # kb_tests.
        picked = {}
        for e in entries:
            if e["tuned"]:
                picked.setdefault(e["expected"], e)
        for category, e in sorted(picked.items()):
            with self.subTest(category=category, source=e["source"]):
                r = explain(["--json", "-"], e["text"].encode())
                self.assertEqual(r.returncode, 0, r.stderr)
                doc = json.loads(r.stdout)
                self.assertEqual(doc["schema"], "smtpdoctor.explain/1")
                self.assertGreaterEqual(len(doc["findings"]), 1)
                f = doc["findings"][0]
                self.assertEqual(f["category"], category)
                for key in ("permanent", "stage", "code", "enhanced_code", "enhanced_meaning",
                            "cause", "fix", "refs", "rule", "basis", "text"):
                    self.assertIn(key, f)
                self.assertTrue(f["cause"] and f["fix"] and f["refs"])

    def test_reply_as_arguments_in_human_form(self):
        r = explain(["550", "5.1.1", "<bob@example.org>:", "Recipient", "address", "rejected:",
                     "User", "unknown", "in", "local", "recipient", "table"])
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode()
        self.assertIn("recipient_unknown (permanent)", out)
        self.assertIn("5.1.1 — Permanent failure: Bad destination mailbox address", out)
        self.assertIn("cause", out)
        self.assertIn("fix", out)

    def test_bounce_with_stage_and_enhanced_meaning(self):
        bounce = (b"<x@example.org>: host mx.example.org[192.0.2.1] said: 552 5.2.2 <x@example.org>"
                  b" Mailbox full (in reply to RCPT TO command)\n")
        doc = json.loads(explain(["--json", "-"], bounce).stdout)
        f = doc["findings"][0]
        self.assertEqual(f["category"], "mailbox_full")
        self.assertEqual(f["stage"], "rcpt")
        self.assertEqual(f["code"], 552)
        self.assertEqual(f["enhanced_code"], "5.2.2")
        self.assertEqual(f["enhanced_meaning"], "Permanent failure: Mailbox full")

    def test_nothing_recognisable_exits_1(self):
        r = explain(["--json", "-"], b"hello, my mail does not work, please help\n")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(json.loads(r.stdout)["findings"], [])

    def test_empty_and_oversized_input_are_usage_errors(self):
        r = explain(["-"], b"   \n")
        self.assertEqual(r.returncode, 2)
        big = b"550 5.1.1 user unknown\n" * (1024 * 1024 // 20)
        r = explain(["--json", "-"], big)
        self.assertEqual(r.returncode, 2)
        err = json.loads(r.stdout)
        self.assertEqual(err["schema"], "smtpdoctor.error/1")
        self.assertIn("1 MiB", err["message"])

    def test_random_bytes_do_not_crash_and_json_stays_valid(self):
        rng = random.Random(7)
        for _ in range(20):
            junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 20000)))
            junk += b"\n550 5.7.1 \xff\x1b[31m relay denied\n"
            r = explain(["--json", "-"], junk)
            self.assertIn(r.returncode, (0, 1), r.stderr)
            doc = json.loads(r.stdout)  # valid JSON even with invalid UTF-8 in the input
            for f in doc["findings"]:
                self.assertNotIn("\x1b", f["text"])


if __name__ == "__main__":
    if not BIN:
        print("SMTPDOCTOR is not set", file=sys.stderr)
        sys.exit(2)
    unittest.main(verbosity=2)
