#!/usr/bin/env python3
"""Starts a fixture peer, then runs a command with its ports in the environment, or waits.

    python3 tests/peers/with_peer.py dns -- some_test_binary --dns-server-from-env
    python3 tests/peers/with_peer.py mail --json

Works from any directory (ctest's COMMAND); see cli.py for what the command gets.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from peers import cli  # noqa: E402

if __name__ == "__main__":
    sys.exit(cli.main_for(sys.argv[1] if len(sys.argv) > 1 else "", sys.argv[2:]))
