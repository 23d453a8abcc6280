"""Starting the service's own processes for a test or the benchmark: a free port on this
machine, waiting until a server accepts connections on it, and the `Procfile`'s
processes under honcho, as `scripts/serve` starts them (stopped, with their children,
afterwards). No pytest and no Django here: `benchmarks/load.py` uses it too."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Until the server `process` accepts connections on `port`, failing with its log if
    it stops or takes over a minute."""
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            shown = log.read_text() if log.exists() else ""
            assert process.poll() is None, shown
            assert time.monotonic() < deadline, f"the server did not start:\n{shown}"
            time.sleep(0.2)


@contextmanager
def procfile(env: Mapping[str, str], log: Path, *names: str) -> Iterator[subprocess.Popen[bytes]]:
    """The Procfile's processes `names` (all of them when none) under honcho, with `env`
    (the `.venv`'s programs first on the PATH, as the Procfile names them), their output
    in `log`; on leaving, honcho and everything it started are stopped."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(VENV_BIN / "honcho"), "start", "--procfile", "Procfile", "--no-colour", *names],
            cwd=ROOT,
            env={**env, "PATH": f"{VENV_BIN}:{env['PATH']}"},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
