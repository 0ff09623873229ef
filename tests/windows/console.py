#!/usr/bin/env python3
"""Runs a command on a terminal of its own (a pseudo-terminal), as a person
at a Windows console would under Wine: waits for a prompt, types a line,
and optionally presses Ctrl-C some seconds later. Prints one JSON object:
what the terminal showed (escape sequences removed) and the exit code.

    console.py --prompt TEXT --type LINE [--ctrl-c-after SECONDS] -- COMMAND…
"""
import argparse
import json
import os
import pty
import re
import select
import time

parser = argparse.ArgumentParser()
parser.add_argument("--prompt", required=True)
parser.add_argument("--type", required=True)
parser.add_argument("--ctrl-c-after", type=float)
parser.add_argument("--timeout", type=float, default=60)
parser.add_argument("command", nargs="+")
args = parser.parse_args()

pid, fd = pty.fork()
if pid == 0:
    os.execvp(args.command[0], args.command)

shown = b""


def read_until(done, seconds):
    """Reads what the terminal shows until `done(shown)` or the end."""
    global shown
    end = time.time() + seconds
    while time.time() < end and not done(shown):
        ready, _, _ = select.select([fd], [], [], 0.1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the program has ended
            return
        if not chunk:
            return
        shown += chunk


def text():
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode("utf-8", "replace"))


read_until(lambda s: args.prompt in text(), args.timeout)
prompted = args.prompt in text()
# A person reads the prompt before typing. (Wine echoes type-ahead that
# arrives before the program has switched echo off; Windows' own console
# echoes only as a read with echo on takes the input.)
read_until(lambda s: False, 0.5)
os.write(fd, args.type.encode() + b"\r")
if args.ctrl_c_after is not None:
    read_until(lambda s: False, args.ctrl_c_after)
    os.write(fd, b"\x03")
read_until(lambda s: False, args.timeout)
_, status = os.waitpid(pid, 0)
print(json.dumps({"prompted": prompted, "shown": text(), "exit": os.waitstatus_to_exitcode(status)}))
