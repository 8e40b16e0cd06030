"""Sends one world's probes from one source netns, all at once, and reports what it saw.

Run as `python3 -I prober.py` inside the source's netns with a JSON list of
[id, ip, port, protocol] on stdin; prints {id: outcome} with outcome one of
connected (handshake / UDP echo), refused (RST / ICMP port unreachable: the policy let it
through to a closed port), unreachable (ICMP host unreachable: no route, e.g. a Service
without endpoints) and timeout (dropped: the sandbox's deny verdict in drop mode).
Standard library only: it runs inside the sandbox's namespaces.
"""

from __future__ import annotations

import errno
import json
import socket
import sys
from concurrent.futures import ThreadPoolExecutor

TIMEOUT = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0


def _tcp(ip: str, port: int) -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(TIMEOUT)
        try:
            s.connect((ip, port))
        except TimeoutError:
            return "timeout"
        except ConnectionRefusedError:
            return "refused"
        except OSError as exc:
            if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
                return "unreachable"
            return f"error:{exc.errno}"
        return "connected"


def _udp(ip: str, port: int) -> str:
    token = b"differential-probe"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(TIMEOUT)
        try:
            s.connect((ip, port))
            s.send(token)
            data = s.recv(256)
        except TimeoutError:
            return "timeout"
        except ConnectionRefusedError:
            return "refused"
        except OSError as exc:
            if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
                return "unreachable"
            return f"error:{exc.errno}"
        return "connected" if token in data else "garbled"


def _one(item: list[object]) -> tuple[str, str]:
    ident, ip, port, protocol = item
    probe = _tcp if protocol == "TCP" else _udp
    return str(ident), probe(str(ip), int(str(port)))


def main() -> None:
    items = json.load(sys.stdin)
    with ThreadPoolExecutor(max_workers=max(1, len(items))) as pool:
        print(json.dumps(dict(pool.map(_one, items))))


if __name__ == "__main__":
    main()
