"""What every fixture peer shares: a private temp dir, child processes that die with us, logs
kept for failed tests, and clean-up that runs however the test ends.

A peer is used as a context manager (`with DnsServer() as dns:`) or by hand with start() /
wait_ready() / stop(). Each peer's processes run in their own session (process group), so stop()
can end the whole tree by group id. Nets that make sure nothing is left running: stop() in
`__exit__`; an atexit hook plus SIGINT/SIGTERM/SIGHUP handlers that stop every live peer; and for
a test killed outright (SIGKILL), the guard process (guard.py), which sees our end of a pipe close
and ends every peer group still registered, helped by PR_SET_PDEATHSIG on each child.
"""

import atexit
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from .guard import group_alive

_live_peers = []
_handlers_installed = False
_lock = threading.Lock()


class PeerError(RuntimeError):
    """The peer could not be started; the message says why, and its log is printed."""


class PortClash(PeerError):
    """The peer found a port taken between our pick and its bind; start() retries."""


def _stop_all_live():
    for peer in list(_live_peers):
        try:
            peer.stop()
        except Exception as error:  # clean-up must go on for the other peers
            print("peers: stopping %s failed: %s" % (peer.name, error), file=sys.stderr)


def _on_signal(signum, frame):
    _stop_all_live()
    # Then die the way the signal would have killed us, so ctest sees the real cause.
    signal.signal(signum, signal.SIG_DFL)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    os.kill(os.getpid(), signum)


def _install_cleanup_hooks():
    global _handlers_installed
    with _lock:
        if _handlers_installed:
            return
        _handlers_installed = True
    atexit.register(_stop_all_live)
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        current = signal.getsignal(signum)
        if current in (signal.SIG_DFL, signal.default_int_handler):
            signal.signal(signum, _on_signal)


_guard = None


def _tell_guard(verb, pgid, directory):
    """Registers a peer's process group with the guard (peers/guard.py), starting it once."""
    global _guard
    if _guard is None or _guard.poll() is not None:
        _guard = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__),
                                                                "guard.py")],
                                  stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _guard.stdin.write(("%s %d %s\n" % (verb, pgid, directory or "")).encode())
        _guard.stdin.flush()
    except OSError:
        pass  # the guard is a safety net; the peer itself is still stopped by stop()


def _die_with_parent():
    """Runs in the child before exec: SIGTERM it when the test process dies, however it dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except Exception:
        pass


def log_dir_for_failures():
    """Where logs of failed runs are copied: <build>/peer-logs under ctest, else the temp dir."""
    base = os.environ.get("SMTPDOCTOR_BINARY_DIR") or tempfile.gettempdir()
    return os.path.join(base, "peer-logs")


class Peer:
    """Base of the fixtures. Subclasses set `name` and implement _pick_ports(), _configure(),
    _launch() and _probe() (returns True once the peer answers); _shutdown() is optional."""

    name = "peer"
    start_timeout = 20.0
    start_attempts = 3

    def __init__(self):
        self.dir = None
        self.procs = []
        self.started = False

    # -- public API -------------------------------------------------------------------------

    def start(self):
        """Starts the peer and returns once it answers; retries with new ports on a clash."""
        _install_cleanup_hooks()
        for attempt in range(self.start_attempts):
            self.dir = tempfile.mkdtemp(prefix="smtpdoctor-%s-" % self.name)
            _live_peers.append(self)
            self.started = True
            try:
                self._pick_ports()
                self._configure()
                self._launch()
                self.wait_ready()
                return self
            except PortClash:
                self.stop()
                if attempt + 1 == self.start_attempts:
                    raise
            except BaseException as error:
                if not isinstance(error, (KeyboardInterrupt, SystemExit)):
                    self.dump_logs("%s did not start" % self.name)
                self.stop()
                raise
        return self

    def wait_ready(self, timeout=None):
        deadline = time.monotonic() + (timeout or self.start_timeout)
        while True:
            self._check_alive()
            if self._probe(deadline):
                return
            if time.monotonic() >= deadline:
                raise PeerError("%s did not answer within %.0f s" %
                                (self.name, timeout or self.start_timeout))
            time.sleep(0.05)

    def stop(self):
        """Stops every process of the peer and removes its dir. Safe to call twice."""
        if not self.started:
            return
        self.started = False
        try:
            self._shutdown()
        except Exception as error:
            print("peers: graceful stop of %s failed: %s" % (self.name, error), file=sys.stderr)
        for proc in self.procs:
            _end_process_group(proc)
            _tell_guard("del", proc.pid, self.dir)
        self.procs = []
        if self in _live_peers:
            _live_peers.remove(self)
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def log_files(self):
        """Paths of the peer's logs, most useful first."""
        return []

    def dump_logs(self, reason, stream=None, tail_lines=150):
        """Prints the end of each log and keeps a copy under log_dir_for_failures()."""
        stream = stream or sys.stderr
        keep = log_dir_for_failures()
        for path in self.log_files():
            if not os.path.exists(path) or os.path.getsize(path) == 0:
                continue
            with open(path, "r", errors="replace") as log:
                lines = log.readlines()
            kept = ""
            try:
                os.makedirs(keep, exist_ok=True)
                kept = os.path.join(keep, "%s-%d-%s" % (self.name, os.getpid(),
                                                        os.path.basename(path)))
                shutil.copyfile(path, kept)
            except OSError:
                kept = ""
            print("----- %s: %s log %s (last %d of %d lines)%s -----" %
                  (reason, self.name, path, min(tail_lines, len(lines)), len(lines),
                   ", kept as " + kept if kept else ""), file=stream)
            stream.write("".join(lines[-tail_lines:]))
            print("----- end of %s log -----" % self.name, file=stream)
        stream.flush()

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and not issubclass(exc_type, (KeyboardInterrupt, SystemExit)):
            self.dump_logs("%s while %s ran" % (exc_type.__name__, self.name))
        self.stop()
        return False

    # -- for subclasses ---------------------------------------------------------------------

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def spawn(self, argv, log_name, env=None):
        """Starts a child in its own session with stdout+stderr appended to path(log_name)."""
        log = open(self.path(log_name), "ab")
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True,
                                    preexec_fn=_die_with_parent, env=env, cwd=self.dir)
        finally:
            log.close()
        self.procs.append(proc)
        _tell_guard("add", proc.pid, self.dir)
        return proc

    def _check_alive(self):
        for proc in self.procs:
            code = proc.poll()
            if code is not None:
                text = self._all_log_text()
                if "Address already in use" in text or "address already in use" in text:
                    raise PortClash("%s: a port was taken before it could bind" % self.name)
                raise PeerError("%s exited with status %s before answering: %s" %
                                (self.name, code, " ".join(proc.args)))

    def _all_log_text(self):
        text = ""
        for path in self.log_files():
            try:
                with open(path, "r", errors="replace") as log:
                    text += log.read()
            except OSError:
                pass
        return text

    def _pick_ports(self):
        raise NotImplementedError

    def _configure(self):
        raise NotImplementedError

    def _launch(self):
        raise NotImplementedError

    def _probe(self, deadline):
        raise NotImplementedError

    def _shutdown(self):
        pass


def _end_process_group(proc, grace=5.0):
    """SIGTERM to the child's whole session, SIGKILL what is left after `grace` seconds."""
    for signum, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        try:
            os.killpg(proc.pid, signum)
        except ProcessLookupError:
            pass
        except PermissionError:
            proc.send_signal(signum)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if proc.poll() is not None and not group_alive(proc.pid):
                return
            time.sleep(0.05)
    proc.poll()


def run(argv, **kwargs):
    """Runs a helper command (postconf, openssl...) and raises PeerError with its output if it
    fails. stderr is a pseudo-terminal: the postfix command prints its errors only to a tty
    (otherwise only to syslog, which a container does not have)."""
    master, slave = os.openpty()
    chunks = []

    def drain():
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO once the child side is closed
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        result = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=slave, timeout=60, **kwargs)
    finally:
        os.close(slave)
        reader.join(5)
        os.close(master)
    output = result.stdout.decode(errors="replace")
    errors = b"".join(chunks).decode(errors="replace")
    if result.returncode != 0:
        raise PeerError("%s failed (%d): %s%s" % (" ".join(argv), result.returncode, output,
                                                  errors))
    return output
