"""Real peers (dnsmasq, Postfix, Dovecot) on loopback high ports with private config dirs, for
the integration tests. Python standard library only. See tests/README.md.

    import sys, os
    sys.path.insert(0, os.path.join(os.environ["SMTPDOCTOR_SOURCE_DIR"], "tests"))
    from peers.dns import DnsServer
"""
