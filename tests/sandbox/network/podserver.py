"""A pod's (or external host's) servers: one process serving all its declared ports.

Run as a plain script inside the netns: `python -I podserver.py --tcp 80 --udp 53 ...`.
TCP: accept and echo until the peer closes (so `nc -z` and payload probes both work).
UDP: echo every datagram back (a probe that needs a reply proves the path both ways).
Prints "ready" on stdout once every socket is bound; a port that cannot be bound (two
hostNetwork pods on one port) is reported on stderr and skipped, like a crashing container.
Standalone on purpose: it must start fast and import nothing from the sandbox.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import sys
import threading


def _echo(conn: socket.socket) -> None:
    with conn:
        conn.settimeout(30)
        try:
            while data := conn.recv(65536):
                conn.sendall(data)
        except OSError:
            pass


def _tcp(sock: socket.socket) -> None:
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=_echo, args=(conn,), daemon=True).start()


def _udp(sock: socket.socket) -> None:
    while True:
        data, addr = sock.recvfrom(65536)
        with contextlib.suppress(OSError):
            sock.sendto(data, addr)


def _socket(family: socket.AddressFamily, kind: socket.SocketKind) -> socket.socket:
    s = socket.socket(family, kind)
    if family == socket.AF_INET6:  # IPv4 has its own socket on the same port
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    return s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tcp", type=int, action="append", default=[])
    parser.add_argument("--udp", type=int, action="append", default=[])
    parser.add_argument("--v6", action="store_true", help="also serve on IPv6 (dual stack)")
    args = parser.parse_args()
    threads = []
    families = [(socket.AF_INET, "0.0.0.0")] + ([(socket.AF_INET6, "::")] if args.v6 else [])
    for family, anywhere in families:
        for port in args.tcp:
            s = _socket(family, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((anywhere, port))
                s.listen(128)
            except OSError as exc:
                print(f"tcp/{port}: {exc}", file=sys.stderr, flush=True)
                continue
            threads.append(threading.Thread(target=_tcp, args=(s,), daemon=True))
        for port in args.udp:
            s = _socket(family, socket.SOCK_DGRAM)
            try:
                s.bind((anywhere, port))
            except OSError as exc:
                print(f"udp/{port}: {exc}", file=sys.stderr, flush=True)
                continue
            threads.append(threading.Thread(target=_udp, args=(s,), daemon=True))
    for t in threads:
        t.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
