#!/usr/bin/env python3
"""Independent feed sender (Python stdlib only): sends NMEA or SBS-1 lines from a file, or from --line
arguments, to a node's feed port over UDP or TCP, as a receiver or dump1090 would.

usage: feed_sender.py udp|tcp HOST PORT [--file F] [--line L ...] [--per-datagram N]
"""
import argparse
import socket
import sys


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("proto", choices=["udp", "tcp"])
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--file")
    ap.add_argument("--line", action="append", default=[])
    ap.add_argument("--per-datagram", type=int, default=1)
    a = ap.parse_args()
    lines = list(a.line)
    if a.file:
        with open(a.file, "r", encoding="ascii", errors="replace") as f:
            lines += [l.rstrip("\r\n") for l in f if l.strip()]
    data = [(l + "\r\n").encode("ascii", "replace") for l in lines]
    if a.proto == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for i in range(0, len(data), a.per_datagram):
            s.sendto(b"".join(data[i : i + a.per_datagram]), (a.host, a.port))
        s.close()
    else:
        s = socket.create_connection((a.host, a.port), timeout=10)
        s.sendall(b"".join(data))
        s.shutdown(socket.SHUT_WR)
        s.close()
    print(f"sent {len(data)} lines", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
