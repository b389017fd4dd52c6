#!/usr/bin/python3
"""A stand-in for systemctl that the deploy tests give install.sh / upgrade.sh / rollback.sh as
SYSTEMCTL. It runs the real gateway the way systemd runs a Type=notify unit, inside a scratch root:

- the unit is read from ROOT/etc/systemd/system/NAME.service; absolute paths under /opt, /etc and
  /var in ExecStart and WorkingDirectory are taken inside ROOT (as a chroot would see them);
- `start` spawns a supervisor process named "systemd" (so the gateway's systemd integration speaks,
  as under the real manager) that listens on a notify socket, starts ExecStart with NOTIFY_SOCKET
  and WATCHDOG_USEC, and returns once READY=1 arrives (exit 0), or fails (exit 1) when the process
  ends first or TimeoutStartSec passes; a main process that misses a WatchdogSec is killed (SIGABRT);
- `stop` sends SIGTERM and waits (TimeoutStopSec, then SIGKILL); `show -p`, `is-active`,
  `daemon-reload`, `enable` behave as systemctl's.
Not modelled: Restart= (a failed unit stays failed), users and sandboxing (it runs as the caller).
State and the gateway's output live in DOUBLE_STATE: state.json, journal.log, events.log.
"""
import ctypes
import json
import os
import select
import shlex
import signal
import socket
import subprocess
import sys
import time

ROOT = os.environ["DOUBLE_ROOT"]
STATE_DIR = os.environ["DOUBLE_STATE"]
STATE = os.path.join(STATE_DIR, "state.json")
EVENTS = os.path.join(STATE_DIR, "events.log")


def event(text):
    with open(EVENTS, "a") as f:
        f.write(f"{time.time():.3f} {text}\n")


def read_state():
    try:
        with open(STATE) as f:
            return json.load(f)
    except (FileNotFoundError, json.JSONDecodeError):
        return {"ActiveState": "inactive", "MainPID": 0, "SupervisorPID": 0, "StatusText": ""}


def write_state(**changes):
    state = read_state()
    state.update(changes)
    tmp = STATE + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state, f)
    os.replace(tmp, STATE)


def unit(name):
    path = os.path.join(ROOT, "etc/systemd/system", name + ".service")
    settings = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith(("#", ";", "[")) and "=" in line:
                key, value = line.split("=", 1)
                settings.setdefault(key, []).append(value)
    return settings


def inside(path):
    return os.path.join(ROOT, path.lstrip("/")) if path.startswith(("/opt/", "/etc/", "/var/")) else path


def seconds(settings, key, default):
    value = settings.get(key, [str(default)])[-1]
    return float(value[:-1]) if value.endswith("s") else float(value)


def alive(pid):
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def supervise(name, settings, sock_path):
    """The supervisor (runs in its own session): the gateway's parent, named systemd."""
    libc = ctypes.CDLL(None)
    libc.prctl(15, b"systemd", 0, 0, 0)  # PR_SET_NAME: what the gateway's IsSystemdService() reads
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    notify.bind(sock_path)
    argv = [inside(a) for a in shlex.split(settings["ExecStart"][-1])]
    workdir = inside(settings.get("WorkingDirectory", ["/"])[-1])
    os.makedirs(workdir, exist_ok=True)
    watchdog = seconds(settings, "WatchdogSec", 0)
    env = dict(os.environ, NOTIFY_SOCKET=sock_path)
    env.pop("JOURNAL_STREAM", None)
    if watchdog > 0:
        env["WATCHDOG_USEC"] = str(int(watchdog * 1_000_000))
    journal = open(os.path.join(STATE_DIR, "journal.log"), "ab")
    child = subprocess.Popen(argv, cwd=workdir, env=env, stdout=journal, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    write_state(ActiveState="activating", MainPID=child.pid, SupervisorPID=os.getpid(), StatusText="", Result="")
    event(f"spawned pid {child.pid}: {' '.join(argv)}")
    last_ping = None
    stopping = False

    def on_term(*_):
        nonlocal stopping
        stopping = True
        write_state(ActiveState="deactivating")
        event(f"stopping pid {child.pid}")
        child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, on_term)
    while child.poll() is None:
        try:
            ready, _, _ = select.select([notify], [], [], 0.2)
        except InterruptedError:
            continue
        if ready:
            message = notify.recv(4096).decode("utf-8", "replace")
            for line in message.split("\n"):
                if line == "READY=1" and not stopping:
                    write_state(ActiveState="active")
                    event(f"ready pid {child.pid}")
                    last_ping = time.monotonic()
                elif line == "WATCHDOG=1":
                    last_ping = time.monotonic()
                elif line.startswith("STATUS="):
                    write_state(StatusText=line[len("STATUS="):])
                elif line == "STOPPING=1":
                    event(f"stopping=1 from pid {child.pid}")
        if watchdog > 0 and last_ping is not None and not stopping and time.monotonic() - last_ping > watchdog:
            event(f"watchdog timeout pid {child.pid}")
            write_state(Result="watchdog")
            child.send_signal(signal.SIGABRT)
            child.wait()
            break
    code = child.wait()
    result = "success" if stopping else (read_state().get("Result") or f"exit-code {code}")
    write_state(ActiveState="inactive" if stopping else "failed", MainPID=0, SupervisorPID=0, Result=result)
    event(f"exited pid {child.pid} code {code} ({'stopped' if stopping else 'failed'})")
    notify.close()
    os.unlink(sock_path)


def start(name):
    state = read_state()
    if state["ActiveState"] == "active" and alive(state["MainPID"]):
        return 0
    settings = unit(name)
    sock_path = os.path.join(STATE_DIR, "notify.sock")
    write_state(ActiveState="activating", MainPID=0, SupervisorPID=0, Result="")
    pid = os.fork()
    if pid == 0:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        try:
            supervise(name, settings, sock_path)
        finally:
            os._exit(0)
    deadline = time.monotonic() + seconds(settings, "TimeoutStartSec", 90)
    while time.monotonic() < deadline:
        state = read_state()
        if state["ActiveState"] == "active":
            return 0
        if state["ActiveState"] == "failed":
            print(f"Job for {name}.service failed because the control process exited with error code ({state['Result']}).", file=sys.stderr)
            return 1
        time.sleep(0.05)
    print(f"Job for {name}.service failed because a timeout was exceeded.", file=sys.stderr)
    stop(name)
    write_state(ActiveState="failed", Result="timeout")
    return 1


def stop(name):
    state = read_state()
    supervisor = state.get("SupervisorPID", 0)
    if not alive(supervisor):
        if state["ActiveState"] not in ("inactive", "failed"):
            write_state(ActiveState="inactive", MainPID=0)
        return 0
    os.kill(supervisor, signal.SIGTERM)
    deadline = time.monotonic() + seconds(unit(name), "TimeoutStopSec", 90)
    while alive(supervisor) and time.monotonic() < deadline:
        time.sleep(0.05)
    if alive(supervisor):
        main = read_state()["MainPID"]
        if alive(main):
            os.kill(main, signal.SIGKILL)
        event(f"stop timeout: killed pid {main}")
        while alive(supervisor):
            time.sleep(0.05)
    return 0


def main(argv):
    verb, rest = argv[0], argv[1:]
    names = [a.removesuffix(".service") for a in rest if not a.startswith("-") and a not in ("ActiveState", "MainPID", "StatusText", "NRestarts", "Result")]
    event(f"systemctl {' '.join(argv)}")
    if verb == "daemon-reload":
        return 0
    if verb == "enable":
        wants = os.path.join(ROOT, "etc/systemd/system/multi-user.target.wants")
        os.makedirs(wants, exist_ok=True)
        link = os.path.join(wants, names[0] + ".service")
        if not os.path.lexists(link):
            os.symlink(f"/etc/systemd/system/{names[0]}.service", link)
        return 0
    if verb == "start":
        return start(names[0])
    if verb == "stop":
        return stop(names[0])
    if verb == "is-active":
        state = read_state()["ActiveState"]
        print(state)
        return 0 if state == "active" else 3
    if verb == "show":
        state = read_state()
        properties = [rest[i + 1] for i, a in enumerate(rest) if a == "-p"]
        for p in properties:
            print(f"{p}={state.get(p, 0 if p in ('MainPID', 'NRestarts') else '')}")
        return 0
    print(f"systemctl double: unsupported verb {verb}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
