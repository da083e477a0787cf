"""The "seed" peer: the seed toolkit's own release (clustor 0.1.1 from PyPI), timed from its
own virtual environment, in the same run, on the same data (BENCHMARKS.md).

The seed installs under the same import name as clustor, so it runs in a child process
(:mod:`benchmarks._seed_child`) started with the seed environment's interpreter. A row's data
go to the child once, through temporary ``.npy`` files; the child then times each call
itself (around the fit or function call only: no interpreter start-up, no data loading) and
answers with the seconds and the outputs (an ``.npz`` file). The child lives for one row,
so the runner can interleave clustor's repeats with the seed's as for any other peer.

Environment: ``$CLUSTOR_SEED_PYTHON``, else ``<repo>/.venv-seed/bin/python`` (``make
.venv-seed`` builds it from the sdist; it needs Rust). When it is missing, the seed rows are
skipped with that message.

Every call has a timeout (``TIMEOUT`` seconds, ``--seed-timeout``): a call that exceeds it
is killed and its row reports ``timeout > N s``.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CHILD = Path(__file__).resolve().parent / "_seed_child.py"
SEED_VERSION = "0.1.1"
# Seconds one seed call may take (the warm-up included) before its row reports a timeout.
TIMEOUT = 120.0


class PeerTimeout(Exception):
    """A peer call exceeded its time limit (the row reports it; the run goes on)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"timeout > {seconds:g} s")
        self.seconds = seconds


class PeerError(Exception):
    """The peer raised (the row reports the message; the run goes on)."""


def seed_python() -> Path:
    env = os.environ.get("CLUSTOR_SEED_PYTHON")
    return Path(env) if env else REPO / ".venv-seed" / "bin" / "python"


@cache
def _probe(python: str) -> str | None:
    if not Path(python).exists():
        return f"seed environment not found ({python}); build it with `make .venv-seed`"
    try:
        res = subprocess.run(
            [python, "-I", "-c", "import clustor; print(clustor.__version__)"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"seed environment unusable ({python}): {e}"
    version = res.stdout.strip()
    if res.returncode != 0:
        err = (res.stderr.strip().splitlines() or ["import failed"])[-1]
        return f"seed environment unusable ({python}): {err}"
    if version != SEED_VERSION:
        return f"{python} has clustor {version}, not the seed's {SEED_VERSION}"
    return None


def unavailable() -> str | None:
    """Why the seed rows cannot run (None when they can)."""
    return _probe(str(seed_python()))


class SeedSession:
    """One child process of the seed's interpreter, holding one row's arrays."""

    def __init__(self, arrays: dict[str, Any], timeout: float | None = None) -> None:
        import numpy as np

        self.timeout = TIMEOUT if timeout is None else timeout
        self.dir = Path(tempfile.mkdtemp(prefix="clustor-seed-"))
        self._n = 0
        self._stderr = open(self.dir / "stderr.txt", "w+b")
        self.proc = subprocess.Popen(
            [str(seed_python()), "-I", str(CHILD)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            bufsize=1,
            cwd=self.dir,
        )
        self._replies: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        try:
            paths = {}
            for name, arr in arrays.items():
                paths[name] = str(self.dir / f"{name}.npy")
                np.save(paths[name], np.ascontiguousarray(arr))
            self._request({"op": "load", "arrays": paths}, self.timeout)
            for p in paths.values():
                os.unlink(p)
        except BaseException:
            self.close()
            raise

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._replies.put(line)
        self._replies.put(None)

    def _request(self, msg: dict[str, Any], timeout: float) -> dict[str, Any]:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(msg) + "\n")
            self.proc.stdin.flush()
            line = self._replies.get(timeout=timeout)
        except queue.Empty:
            self.kill()
            raise PeerTimeout(timeout) from None
        except BrokenPipeError:
            line = None
        if line is None:
            self._stderr.seek(0)
            tail = self._stderr.read().decode(errors="replace").strip().splitlines()[-3:]
            raise PeerError(f"seed child exited ({self.proc.poll()}): {' / '.join(tail)}")
        reply = json.loads(line)
        if not reply.get("ok"):
            raise PeerError(reply.get("error", "seed call failed"))
        return reply

    def run(self, call: dict[str, Any], baseline: dict[str, Any] | None = None) -> dict[str, Any]:
        """Runs ``call`` in the child; returns its outputs (arrays and scalars) with
        ``_seconds``, the time the child measured (minus the baseline call's, if given)."""
        import numpy as np

        self._n += 1
        save = self.dir / f"out{self._n}.npz"
        timeout = self.timeout * (2 if baseline else 1)
        reply = self._request(
            {"op": "run", "call": call, "baseline": baseline, "save": str(save)}, timeout
        )
        with np.load(save) as z:
            out: dict[str, Any] = {k: z[k] for k in z.files}
        save.unlink()
        out.update(reply["scalars"])
        out["_seconds"] = reply["seconds"]
        if baseline:
            out["_full_seconds"] = reply["full_seconds"]
            out["_baseline_seconds"] = reply["baseline_seconds"]
        return out

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(json.dumps({"op": "exit"}) + "\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.kill()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass
        self._reader.join(timeout=5)
        self._stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextmanager
def session(arrays: dict[str, Any], timeout: float | None = None) -> Iterator[SeedSession]:
    s = SeedSession(arrays, timeout)
    try:
        yield s
    finally:
        s.close()
