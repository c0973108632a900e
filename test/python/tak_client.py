#!/usr/bin/env python3
"""Independent TAK client (Python standard library only) used by the tests as a real-client check.

It connects like PyTAK/ATAK do over plain TCP: sends CoT XML events (each with an XML prolog, as
commo does), splits the inbound stream on b'</event>' on raw bytes, decodes UTF-8 only after framing,
answers nothing, and prints one JSON line per received event: {"uid", "type", "callsign"}.

usage: tak_client.py HOST PORT --send FILE.xml [--send ...] [--wait SECONDS] [--expect N]
"""
import argparse
import json
import socket
import sys
import time
import xml.etree.ElementTree as ET


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--send", action="append", default=[])
    ap.add_argument("--wait", type=float, default=3.0)
    ap.add_argument("--expect", type=int, default=0, help="stop after this many events")
    ap.add_argument("--uid", default="PYTHON-STDLIB-1")
    args = ap.parse_args()

    sock = socket.create_connection((args.host, args.port), timeout=5)
    for path in args.send:
        with open(path, "rb") as f:
            payload = f.read()
        sock.sendall(b'<?xml version="1.0" encoding="UTF-8"?>\n' + payload.strip())
    sock.settimeout(0.2)
    buf = b""
    seen = 0
    deadline = time.time() + args.wait
    while time.time() < deadline:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            break
        buf += chunk
        while True:
            end = buf.find(b"</event>")
            if end < 0:
                break
            raw, buf = buf[: end + 8], buf[end + 8 :]
            start = raw.find(b"<event")
            if start < 0:
                continue
            ev = ET.fromstring(raw[start:].decode("utf-8"))
            if (ev.get("type") or "").startswith("t-x-takp"):
                continue  # protocol offer: this client stays on XML, as PyTAK does
            contact = ev.find("./detail/contact")
            print(json.dumps({
                "uid": ev.get("uid"),
                "type": ev.get("type"),
                "callsign": contact.get("callsign") if contact is not None else None,
            }), flush=True)
            seen += 1
            if args.expect and seen >= args.expect:
                sock.close()
                return 0
    sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
