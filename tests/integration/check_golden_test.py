#!/usr/bin/env python3
"""The human report of `check` and `selftest`, colour off, compared with golden files in
tests/data/golden/check_*.txt after masking what changes between runs (timings, ports, dates).
SMTPDOCTOR_UPDATE_GOLDEN=1 rewrites the golden files instead of comparing."""

import difflib
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from check_common import HELO, SOURCE_DIR, mask_human, run  # noqa: E402
from serve_fixture import Serve  # noqa: E402

GOLDEN_DIR = os.path.join(SOURCE_DIR, "tests", "data", "golden")
UPDATE = os.environ.get("SMTPDOCTOR_UPDATE_GOLDEN") == "1"


class GoldenTest(unittest.TestCase):
    def assert_golden(self, name, text):
        path = os.path.join(GOLDEN_DIR, name)
        masked = mask_human(text)
        if UPDATE:
            with open(path, "w", encoding="utf-8") as out:
                out.write(masked)
            return
        with open(path, encoding="utf-8") as golden:
            expected = golden.read()
        if masked != expected:
            diff = "".join(difflib.unified_diff(expected.splitlines(True),
                                                masked.splitlines(True), "golden", "actual"))
            self.fail("%s differs (SMTPDOCTOR_UPDATE_GOLDEN=1 rewrites it):\n%s" % (name, diff))

    def test_selftest_reports_every_probe_ok(self):
        code, out, err = run(["selftest"])
        self.assertEqual(code, 0, out + err)
        self.assertNotIn("\x1b[", out, "no colour when NO_COLOR is set and stdout is a pipe")
        self.assertEqual(err, "", "no progress line when stderr is not a terminal")
        self.assert_golden("check_selftest.txt", out)

    def test_a_421_banner_reads_as_a_refused_session_with_cause_and_fix(self):
        with Serve("--fault", "banner=421", store=False, json_events=True) as server:
            code, out, err = run(["check", "127.0.0.1:%d" % server.port, "--offline", "--helo",
                                  HELO])
        self.assertEqual(code, 1)
        self.assert_golden("check_banner_421.txt", out)

    def test_a_closed_port_reads_as_connection_refused(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        code, out, err = run(["check", "127.0.0.1:%d" % port, "--offline", "--helo", HELO])
        self.assertEqual(code, 1)
        self.assert_golden("check_refused.txt", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
