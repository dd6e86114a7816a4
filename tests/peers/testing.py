"""unittest glue: a TestCase that prints (and keeps) its peers' logs when a test fails, and the
way to find the smtpdoctor binary."""

import os
import shutil
import stat
import subprocess
import sys
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


def why_system_daemons_cannot_run():
    """None when Postfix and Dovecot can run here, else the reason they cannot (for skipTest).

    Both need root to start, and then switch to their own unprivileged users, which must be able
    to reach /etc/passwd, their libraries and our temp dir. A root directory that only root may
    enter (mode 0700, as in a chroot made from a `mktemp -d` folder) makes every such daemon fail
    in ways that look like bugs (Dovecot: "getpwuid() error"; Postfix: exit 1 at start); no
    configuration of ours can change that, so the tests say so instead of failing."""
    if os.geteuid() != 0:
        return "the Postfix and Dovecot fixtures need root (they switch to their own users)"
    mode = os.stat("/").st_mode
    if not mode & stat.S_IXOTH:
        return ("the root directory / is mode %04o here, so the daemons' unprivileged users "
                "cannot reach any file (a chroot built in a private folder); Postfix and "
                "Dovecot cannot run" % stat.S_IMODE(mode))
    return None


def needs_system_daemons(reason_prefix=""):
    """Class decorator: skip (saying why) where Postfix/Dovecot cannot run, see above."""
    reason = why_system_daemons_cannot_run()
    return unittest.skipIf(reason is not None, (reason_prefix + (reason or "")).strip())


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


SKIPPED_EXIT = 77  # ctest's SKIP_RETURN_CODE for these tests (cmake/SmtpdoctorTest.cmake)


def main():
    """unittest.main with output that ctest shows well. When every test was skipped (the peers
    cannot run here), exit 77 so ctest reports the file as skipped rather than passed."""
    program = unittest.main(verbosity=2, buffer=False, exit=False)
    result = program.result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.testsRun and len(result.skipped) == result.testsRun:
        print("all %d tests skipped" % result.testsRun)
        sys.exit(SKIPPED_EXIT)
    sys.exit(0)
