#!/usr/bin/env python3
"""A firewall's SMTP inspection between us and the server (Cisco "fixup smtp" style): it masks
the greeting with asterisks and overwrites STARTTLS in the EHLO reply with X's. `check` must say
that something on the path is tampering with the session, and — when another port of the same
host does offer STARTTLS — name STARTTLS stripping. The middlebox is a small scripted SMTP peer
on 127.0.0.1, next to a real `smtpdoctor serve`."""

import os
import socketserver
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from check_common import check, notes, probe  # noqa: E402
from serve_fixture import Serve  # noqa: E402

MASKED_GREETING = b"220 *****************************0*0*0*****2*0***0*****0******0*0**0\r\n"
MANGLED_EHLO = (b"250-**********************\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
                b"250-XXXXXXXA\r\n250-8BITMIME\r\n250 XXXA\r\n")
REPLIES = {b"EHLO": MANGLED_EHLO, b"HELO": b"250 ****\r\n", b"MAIL": b"250 2.1.0 Ok\r\n",
           b"RCPT": b"250 2.1.5 Ok\r\n", b"RSET": b"250 2.0.0 Ok\r\n",
           b"STARTTLS": b"502 5.5.1 Error: command not implemented\r\n"}


class Middlebox(socketserver.StreamRequestHandler):
    timeout = 10

    def handle(self):
        self.wfile.write(MASKED_GREETING)
        for line in self.rfile:
            verb = line.split(b" ", 1)[0].strip().upper()
            if verb == b"QUIT":
                self.wfile.write(b"221 2.0.0 Bye\r\n")
                return
            self.wfile.write(REPLIES.get(verb, b"502 5.5.2 Error: command not recognized\r\n"))


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class MiddleboxTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(("127.0.0.1", 0), Middlebox)
        cls.port = cls.server.server_address[1]
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def test_a_masked_greeting_and_mangled_keywords_are_called_tampering(self):
        code, report = check("127.0.0.1:%d" % self.port)
        self.assertEqual(code, 1)
        banner = probe(report, "banner")
        self.assertEqual(banner["status"], "warn")
        self.assertIn("masked with asterisks", notes(banner))
        ehlo = probe(report, "ehlo")
        self.assertEqual(ehlo["status"], "warn")
        self.assertEqual(ehlo["details"]["mangled_keywords"], ["XXXXXXXA", "XXXA"])
        self.assertIn("probably STARTTLS", notes(ehlo))
        tls = probe(report, "tls")
        self.assertEqual(tls["status"], "fail")
        self.assertIn("hidden by a firewall (XXXXXXXA)", notes(tls))

    def test_starttls_on_one_port_and_not_another_of_the_same_host_is_stripping(self):
        with Serve(store=False, json_events=True) as server:
            code, report = check("127.0.0.1", "--ports", "%d,%d" % (server.port, self.port),
                                 "--insecure", "--only", "tcp,banner,ehlo,tls")
        stripped = probe(report, "tls", self.port)
        self.assertEqual(stripped["status"], "fail")
        self.assertTrue(stripped["details"]["starttls_stripping_suspected"])
        self.assertIn("STARTTLS stripping", notes(stripped))
        offered = probe(report, "tls", server.port)
        self.assertNotIn("starttls_stripping_suspected", offered["details"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
