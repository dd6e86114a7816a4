"""A small SMTP server on 127.0.0.1 whose TLS is what OpenSSL 3 servers refuse to offer: only
TLS 1.0 or 1.1, or a certificate with a 1024-bit RSA key ("ee key too small" in Postfix and
`smtpdoctor serve`). Python's ssl at security level 0 still serves both.

Implicit TLS, or STARTTLS after a plain greeting and EHLO; inside TLS just a greeting (implicit),
EHLO and QUIT. `handshakes` lists the TLS version of every handshake that worked, so a test can
tell which connections of the client got through."""

import socket
import ssl
import threading
import warnings


class LegacyTlsServer:
    def __init__(self, cert_and_key, implicit, version=None):
        """`version`: an ssl.TLSVersion to be the only one offered (TLSv1, TLSv1_1); None: the
        library's range down to TLS 1.0, for a small key over a current version."""
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with warnings.catch_warnings():  # deprecated: that is the point
            warnings.simplefilter("ignore", DeprecationWarning)
            self.context.minimum_version = version or ssl.TLSVersion.TLSv1
            if version:
                self.context.maximum_version = version
        self.context.set_ciphers("DEFAULT:@SECLEVEL=0")
        self.context.load_cert_chain(*cert_and_key[:2])
        self.implicit = implicit
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.handshakes = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        conn.settimeout(10)
        try:
            if not self.implicit:
                conn.sendall(b"220 legacy.test ESMTP\r\n")
                for line in lines(conn):
                    if line.upper().startswith(b"EHLO"):
                        conn.sendall(b"250-legacy.test\r\n250 STARTTLS\r\n")
                    elif line.upper() == b"STARTTLS":
                        conn.sendall(b"220 go ahead\r\n")
                        break
                    else:
                        conn.sendall(b"221 bye\r\n")
                        return
                else:
                    return
            conn = self.context.wrap_socket(conn, server_side=True)
            self.handshakes.append(conn.version())
            if self.implicit:
                conn.sendall(b"220 legacy.test ESMTP\r\n")
            for line in lines(conn):
                if line.upper().startswith(b"EHLO"):
                    conn.sendall(b"250 legacy.test\r\n")
                else:
                    conn.sendall(b"221 bye\r\n")
                    return
        except (OSError, ssl.SSLError):
            pass  # a client refusing the version or the key ends the handshake: the point
        finally:
            conn.close()

    def close(self):
        self.listener.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def lines(conn):
    """The CRLF-terminated lines a peer sends, one at a time (nothing read past a line)."""
    line = b""
    while True:
        byte = conn.recv(1)
        if not byte:
            return
        line += byte
        if line.endswith(b"\r\n"):
            yield line[:-2]
            line = b""
