"""Free loopback ports for peers started by tests.

Parallel ctest runs (-j2) start several fixtures at once, so a port is picked by letting the
kernel choose (bind to port 0) while every socket of the batch is still held open; that way one
batch never gets the same port twice. Another process can still take a port between our close
and the peer's bind, so fixtures retry start-up when the peer says "address already in use".
"""

import socket
import time

LOOPBACK = "127.0.0.1"


def _bind(kind, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM)
    try:
        sock.bind((LOOPBACK, port))
    except OSError:
        sock.close()
        raise
    return sock


def free_ports(count, kinds=("tcp",)):
    """Returns `count` distinct loopback ports free right now for every protocol in `kinds`
    (e.g. ("tcp", "udp") for DNS, which must listen on both with one number)."""
    ports, held = [], []
    try:
        for _ in range(200 * count):
            if len(ports) == count:
                break
            first = _bind(kinds[0], 0)
            held.append(first)
            port = first.getsockname()[1]
            try:
                for kind in kinds[1:]:
                    held.append(_bind(kind, port))
            except OSError:
                continue  # taken for the other protocol; keep it held and try another
            ports.append(port)
    finally:
        for sock in held:
            sock.close()
    if len(ports) != count:
        raise RuntimeError("could not find %d free loopback ports" % count)
    return ports


def free_port(kinds=("tcp",)):
    return free_ports(1, kinds)[0]


def wait_for_tcp(port, deadline, host=LOOPBACK, banner_prefix=None):
    """Connects until the peer accepts (and, if asked, until its first line starts with
    `banner_prefix`). Returns the banner line (or "") or raises TimeoutError at `deadline`
    (a time.monotonic() value)."""
    last_error = None
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1.0) as sock:
                if banner_prefix is None:
                    return ""
                sock.settimeout(max(0.1, min(2.0, deadline - time.monotonic())))
                line = sock.makefile("rb").readline(1024).decode("utf-8", "replace").rstrip()
                if line.startswith(banner_prefix):
                    return line
                last_error = "unexpected banner %r" % line
        except OSError as error:
            last_error = str(error)
        time.sleep(0.05)
    raise TimeoutError("nothing answered on %s:%d (%s)" % (host, port, last_error))
