#!/usr/bin/env python3
"""The fixture layer keeps its promises: parallel peers never share a port, a test that is
interrupted (Ctrl-C, SIGTERM, even SIGKILL from a ctest timeout) leaves no peer running, and a
failing test shows the peer's log."""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

TESTS_DIR = os.path.join(os.environ.get("SMTPDOCTOR_SOURCE_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", ".."), "tests")
sys.path.insert(0, TESTS_DIR)

from peers import dns, ports, zone  # noqa: E402
from peers.dns import DnsServer  # noqa: E402
from peers.testing import main, why_system_daemons_cannot_run  # noqa: E402

# The mail stack joins the holder only where Postfix and Dovecot can run at all.
IS_ROOT = why_system_daemons_cannot_run() is None

# A stand-in for a test process: starts peers, reports their process groups and dirs as one JSON
# line, then waits to be killed.
HOLDER = textwrap.dedent("""
    import json, sys, time
    sys.path.insert(0, %r)
    from peers.dns import DnsServer
    peers = [DnsServer()]
    if %r:
        from peers.postfix import MailStack
        stack = MailStack()
        peers += [stack.dovecot, stack.postfix]
    for peer in peers:
        peer.start()
    print(json.dumps({"groups": [p.pid for peer in peers for p in peer.procs],
                      "dirs": [peer.dir for peer in peers]}), flush=True)
    time.sleep(120)
""")


def processes_in_groups(groups):
    """pids of live (non-zombie) processes whose process group is one of `groups`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, pgid = fields[0], int(fields[2])
        if pgid in groups and state != "Z":
            found.append(int(entry))
    return found


class FixtureHygieneTest(unittest.TestCase):
    def start_holder(self, with_mail):
        holder = subprocess.Popen([sys.executable, "-c", HOLDER % (TESTS_DIR, with_mail)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  universal_newlines=True)
        self.addCleanup(self.end_holder, holder)
        line = holder.stdout.readline()
        if not line:
            self.fail("the holder died: " + holder.stderr.read())
        started = json.loads(line)
        self.assertTrue(processes_in_groups(started["groups"]))
        return holder, started

    @staticmethod
    def end_holder(holder):
        holder.kill()
        holder.wait()
        holder.stdout.close()
        holder.stderr.close()

    def assert_all_gone(self, started):
        def leftovers():
            return (processes_in_groups(started["groups"]),
                    [path for path in started["dirs"] if os.path.exists(path)])
        deadline = time.monotonic() + 15
        while leftovers() != ([], []) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(leftovers(), ([], []), "processes / dirs left behind")

    def test_parallel_dns_servers_get_distinct_ports_and_all_answer(self):
        servers = [DnsServer() for _ in range(3)]
        try:
            for server in servers:
                server.start()
            self.assertEqual(len({server.port for server in servers}), 3)
            for server in servers:
                self.assertEqual(dns.query(server.port, zone.TWO_MX_DOMAIN, "MX"), (0, 2))
        finally:
            for server in servers:
                server.stop()

    def test_a_port_taken_before_the_peer_binds_it_is_retried_with_another(self):
        taken = ports.free_port(kinds=("udp", "tcp"))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as holder:
            holder.bind(("127.0.0.1", taken))
            picks = iter([taken])
            real_free_port = ports.free_port
            ports.free_port = lambda kinds=("tcp",): next(picks, None) or real_free_port(kinds)
            try:
                with DnsServer() as server:
                    self.assertNotEqual(server.port, taken)
                    self.assertEqual(dns.query(server.port, zone.TWO_MX_DOMAIN, "MX"), (0, 2))
            finally:
                ports.free_port = real_free_port

    def test_a_stopped_peer_leaves_no_process_dir_or_open_port(self):
        server = DnsServer().start()
        groups, directory, port = [p.pid for p in server.procs], server.dir, server.port
        server.stop()
        self.assertEqual(processes_in_groups(groups), [])
        self.assertFalse(os.path.exists(directory))
        with self.assertRaises(OSError):
            dns.query(port, zone.TWO_MX_DOMAIN, "MX", timeout=0.5)

    def test_an_interrupted_test_stops_its_peers(self):
        for signum in (signal.SIGINT, signal.SIGTERM):
            with self.subTest(signal=signum.name):
                holder, started = self.start_holder(with_mail=IS_ROOT)
                holder.send_signal(signum)
                holder.wait(30)
                self.assert_all_gone(started)

    def test_a_killed_test_takes_its_peers_along(self):
        # SIGKILL runs no Python code in the test: the guard process sees its pipe close and
        # ends the peers' process groups and removes their dirs.
        holder, started = self.start_holder(with_mail=IS_ROOT)
        holder.kill()
        holder.wait(30)
        self.assert_all_gone(started)

    def test_a_failing_test_prints_and_keeps_the_peer_log(self):
        failing = textwrap.dedent("""
            import sys, unittest
            sys.path.insert(0, %r)
            from peers.dns import DnsServer
            from peers.testing import PeerTestCase
            class Failing(PeerTestCase):
                @classmethod
                def setUpClass(cls):
                    cls.dns = cls.start_peer(DnsServer())
                def test_fails(self):
                    self.fail("on purpose")
            unittest.main()
        """) % TESTS_DIR
        with tempfile.TemporaryDirectory() as build:
            env = dict(os.environ, SMTPDOCTOR_BINARY_DIR=build)
            done = subprocess.run([sys.executable, "-c", failing], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, universal_newlines=True,
                                  timeout=60, env=env)
            self.assertNotEqual(done.returncode, 0)
            self.assertIn("Failing.test_fails failed: dnsmasq log", done.stdout)
            self.assertIn("started, version", done.stdout)  # dnsmasq's own first log line
            kept = os.listdir(os.path.join(build, "peer-logs"))
            self.assertEqual(len(kept), 1, kept)
            self.assertIn(os.path.join(build, "peer-logs", kept[0]), done.stdout)


if __name__ == "__main__":
    main()
