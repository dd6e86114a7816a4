"""Starts `smtpdoctor serve --port 0 ...` for a test and stops it: the one place that knows how
to find the binary, read the chosen port from the first stdout line, and shut the server down.
Everything binds 127.0.0.1; stores go to a private temporary directory."""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time

SMTPDOCTOR = os.environ.get("SMTPDOCTOR") or os.path.join(
    os.environ.get("SMTPDOCTOR_BINARY_DIR", "build"), "smtpdoctor")

LISTENING = re.compile(r"^smtpdoctor serve: listening on 127\.0\.0\.1:(\d+) \((STARTTLS|implicit TLS)\)$")


class Serve:
    """A running `smtpdoctor serve`. Use as a context manager; .port, .store, .lines."""

    def __init__(self, *args, store=True, json_events=False):
        self.store = tempfile.mkdtemp(prefix="smtpdoctor-serve-") if store else None
        argv = [SMTPDOCTOR, "serve", "--port", "0", *args]
        if store:
            argv += ["--store", self.store]
        if json_events:
            argv.append("--json")
        self.json_events = json_events
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        first = self.proc.stdout.readline().rstrip("\n")
        self.lines = [first]
        if json_events:
            event = json.loads(first)
            assert event["event"] == "listening", first
            self.port = event["port"]
        else:
            m = LISTENING.match(first)
            if not m:
                self.proc.kill()
                raise AssertionError("unexpected first line from serve: %r (stderr: %s)"
                                     % (first, self.proc.stderr.read()))
            self.port = int(m.group(1))
        # Keep reading stdout so the server never blocks on a full pipe.
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, pattern, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if re.search(pattern, line):
                    return line
            time.sleep(0.05)
        raise AssertionError("no stdout line matching %r in %r" % (pattern, self.lines))

    def stored_messages(self):
        """[(eml bytes, envelope dict)] for every stored message, oldest first."""
        out = []
        for name in sorted(os.listdir(self.store)):
            if name.endswith(".eml"):
                with open(os.path.join(self.store, name), "rb") as f:
                    eml = f.read()
                with open(os.path.join(self.store, name[:-4] + ".json")) as f:
                    out.append((eml, json.load(f)))
        return out

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            self.stop()
        finally:
            self.proc.stdout.close()
            self.proc.stderr.close()
            if self.store:
                shutil.rmtree(self.store, ignore_errors=True)


def strip_received(eml):
    """The stored message without the Received: header the server prepended (and its folded
    continuation lines)."""
    assert eml.startswith(b"Received: "), eml[:80]
    lines = eml.split(b"\r\n")
    i = 1
    while i < len(lines) and lines[i].startswith(b"\t"):
        i += 1
    return b"\r\n".join(lines[i:])
