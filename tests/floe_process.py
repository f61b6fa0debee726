"""Helpers shared by interop and e2e tests: find the floe binary and the peers, run floe servers on free ports."""
import os
import queue
import re
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def floe_bin() -> str:
    path = os.environ.get("FLOE_BIN") or str(REPO / "build" / "floe")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"floe binary not found at {path}: run `make build` first (or set FLOE_BIN)")
    return path


def java_classpath(peer: str) -> str:
    """Classpath of a Maven peer under tests/peers/<peer>, installed by scripts/setup-peers.sh."""
    lib = REPO / "tests" / "peers" / peer / "target" / "lib"
    if not any(lib.glob("*.jar")):
        raise RuntimeError(f"Maven peer {peer} is not installed ({lib} has no jars): run scripts/setup-peers.sh")
    return str(lib / "*")


def run_floe(args, timeout=60, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([floe_bin()] + list(args), capture_output=True, text=True, timeout=timeout, **kw)


class FloeServer:
    """A floe server subprocess. Waits until it has printed `listening <door> HOST:PORT` for each door and, when
    asked, `ready`; `doors` maps door name to (host, port)."""

    LISTENING = re.compile(r"listening (\w+) (\S+):(\d+)")

    def __init__(self, args, doors, wait_ready=True, data_dir=None, timeout=30):
        self.tmp = tempfile.mkdtemp(prefix="floe-test-")
        self.data_dir = data_dir or os.path.join(self.tmp, "data")
        self.stderr_path = os.path.join(self.tmp, "stderr")
        self.proc = subprocess.Popen([floe_bin()] + list(args) + ["--data-dir", self.data_dir],
                                     stdout=subprocess.PIPE, stderr=open(self.stderr_path, "w"), text=True)
        self.doors, self.ready, self.lines = {}, False, []
        self._q = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                line = self._q.get(timeout=max(0.05, deadline - time.time()))
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line.rstrip("\n"))
            m = self.LISTENING.fullmatch(line.strip())
            if m:
                self.doors[m.group(1)] = (m.group(2), int(m.group(3)))
            if line.strip() == "ready":
                self.ready = True
            if all(d in self.doors for d in doors) and (self.ready or not wait_ready):
                return
        raise RuntimeError(f"floe {' '.join(args)} did not announce {doors}: stdout {self.lines}, "
                           f"stderr {self.stderr()[-2000:]!r}")

    def _pump(self):
        for line in self.proc.stdout:
            self._q.put(line)
        self._q.put(None)

    def url(self, door, path=""):
        host, port = self.doors[door]
        return f"http://{host}:{port}{path}"

    def stderr(self) -> str:
        with open(self.stderr_path) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Sends `sig` and returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                return self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError(f"floe did not exit within {timeout}s of signal {sig}")
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def bootstrap(server) -> str:
    """The "host:port" of a FloeServer's Kafka door, as Kafka clients take it."""
    return "%s:%d" % server.doors["kafka"]
