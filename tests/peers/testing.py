"""unittest glue: a TestCase that prints (and keeps) its peers' logs when a test fails, and the
way to find the smtpdoctor binary."""

import os
import shutil
import subprocess
import unittest


class PeerTestCase(unittest.TestCase):
    """Start peers in setUpClass and list them in `cls.peers`; a failing test then prints the end
    of each peer's log (copies kept under <build>/peer-logs). Peers listed here are stopped in
    tearDownClass, and by the atexit/signal hooks if the run is cut short."""

    peers = ()

    @classmethod
    def start_peer(cls, peer):
        cls.peers = tuple(cls.peers) + (peer,)
        try:
            return peer.start()
        except BaseException:
            cls.stop_peers()
            raise

    @classmethod
    def stop_peers(cls):
        for peer in reversed(cls.peers):
            peer.stop()
        cls.peers = ()

    @classmethod
    def tearDownClass(cls):
        cls.stop_peers()
        super().tearDownClass()

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        problems_before = len(result.failures) + len(result.errors)
        outcome = super().run(result)
        if len(result.failures) + len(result.errors) > problems_before:
            for peer in self.peers:
                peer.dump_logs("%s failed" % self.id())
        return outcome


def smtpdoctor_binary():
    """The binary under test: $SMTPDOCTOR (set by ctest), else the one on PATH, else None."""
    path = os.environ.get("SMTPDOCTOR")
    if path and os.access(path, os.X_OK):
        return path
    return shutil.which("smtpdoctor")


def smtpdoctor_has(subcommand, option):
    """True when `smtpdoctor SUBCOMMAND --help` works and lists `option`, i.e. the subcommand is
    really in this build (a placeholder answers --help too, without options)."""
    binary = smtpdoctor_binary()
    if not binary:
        return False
    try:
        done = subprocess.run([binary, subcommand, "--help"], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and option.encode() in done.stdout


def main():
    """unittest.main with output that ctest shows well."""
    unittest.main(verbosity=2, buffer=False)
