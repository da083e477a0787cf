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


# -- the seed peer (clustor 0.1.1 in .venv-seed) -----------------------------------------------


def test_seed_rows_are_opt_in():
    from benchmarks.registry import select

    assert not [c for c in select(None) if c.id.endswith("/seed")]
    assert "K1/seed" not in [c.id for c in select(["K1"])]
    assert [c.id for c in select(["K1/seed"])] == ["K1/seed"]
    seed_rows = [c.id for c in select(None, peer="seed")]
    assert "K1/seed" in seed_rows and "H1/seed" in seed_rows
    assert all(r.endswith("/seed") for r in seed_rows)
    assert [c.id for c in select(["K1"], peer="seed")] == ["K1/seed"]


def test_seed_rows_skip_without_the_seed_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CLUSTOR_SEED_PYTHON", str(tmp_path / "no-such-python"))
    rows = run_comparisons(["K1/seed"], repeats=1, quick=True, threads=2, log=lambda *_: None)
    assert [(r["id"], r["status"]) for r in rows] == [("K1/seed", "skipped")]
    assert "seed environment not found" in rows[0]["check"]
    assert rows[0]["check_ok"] is None


def test_seed_rows_agree_on_tiny_data():
    from benchmarks import seed
    from benchmarks.data import blobs
    from benchmarks.registry import select
    from benchmarks.runner import run_one

    reason = seed.unavailable()
    if reason:
        pytest.skip(reason)
    X, y = blobs(3_000, 16, 32, seed=0)
    tiny = {"X": X, "labels": y % 10}
    for comp in select(["K1/seed", "M1/seed"]):
        r = run_one(comp, tiny, repeats=1, threads=2, log=lambda *_: None, quick=True)
        assert r["status"] == "ok" and r["check_ok"], f"{r['id']}: {r['check']}"
        # Times measured inside the child, around the call only.
        assert 0 < r["peer_s"] < 60 and r["clustor_s"] > 0


def test_seed_call_timeout_is_reported(monkeypatch):
    from benchmarks import seed

    reason = seed.unavailable()
    if reason:
        pytest.skip(reason)
    monkeypatch.setattr(seed, "TIMEOUT", 0.001)
    rows = run_comparisons(["M1/seed"], repeats=1, quick=True, threads=2, log=lambda *_: None)
    assert rows[0]["status"] == "timeout"
    assert "timeout > 0.001 s" in rows[0]["check"]


# -- the quality run (ARI against reference labels) --------------------------------------------


def _write_reference_set(root, name, X, labels):
    import gzip

    import numpy as np

    root.mkdir(parents=True, exist_ok=True)
    with gzip.open(root / f"{name}.data.gz", "wt") as f:
        np.savetxt(f, X)
    with gzip.open(root / f"{name}.labels0.gz", "wt") as f:
        np.savetxt(f, labels, fmt="%d")


def test_quality_run_on_a_tiny_reference_set(tmp_path):
    import numpy as np
    from benchmarks import quality

    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    y = np.repeat([1, 2, 3], 60)
    X = centers[y - 1] + rng.standard_normal((180, 2))
    y[:3] = 0  # reference noise: left out of the ARI
    _write_reference_set(tmp_path / "toy", "blobs", X, y)
    results = quality.run(["kmeans", "dbscan", "affinity"], data_dir=tmp_path, log=None)
    by_algo = {r["algorithm"]: r for r in results}
    km = by_algo["kmeans"]["rows"][0]
    assert (km["dataset"], km["n"], km["d"], km["k"]) == ("toy/blobs", 180, 2, 3)
    assert km["ari_clustor"] == pytest.approx(1.0) and km["ari_sklearn"] == pytest.approx(1.0)
    assert by_algo["kmeans"]["worse"] == []
    db = by_algo["dbscan"]["rows"][0]
    assert db["params"]["min_samples"] == 4
    assert abs(db["diff"]) <= quality.NOISE
    text = quality.render(by_algo["kmeans"])
    assert "| toy/blobs | 180 | 2 | 3 |" in text and "mean ARI clustor 1.000" in text
    # A data set above an algorithm's limit is skipped, and the table says so.
    monkey = quality.Algorithm("affinity", "AffinityPropagation", lambda ds: {}, max_n=100)
    res = quality.evaluate(monkey, quality.load_datasets(tmp_path))
    assert res["rows"] == [] and "n=180 > 100" in res["skipped"][0]


def test_quality_skips_without_the_data_directory(tmp_path, capsys):
    from benchmarks import quality

    assert quality.main(["--data-dir", str(tmp_path / "missing"), "--only", "kmeans"]) == 0
    assert "skipped: no clustering-benchmarks data" in capsys.readouterr().out
