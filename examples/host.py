#!/usr/bin/env python3
"""A host program for mailprobe's desktop contract (docs/desktop-contract.md).

A setup dialog in any language does the same: start mailprobe, write one
JSON request line to its stdin, keep stdin open, read JSON Lines from its
stdout until the final event. It never parses human text.

    python3 examples/host.py --profile PROFILE.json [--ca-file PEM]
        [--cancel-after SECONDS] -- MAILPROBE-COMMAND…

The password is the first line of this program's stdin (a dialog has it in
memory). MAILPROBE-COMMAND is e.g. `mailprobe` or `wine64 mailprobe.exe`.
Prints each stage, then one line `RESULT {json}`; exits with mailprobe's code.
"""
import argparse
import json
import subprocess
import sys
import threading

EXIT_CANCELLED = 3


def test_profile(mailprobe, profile, password, extra=(), on_event=print, cancel_after=None):
    """Runs `mailprobe test`; returns (exit code, final event)."""
    proc = subprocess.Popen(
        [*mailprobe, "test", "--request", "-", "--events", *extra],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, encoding="utf-8",
    )
    request = {"version": 1, "profile": profile, "password": password}
    proc.stdin.write(json.dumps(request) + "\n")
    proc.stdin.flush()  # Stdin stays open: closing it cancels the test.
    if cancel_after is not None:
        threading.Timer(cancel_after, proc.stdin.close).start()
    final = None
    for line in proc.stdout:
        event = json.loads(line)
        if event.get("schema_version") != 1:
            raise RuntimeError(f"unknown schema version: {line}")
        if event["event"] in ("verdict", "cancelled"):
            final = event
        else:
            on_event(event)
    code = proc.wait()
    if not proc.stdin.closed:
        proc.stdin.close()
    if final is None:  # Bad input (exit 2): the reason is on stderr.
        final = {"event": "error", "error": proc.stderr.read().strip()}
    return code, final


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", required=True)
    parser.add_argument("--ca-file")
    parser.add_argument("--cancel-after", type=float)
    parser.add_argument("mailprobe", nargs="+")
    args = parser.parse_args()
    with open(args.profile, encoding="utf-8") as f:
        profile = json.load(f)
    password = sys.stdin.readline().rstrip("\r\n")
    extra = ["--ca-file", args.ca_file] if args.ca_file else []

    def show(event):
        if event["event"] == "stage_started":
            print(f"… {event['label']}", flush=True)
        elif event["event"] == "stage_ended":
            print(f"{'✓' if event['ok'] else '✗'} {event['label']} ({event['ms']} ms)", flush=True)

    code, final = test_profile(args.mailprobe, profile, password, extra, show, args.cancel_after)
    if final["event"] == "verdict":
        v = final["verdict"]
        result = {"ok": v["ok"], "category": v["category"], "message": v["message"], "hint": v["hint"]}
    else:
        result = {"ok": False, "category": final["event"], "message": final.get("error", "")}
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
