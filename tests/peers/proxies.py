"""Real proxies on loopback high ports with private configs, for the --proxy tests:

- Dante (`danted`, Debian's dante-server) as a SOCKS5 proxy, with no authentication or with
  RFC 1929 username/password. Dante checks a username login against the system's users (passwd
  and shadow), so the login fixture needs root: it creates a system user of its own with a
  known password (SOCKS_USER), and removes it again when it stops.
- tinyproxy as an HTTP proxy that takes CONNECT to the ports it is told (ConnectPort), every
  other port refused with 403.

Both listen on 127.0.0.2 (PROXY_HOST) only and relay only to 127.0.0.0/8 (Dante's rules block the rest), so
nothing here can reach beyond loopback.
"""

import os
import shutil
import subprocess
import time

from . import ports
from .base import Peer, PeerError

# The proxies listen on another loopback address than the servers under test (127.0.0.1), so a
# TLS check that used the proxy's address instead of the target's would fail verification.
PROXY_HOST = "127.0.0.2"
SOCKS_USER = "sdproxytest"
SOCKS_PASSWORD = "proxy-pass-1"


def have_dante():
    return shutil.which("danted") is not None or os.path.exists("/usr/sbin/danted")


def have_tinyproxy():
    return shutil.which("tinyproxy") is not None or os.path.exists("/usr/bin/tinyproxy")


def _danted():
    return shutil.which("danted") or "/usr/sbin/danted"


def _tinyproxy():
    return shutil.which("tinyproxy") or "/usr/bin/tinyproxy"


def can_create_login_user():
    """Why the Dante login fixture cannot run here, or None when it can."""
    if os.geteuid() != 0:
        return "Dante's username method checks system users: creating one needs root"
    for tool in ("useradd", "userdel", "chpasswd"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
            return "%s(8) is not installed" % tool
    return None


def _sbin(tool):
    return shutil.which(tool) or "/usr/sbin/" + tool


class Dante(Peer):
    """danted as a SOCKS5 proxy on a loopback port. login=True: username/password only (the
    SOCKS_USER system user, created for the run); else no authentication."""

    name = "dante"

    def __init__(self, login=False, blocked_ports=()):
        super().__init__()
        self.login = login
        self.blocked_ports = list(blocked_ports)
        self.port = None
        self._made_user = False

    def log_files(self):
        return [self.path("danted.log"), self.path("danted.out")] if self.dir else []

    def _pick_ports(self):
        self.port = ports.free_port()

    def _create_user(self):
        why = can_create_login_user()
        if why:
            raise PeerError(why)
        exists = subprocess.run(["id", SOCKS_USER], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL).returncode == 0
        if not exists:
            subprocess.run([_sbin("useradd"), "--system", "--no-create-home", "--shell",
                            "/usr/sbin/nologin", SOCKS_USER], check=True)
            self._made_user = True
        subprocess.run([_sbin("chpasswd")], input="%s:%s\n" % (SOCKS_USER, SOCKS_PASSWORD),
                       text=True, check=True)

    def _configure(self):
        if self.login:
            self._create_user()
        method = "username" if self.login else "none"
        lines = [
            "logoutput: %s" % self.path("danted.log"),
            "internal: %s port = %d" % (PROXY_HOST, self.port),
            "external: 127.0.0.1",
            "clientmethod: none",
            "socksmethod: %s" % method,
        ]
        if os.geteuid() == 0:
            # Reading shadow for a username login needs root; the rest runs as nobody.
            lines += ["user.privileged: root", "user.unprivileged: nobody"]
        lines += [
            "client pass {\n  from: 127.0.0.0/8 to: 0.0.0.0/0\n}",
        ]
        # Ports the proxy's rules refuse: SOCKS5 reply 2, "not allowed by ruleset".
        lines += ["socks block {\n  from: 0.0.0.0/0 to: 127.0.0.0/8 port = %d\n"
                  "  log: error connect\n}" % port for port in self.blocked_ports]
        lines += [
            "socks pass {\n  from: 127.0.0.0/8 to: 127.0.0.0/8\n  command: connect\n"
            "  log: error connect\n}",
            "socks block {\n  from: 0.0.0.0/0 to: 0.0.0.0/0\n  log: error connect\n}",
        ]
        with open(self.path("danted.conf"), "w") as f:
            f.write("\n".join(lines) + "\n")

    def _launch(self):
        self.spawn([_danted(), "-f", self.path("danted.conf"), "-p", self.path("danted.pid"),
                    "-N", "1"], "danted.out")

    def _probe(self, deadline):
        try:
            ports.wait_for_tcp(self.port, min(deadline, time.monotonic() + 0.3), host=PROXY_HOST)
            return True
        except TimeoutError:
            return False

    def _shutdown(self):
        if self._made_user:
            subprocess.run([_sbin("userdel"), SOCKS_USER], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            self._made_user = False

    def url(self, scheme="socks5", user=None):
        return "%s://%s%s:%d" % (scheme, user + "@" if user else "", PROXY_HOST, self.port)


class Tinyproxy(Peer):
    """tinyproxy as an HTTP CONNECT proxy on a loopback port, tunnelling only to the ports in
    `connect_ports` (ConnectPort); with basic_auth=(user, password), BasicAuth too."""

    name = "tinyproxy"

    def __init__(self, connect_ports, basic_auth=None):
        super().__init__()
        self.connect_ports = list(connect_ports)
        self.basic_auth = basic_auth
        self.port = None

    def log_files(self):
        return [self.path("tinyproxy.log"), self.path("tinyproxy.out")] if self.dir else []

    def _pick_ports(self):
        self.port = ports.free_port()

    def _configure(self):
        os.chmod(self.dir, 0o777)  # tinyproxy as root drops to nobody, which writes the log
        lines = [
            "Port %d" % self.port,
            "Listen %s" % PROXY_HOST,
            "Timeout 30",
            "MaxClients 20",
            "LogFile \"%s\"" % self.path("tinyproxy.log"),
            "LogLevel Info",
            "PidFile \"%s\"" % self.path("tinyproxy.pid"),
            "Allow 127.0.0.0/8",
            "DisableViaHeader Yes",
        ]
        if os.geteuid() == 0:
            lines += ["User nobody", "Group nogroup"]
        lines += ["ConnectPort %d" % port for port in self.connect_ports]
        if self.basic_auth:
            lines.append("BasicAuth %s %s" % self.basic_auth)
        with open(self.path("tinyproxy.conf"), "w") as f:
            f.write("\n".join(lines) + "\n")

    def _launch(self):
        self.spawn([_tinyproxy(), "-d", "-c", self.path("tinyproxy.conf")], "tinyproxy.out")

    def _probe(self, deadline):
        try:
            ports.wait_for_tcp(self.port, min(deadline, time.monotonic() + 0.3), host=PROXY_HOST)
            return True
        except TimeoutError:
            return False

    def url(self, user=None):
        return "http://%s%s:%d" % (user + "@" if user else "", PROXY_HOST, self.port)
