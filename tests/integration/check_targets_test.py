"""Many targets at once: `check --targets FILE` runs every target on one loop and reports each as
it finishes — a line per target and a summary for people, JSON Lines for machines, one Nagios
line for the batch, Prometheus text for node_exporter (checked by promtool when it is
installed). Real `smtpdoctor serve` instances on loopback high ports, a refused port beside
them, and a line that is not a target."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from check_common import HELO, run, validate  # noqa: E402
from serve_fixture import Serve  # noqa: E402


def refused_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class ManyTargets(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.first = Serve(store=False).__enter__()
        cls.second = Serve(store=False).__enter__()
        cls.closed = refused_port()
        cls.dir = tempfile.mkdtemp()
        cls.file = os.path.join(cls.dir, "targets.txt")
        with open(cls.file, "w") as f:
            f.write("# mail servers to watch\n")
            f.write("127.0.0.1 %d\n\n" % cls.first.port)
            f.write("127.0.0.1:%d   # the second one\n" % cls.second.port)
            f.write("this is not a target\n")
            f.write("127.0.0.2 %d\n" % cls.closed)

    @classmethod
    def tearDownClass(cls):
        cls.first.__exit__(None, None, None)
        cls.second.__exit__(None, None, None)
        shutil.rmtree(cls.dir)

    def batch(self, *extra, targets=None):
        return run(["check", "--targets", targets or self.file, "--offline", "--insecure",
                    "--helo", HELO, *extra])

    def test_a_line_per_target_then_the_summary_and_the_worst_exit_code(self):
        code, out, err = self.batch()
        lines, _, glance = out.strip().partition("\n\nAt a glance\n")
        lines = lines.splitlines()
        self.assertEqual(len(lines), 4, out)
        self.assertIn("line 5", err)
        self.assertIn("skipped", err)
        self.assertTrue(any(l.startswith("✗ 127.0.0.2") and "connection_refused" in l
                            for l in lines), out)
        self.assertEqual(sum(1 for l in lines[:3] if "127.0.0.1" in l and "failed" not in l), 2,
                         out)
        self.assertRegex(lines[-1], r"^3 targets: \d ok, \d warning, 1 failed$")
        self.assertEqual(code, 1)

    def test_the_table_at_a_glance_has_a_row_per_port_in_file_order(self):
        code, out, err = self.batch()
        self.assertIn("\n\nAt a glance\n", out)
        table = out.split("\n\nAt a glance\n", 1)[1].splitlines()
        head, rows = table[0].split(), table[1:]
        self.assertEqual(head[:3], ["tcp", "banner", "ehlo"], table)
        self.assertEqual([r.split()[0] for r in rows],
                         ["127.0.0.1:%d" % self.first.port, "127.0.0.1:%d" % self.second.port,
                          "127.0.0.2:%d" % self.closed], table)
        self.assertEqual(rows[0].split()[1], "✓")
        self.assertEqual(rows[2].split()[1:3], ["✗", "–"])  # refused: nothing after tcp ran

    def test_targets_that_never_started_are_still_reported_when_the_deadline_ends_the_run(self):
        with Serve("--fault", "tarpit=3s", store=False) as slow:
            path = os.path.join(self.dir, "slow.txt")
            with open(path, "w") as f:
                for _ in range(4):
                    f.write("127.0.0.1 %d\n" % slow.port)
            code, out, err = self.batch("--json", "--concurrency", "1", "--deadline", "2",
                                        targets=path)
        docs = [json.loads(line) for line in out.splitlines()]
        self.assertEqual(len(docs), 4, out + err)
        not_started = [d for d in docs if d.get("error", "").startswith("not started")]
        self.assertGreaterEqual(len(not_started), 3, docs)
        self.assertIn("--deadline reached", not_started[0]["error"])
        self.assertEqual({d["verdict"] for d in not_started}, {"error"})
        for doc in docs:
            validate(json.dumps(doc))

    def test_json_lines_one_report_each(self):
        code, out, err = self.batch("--json", "--concurrency", "1")
        docs = [json.loads(line) for line in out.strip().splitlines()]
        self.assertEqual(len(docs), 3, out)
        for line in out.strip().splitlines():
            validate(line)
        self.assertEqual(sorted(d["target"] for d in docs),
                         sorted(["127.0.0.1", "127.0.0.1:%d" % self.second.port, "127.0.0.2"]))
        by_target = {d["target"]: d for d in docs}
        self.assertEqual(by_target["127.0.0.2"]["verdict"], "fail")
        ports = {p.get("port") for p in by_target["127.0.0.1"]["probes"] if p["id"] == "tcp"}
        self.assertEqual(ports, {self.first.port})
        self.assertEqual(code, 1)

    def test_targets_from_stdin(self):
        with open(self.file) as f:
            code, out, err = run(["check", "--targets", "-", "--offline", "--insecure", "--helo",
                                  HELO, "--json"], stdin=f)
        self.assertEqual(len(out.strip().splitlines()), 3, out + err)

    def test_nagios_one_line_for_the_batch(self):
        code, out, err = self.batch("--format", "nagios")
        self.assertEqual(len(out.strip().splitlines()), 1, out)
        self.assertTrue(out.startswith("SMTP CRITICAL - 1 critical"), out)
        self.assertIn("127.0.0.2", out.split("|")[0])
        self.assertEqual(out.count("_time'="), 3, out)
        self.assertEqual(code, 2)

    def test_openmetrics_for_the_textfile_collector(self):
        code, out, err = self.batch("--format", "openmetrics")
        self.assertIn('smtpdoctor_check_success{target="127.0.0.2"} 0', out)
        self.assertIn('smtpdoctor_probe_status{target="127.0.0.2",host="127.0.0.2",port="%d",'
                      'probe="tcp"} 2' % self.closed, out)
        self.assertIn("smtpdoctor_tls_certificate_expiry_timestamp_seconds{", out)
        self.assertTrue(out.endswith("# EOF\n"))
        promtool = shutil.which("promtool")
        if not promtool:
            self.skipTest("promtool (Debian package prometheus) is not installed")
        done = subprocess.run([promtool, "check", "metrics"], input=out, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.assertEqual(done.returncode, 0, done.stdout)

    def test_openmetrics_for_one_target(self):
        code, out, err = run(["check", "127.0.0.1", "--port", str(self.first.port), "--offline",
                              "--insecure", "--helo", HELO, "--format", "openmetrics"])
        self.assertIn('smtpdoctor_check_success{target="127.0.0.1"} 1', out)
        self.assertEqual(code, 0, out)

    def test_a_file_without_a_valid_line_is_a_usage_error(self):
        bad = os.path.join(self.dir, "bad.txt")
        with open(bad, "w") as f:
            f.write("# nothing\nnot a target at all\n")
        code, out, err = self.batch(targets=bad)
        self.assertEqual(code, 2)
        self.assertIn("line 2", err)
        self.assertIn("no valid target", err)

    def test_targets_and_a_target_exclude_each_other(self):
        code, out, err = run(["check", "127.0.0.1", "--targets", self.file, "--offline"])
        self.assertEqual(code, 2)
        self.assertIn("--targets", err)


if __name__ == "__main__":
    unittest.main()
