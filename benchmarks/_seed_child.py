"""Child process of the "seed" peer: runs under the seed toolkit's own interpreter
(``.venv-seed``, clustor 0.1.1 from PyPI), which installs under the same import name as this
project, so it cannot share a process with it.

Started by :mod:`benchmarks.seed` as ``python -I _seed_child.py``; it imports only the
standard library, NumPy and the seed's ``clustor``. It reads one JSON request per line on
stdin and answers one JSON line on stdout:

- ``{"op": "hello"}`` → the seed's version;
- ``{"op": "load", "arrays": {name: path.npy}}`` → loads the arrays (not timed);
- ``{"op": "run", "call": CALL, "baseline": CALL or null, "save": path.npz or null}``: runs
  CALL, timing the call alone (``time.perf_counter`` around the fit or function call, after
  the arguments are built). With a baseline, the baseline call is timed too and ``seconds``
  is the difference (the work CALL does beyond it). ``save`` writes the outputs as .npz.
- ``{"op": "exit"}``.

CALL is ``{"name": "KMeans", "ctor": {...}, "args": ["X"], "kwargs": {...},
"list_args": [...]}``: with ``ctor`` it is ``clustor.<name>(**ctor).fit(*args, **kwargs)``,
without it ``clustor.<name>(*args, **kwargs)``. Names in ``args`` are loaded arrays; those in
``list_args`` are passed as Python lists (the seed's metrics take lists of labels).
"""

import gc
import json
import sys
import time
import traceback

import numpy as np

import clustor

ARRAYS: dict = {}


def _invoke(call: dict):
    args = [ARRAYS[a] for a in call.get("args", [])]
    args = [
        a.tolist() if name in call.get("list_args", ()) else a
        for name, a in zip(call.get("args", []), args)
    ]
    kwargs = dict(call.get("kwargs", {}))
    target = getattr(clustor, call["name"])
    gc.collect()
    if "ctor" in call:
        est = target(**call["ctor"])
        t0 = time.perf_counter()
        out = est.fit(*args, **kwargs)
    else:
        t0 = time.perf_counter()
        out = target(*args, **kwargs)
    return time.perf_counter() - t0, out


def _as_dict(out) -> dict:
    if isinstance(out, dict):
        return dict(out)
    if isinstance(out, tuple):
        return {str(i): v for i, v in enumerate(out)}
    return {"value": out}


def _run(req: dict) -> dict:
    seconds, out = _invoke(req["call"])
    reply = {"ok": True, "seconds": seconds, "full_seconds": seconds}
    if req.get("baseline"):
        base, _ = _invoke(req["baseline"])
        reply.update(seconds=seconds - base, baseline_seconds=base)
    out = _as_dict(out)
    scalars = {}
    for k, v in out.items():
        if np.ndim(v) == 0:
            v = np.asarray(v).item()
            scalars[k] = v if isinstance(v, (bool, int, float)) else str(v)
    reply["scalars"] = scalars
    if req.get("save"):
        np.savez(req["save"], **{k: np.asarray(v) for k, v in out.items()})
    return reply


def main() -> None:
    for line in sys.stdin:
        req = json.loads(line)
        op = req.get("op")
        try:
            if op == "exit":
                break
            if op == "hello":
                reply = {"ok": True, "version": clustor.__version__, "file": clustor.__file__}
            elif op == "load":
                for name, path in req["arrays"].items():
                    ARRAYS[name] = np.load(path)
                reply = {"ok": True}
            elif op == "run":
                reply = _run(req)
            else:
                reply = {"ok": False, "error": f"unknown op {op!r}"}
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as e:  # (the seed's Rust panics are BaseExceptions) to the parent
            reply = {
                "ok": False,
                "error": f"{type(e).__name__}: {e}",
                "trace": traceback.format_exc(),
            }
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
