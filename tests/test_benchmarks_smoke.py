"""Smoke test of the benchmark runner: quick K1 in-process, outputs must agree (no timing)."""

import sys
from pathlib import Path

import pytest

pytest.importorskip("sklearn")
pytest.importorskip("threadpoolctl")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.runner import run_comparisons, table


def test_quick_k1_outputs_agree():
    rows = run_comparisons(["K1"], repeats=1, quick=True, threads=2, log=lambda *_: None)
    assert [r["id"] for r in rows] == ["K1", "K1/f32"]
    for r in rows:
        if r["status"] == "skipped":  # faiss not installed
            continue
        assert r["check_ok"], f"{r['id']}: {r['check']}"
        assert r["clustor_s"] > 0 and r["peer_s"] > 0
    assert "| K1 |" in table(rows)
