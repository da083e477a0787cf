"""The workload registry: one :class:`Comparison` per row of the ratio table."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

# A data maker gets ``quick`` (small sizes for smoke tests) and returns the inputs both sides
# receive (a dict: arrays, initial centers, parameters).
DataMaker = Callable[[bool], dict[str, Any]]
# A runner gets that dict and the thread count, and returns its output as a dict. Outputs
# of per-iteration workloads carry "n_iter"; the timing is divided by it.
Runner = Callable[[dict[str, Any], int], dict[str, Any]]
# A check gets (data, clustor output, peer output) and returns (agree?, details).
Check = Callable[[dict[str, Any], dict[str, Any], dict[str, Any]], tuple[bool, str]]
# A session wraps one row: it gets the shared data and yields the row's data (for a peer in
# another process: the data with a handle on that process, and anything the row prepared).
Session = Callable[[dict[str, Any]], AbstractContextManager[dict[str, Any]]]


@dataclass(frozen=True)
class Comparison:
    """clustor against one peer on one workload.

    ``id`` is the workload id of BENCHMARKS.md, optionally with a ``/variant`` suffix (``K1``
    and ``K1/f32`` are both selected by ``--only K1``). ``per_iteration`` divides each time
    by the run's ``n_iter`` (both sides must report the same). ``target`` is the largest
    acceptable ratio clustor / peer.
    """

    id: str
    description: str
    data: DataMaker
    data_key: str
    clustor: Runner
    peer_name: str
    peer: Runner
    check: Check
    target: float
    per_iteration: bool = False
    # Modules the peer needs; a missing one skips the row instead of failing the run.
    requires: tuple[str, ...] = field(default_factory=tuple)
    # Also record each side's peak resident memory (above its starting point) during the
    # checked run, for workloads with a memory target.
    measure_memory: bool = False
    # Why the peer cannot run here (None: it can); a reason skips the row with that message.
    available: Callable[[], str | None] | None = None
    # Wraps the row (see ``Session``); a peer output's "_seconds", when present, is the time
    # the peer measured itself and replaces the runner's wall-clock time.
    session: Session | None = None
    # Opt-in rows (the seed peer: slow, and needs its own environment) run only when named
    # by their full id (``--only K1/seed``) or selected by peer (``--peer seed``).
    opt_in: bool = False
    # Seconds each side may spend on its timed repeats: a slow peer gets fewer repeats
    # (at least one), judged from its warm-up.
    repeat_budget: float | None = None
    # Shown with the check's details (what the row compares when the work is not identical).
    note: str = ""

    @property
    def workload(self) -> str:
        return self.id.split("/")[0]


REGISTRY: list[Comparison] = []


def register(*comparisons: Comparison) -> None:
    """Adds comparisons to the registry (ids must be unique)."""
    for c in comparisons:
        if any(c.id == r.id for r in REGISTRY):
            raise ValueError(f"duplicate benchmark id {c.id!r}")
        REGISTRY.append(c)


def select(only: list[str] | None, peer: str | None = None) -> list[Comparison]:
    """Comparisons whose id or workload id is in ``only`` (all when None) and, with ``peer``,
    whose peer is that one, in registry order. Opt-in rows are selected by their full id or
    by ``peer`` only."""
    from . import workloads  # noqa: F401  (fills REGISTRY)

    peer_ = peer.strip().lower() if peer else None
    comps = REGISTRY
    if peer_:
        comps = [c for c in comps if c.peer_name.lower().split(" ")[0] == peer_]
        if not comps:
            peers = sorted({c.peer_name.split(" ")[0] for c in REGISTRY})
            raise SystemExit(f"unknown peer {peer!r}; known: {', '.join(peers)}")
    if not only:
        return [c for c in comps if peer_ or not c.opt_in]
    wanted = {o.strip().upper() for o in only if o.strip()}
    known = {c.id.upper() for c in REGISTRY} | {c.workload.upper() for c in REGISTRY}
    unknown = wanted - known
    if unknown:
        raise SystemExit(
            f"unknown benchmark id(s): {', '.join(sorted(unknown))}; "
            f"known: {', '.join(c.id for c in REGISTRY)}"
        )
    return [
        c
        for c in comps
        if c.id.upper() in wanted
        or (c.workload.upper() in wanted and (peer_ is not None or not c.opt_in))
    ]
