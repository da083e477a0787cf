"""The clustor command (demo, fit, --version), the registry, and clustor.plotting."""

import re
import subprocess
import sys

import numpy as np
import pytest

import clustor
from clustor import _registry
from clustor.cli import main, read_data
from clustor.datasets import load_iris

IRIS_X, IRIS_Y = load_iris()


def run(*args, cwd=None):
    """The command as a user runs it: a separate process, output and exit status."""
    return subprocess.run(
        [sys.executable, "-m", "clustor", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def write_csv(path, X, header=None, delimiter=","):
    lines = [] if header is None else [delimiter.join(header)]
    lines += [delimiter.join(repr(float(v)) for v in row) for row in X]
    path.write_text("\n".join(lines) + "\n")
    return path


# --- --version and usage -------------------------------------------------------------------


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"clustor {clustor.__version__}"
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"clustor {clustor.__version__}"


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "demo" in capsys.readouterr().out


# --- demo ---------------------------------------------------------------------------------


def test_demo_table(tmp_path):
    result = run("demo", "--no-plot", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"dataset\s+algorithm\s+parameters\s+seconds\s+ARI\s+silhouette", out)
    row = next(line for line in out.splitlines() if line.startswith("iris") and "kmeans" in line)
    ari, silhouette = (float(v) for v in row.split()[-2:])
    assert ari > 0.7
    assert 0.5 < silhouette < 0.6
    assert any(line.startswith("varying_density") for line in out.splitlines())
    assert not list(tmp_path.iterdir())  # --no-plot writes nothing


def test_demo_writes_png(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    png = tmp_path / "demo.png"
    assert main(["demo", "--output-png", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert str(png.resolve()) in capsys.readouterr().out


def test_demo_default_png_in_working_directory(tmp_path):
    pytest.importorskip("matplotlib")
    result = run("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "clustor-demo.png").is_file()


# --- fit ----------------------------------------------------------------------------------


def test_fit_csv_with_header(tmp_path):
    data = write_csv(tmp_path / "iris.csv", IRIS_X, header=["a", "b", "c", "d"])
    out = tmp_path / "labels.csv"
    result = run(
        "fit", data, "--algorithm", "kmeans", "--n-clusters", 3, "--random-state", 0,
        "--output", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = result.stdout
    assert "150 samples, 4 features (header row skipped)" in summary
    assert re.search(r"clusters\s+3 \(sizes \d+, \d+, \d+\)", summary)
    assert re.search(r"inertia\s+\d", summary)
    assert re.search(r"silhouette\s+0\.\d{4}", summary)
    lines = out.read_text().splitlines()
    assert lines[0] == "label"
    labels = np.array(lines[1:], dtype=np.int64)
    expected = clustor.KMeans(3, random_state=0).fit(IRIS_X).labels_
    np.testing.assert_array_equal(labels, expected)


def test_fit_tsv_without_header(tmp_path, capsys):
    data = write_csv(tmp_path / "x.tsv", IRIS_X, delimiter="\t")
    out = tmp_path / "labels.csv"
    assert main(["fit", str(data), "--n-clusters", "2", "--output", str(out)]) == 0
    assert "150 samples, 4 features (no header)" in capsys.readouterr().out
    assert len(out.read_text().splitlines()) == 151


def test_fit_explicit_delimiter_and_quoted_header(tmp_path, capsys):
    path = tmp_path / "data.txt"
    path.write_text('"x";"y"\n0;0\n0;1\n10;10\n10;11\n')
    assert main(["fit", str(path), "--delimiter", "semicolon", "--n-clusters", "2"]) == 0
    out = capsys.readouterr().out
    assert "4 samples, 2 features (header row skipped)" in out
    assert "sizes 2, 2" in out


def test_fit_npy(tmp_path, capsys):
    path = tmp_path / "x.npy"
    np.save(path, IRIS_X.astype(np.float32))
    args = ["fit", str(path), "--n-clusters", "3", "--random-state", "1"]
    assert main([*args, "--kmeans-algorithm", "elkan", "--n-threads", "1"]) == 0
    out = capsys.readouterr().out
    assert "150 samples, 4 features (.npy array)" in out
    assert "algorithm=elkan" in out


def test_read_data_header_detection(tmp_path):
    X, how = read_data(str(write_csv(tmp_path / "a.csv", [[1, 2], [3, 4]])))
    assert how == "no header" and X.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    X, how = read_data(str(write_csv(tmp_path / "b.csv", [[1, 2]], header=["p", "q"])))
    assert how == "header row skipped" and X.shape == (1, 2)
    # Comments and blank lines are skipped; a one-column file splits on whitespace.
    (tmp_path / "c.txt").write_text("# values\n1.5\n\n2.5\n")
    X, _ = read_data(str(tmp_path / "c.txt"))
    assert X.tolist() == [[1.5], [2.5]]


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, [], "no such file"),
        ("a,b\n1,2\n3,x\n", [], r"cannot parse .*: line 3, column 2: 'x' is not a number"),
        ("1,2\n3\n", [], r"cannot parse .*: line 2 has 1 field\(s\), expected 2"),
        ("1,2\n3,nan\n4,5\n", [], r"NaN or infinite values in 1 row\(s\) \(first: line 2\)"),
        ("", [], "contains no data"),
        ("a,b\n", [], "header row but no data rows"),
        (
            "1,2\n3,4\n5,6\n",
            ["--algorithm", "nope"],
            "unknown algorithm 'nope'; choose from: .*kmeans",
        ),
        ("1,2\n3,4\n5,6\n", ["--n-clusters", "x"], "--n-clusters: expected an integer, got 'x'"),
        ("1,2\n3,4\n5,6\n", ["--n-clusters", "0"], "kmeans: The 'n_clusters' parameter of KMeans"),
        ("1,2\n3,4\n5,6\n", ["--n-clusters", "9"], "n_samples=3 should be >= n_clusters=9"),
        ("1,2\n3,4\n5,6\n", ["--kmeans-algorithm", "x"], "expected one of lloyd, elkan"),
        (
            "1,2\n3,4\n5,6\n",
            ["--n-clusters", "2", "--output", "/nonexistent/l.csv"],
            "cannot write",
        ),
    ],
)
def test_fit_errors_are_one_line(tmp_path, capsys, content, args, message):
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_text(content)
    assert main(["fit", str(path), *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith("clustor fit: error: ")
    assert re.search(message, err), err


def test_fit_rejects_non_data_files(tmp_path, capsys):
    (tmp_path / "junk.npy").write_bytes(b"not numpy")
    (tmp_path / "blob.csv").write_bytes(bytes(range(256)))
    np.save(tmp_path / "cube.npy", np.zeros((2, 2, 2)))
    np.save(tmp_path / "inf.npy", np.array([[1.0, np.inf], [0.0, 0.0]]))
    expected = {
        "junk.npy": "not a .npy file",
        "blob.csv": "not a text file",
        "cube.npy": "expected a 2-D array",
        "inf.npy": r"NaN or infinite values .*first: row 0",
    }
    for name, message in expected.items():
        assert main(["fit", str(tmp_path / name)]) == 2
        assert re.search(message, capsys.readouterr().err), name
    assert main(["fit", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_fit_error_through_subprocess(tmp_path):
    result = run("fit", tmp_path / "missing.csv")
    assert result.returncode == 2
    assert result.stderr.strip() == f"clustor fit: error: no such file: {tmp_path / 'missing.csv'}"


def test_fit_usage_error_exit_status(capsys):
    assert main(["fit"]) == 2  # FILE missing: argparse's usage message
    assert "usage:" in capsys.readouterr().err


# --- registry -----------------------------------------------------------------------------


def test_registry_entries_are_complete():
    for name, algo in _registry.ALGORITHMS.items():
        assert name == algo.name
        est = algo.make()
        assert hasattr(est, "fit")
        accepted = est.get_params()
        assert all(p.name in accepted for p in algo.params)
        for dataset, params in algo.demo.items():
            assert dataset in _registry.DATASETS
            assert set(params) <= set(accepted)
    options = _registry.cli_params()
    assert "--algorithm" not in options  # taken by the CLI itself
    assert options["--kmeans-algorithm"][0][1].name == "algorithm"


@pytest.mark.parametrize(
    ("algorithm", "extra", "estimator"),
    [
        ("minibatch_kmeans", ["--batch-size", "32", "--max-steps", "50"], "MiniBatchKMeans"),
        ("bisecting_kmeans", ["--bisecting-strategy", "largest_cluster"], "BisectingKMeans"),
    ],
)
def test_fit_minibatch_and_bisecting(tmp_path, capsys, algorithm, extra, estimator):
    data = write_csv(tmp_path / "iris.csv", IRIS_X)
    out = tmp_path / "labels.csv"
    args = ["fit", str(data), "--algorithm", algorithm, "--n-clusters", "3", "--random-state", "0"]
    assert main([*args, *extra, "--output", str(out)]) == 0
    summary = capsys.readouterr().out
    assert re.search(r"clusters\s+3 \(sizes \d+, \d+, \d+\)", summary)
    labels = np.array(out.read_text().splitlines()[1:], dtype=np.int64)
    params = _registry.get_algorithm(algorithm).make(n_clusters=3, random_state=0).get_params()
    assert type(_registry.get_algorithm(algorithm).make()).__name__ == estimator
    assert len(labels) == 150 and set(labels.tolist()) == {0, 1, 2}
    assert params["n_clusters"] == 3
    # An option of the other algorithm is refused.
    other = ["--batch-size", "3"]
    if algorithm == "minibatch_kmeans":
        other = ["--bisecting-strategy", "largest_cluster"]
    assert main([*args, *other]) == 2
    assert "does not apply to" in capsys.readouterr().err


def test_registry_lookup():
    assert _registry.get_algorithm("KMeans").name == "kmeans"
    with pytest.raises(ValueError, match=r"choose from: .*kmeans"):
        _registry.get_algorithm("nope")
    param = _registry.get_algorithm("kmeans").param("--n-init")
    assert param.parse("auto") == "auto" and param.parse("4") == 4
    assert _registry.get_algorithm("kmeans").param("--random-state").parse("none") is None
    assert _registry.get_algorithm("DBSCAN").param("--eps").parse("0.3") == 0.3
    assert _registry.get_algorithm("dbscan").param("--n-threads").name == "n_jobs"


# --- plotting -----------------------------------------------------------------------------


def test_plot_clusters_on_given_axes():
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    from clustor.plotting import plot_clusters

    ax = Figure().subplots()
    labels = np.where(IRIS_Y == 2, -1, IRIS_Y)
    assert plot_clusters(IRIS_X, labels, ax=ax, title="iris") is ax
    assert ax.get_title() == "iris"
    drawn = [c.get_label() for c in ax.collections]
    assert drawn == ["noise", "0", "1"]
    plot_clusters(IRIS_X[:, :2], ["a"] * 75 + ["b"] * 75, ax=Figure().subplots())
    with pytest.raises(ValueError, match="samples"):
        plot_clusters(IRIS_X, IRIS_Y[:10], ax=Figure().subplots())


def test_plot_clusters_with_pyplot(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from clustor.plotting import plot_clusters

    ax = plot_clusters(IRIS_X, IRIS_Y)
    ax.figure.savefig(tmp_path / "p.png")
    plt.close(ax.figure)
    assert (tmp_path / "p.png").stat().st_size > 1000


def test_project_2d():
    from clustor.plotting import project_2d

    P = project_2d(IRIS_X)
    assert P.shape == (150, 2)
    # The first component carries the most variance, as PCA orders them.
    assert P[:, 0].var() > P[:, 1].var()
    np.testing.assert_array_equal(project_2d(IRIS_X[:, :2]), IRIS_X[:, :2])
    assert project_2d(IRIS_X[:, :1]).shape == (150, 2)


def test_plotting_without_matplotlib_names_the_extra(monkeypatch):
    import clustor.plotting as plotting

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"clustor\[plot\]"):
        plotting.plot_clusters(IRIS_X, IRIS_Y)


def test_demo_without_matplotlib_still_prints_table(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["demo", "--output-png", str(tmp_path / "x.png")]) == 0
    out = capsys.readouterr().out
    assert "ARI" in out and "matplotlib is not installed" in out
    assert not (tmp_path / "x.png").exists()


# --- agglomerative ------------------------------------------------------------------------


def test_fit_agglomerative(tmp_path, capsys):
    data = write_csv(tmp_path / "iris.csv", IRIS_X)
    out = tmp_path / "labels.csv"
    args = ["fit", str(data), "--algorithm", "agglomerative", "--n-clusters", "3"]
    assert main([*args, "--linkage", "average", "--output", str(out)]) == 0
    assert re.search(r"clusters\s+3 \(sizes", capsys.readouterr().out)
    labels = np.array(out.read_text().splitlines()[1:], dtype=np.int64)
    expected = clustor.AgglomerativeClustering(3, linkage="average").fit(IRIS_X).labels_
    np.testing.assert_array_equal(labels, expected)
    thr = ["--n-clusters", "none", "--distance-threshold", "3.0", "--metric", "manhattan"]
    assert main([*args[:4], *thr, "--linkage", "complete"]) == 0
    assert "clusters" in capsys.readouterr().out
    assert main([*args, "--linkage", "centroid"]) == 2
    assert "expected one of ward, complete, average, single" in capsys.readouterr().err


def test_demo_lists_agglomerative(tmp_path):
    result = run("demo", "--no-plot", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    row = next(
        line for line in result.stdout.splitlines() if line.startswith("iris") and "agglom" in line
    )
    assert float(row.split()[-2]) > 0.6  # ARI of ward with 3 clusters on iris


def test_dendrogram_layout_and_plot():
    from clustor.hierarchy import linkage
    from clustor.plotting import dendrogram

    X = np.array([[0.0], [1.0], [5.0], [6.0], [20.0]])
    Z = linkage(X, "single")
    out = dendrogram(Z, no_plot=True)
    from scipy.cluster.hierarchy import dendrogram as sd

    ref = sd(Z, no_plot=True)
    assert out["ivl"] == ref["ivl"]
    assert out["icoord"] == ref["icoord"] or sorted(out["icoord"]) == sorted(ref["icoord"])
    assert sorted(map(tuple, out["dcoord"])) == sorted(map(tuple, ref["dcoord"]))
    short = dendrogram(Z, truncate_p=2, no_plot=True)
    assert short["ivl"] == ["4", "(4)"] and len(short["icoord"]) == 1
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    res = dendrogram(Z, ax=ax, labels=list("abcde"))
    assert res["ax"] is ax and len(ax.lines) == 4
    assert [t.get_text() for t in ax.get_xticklabels()] == res["ivl"]
    with pytest.raises(ValueError, match="truncate_p"):
        dendrogram(Z, truncate_p=0, no_plot=True)


# --- OPTICS -------------------------------------------------------------------------------


def test_fit_optics(tmp_path, capsys):
    data = write_csv(tmp_path / "iris.csv", IRIS_X)
    out = tmp_path / "labels.csv"
    args = ["fit", str(data), "--algorithm", "optics", "--min-samples", "10", "--xi", "0.1"]
    assert main([*args, "--output", str(out)]) == 0
    summary = capsys.readouterr().out
    assert "150 samples, 4 features" in summary
    labels = np.array(out.read_text().splitlines()[1:], dtype=np.int64)
    expected = clustor.OPTICS(min_samples=10, xi=0.1).fit(IRIS_X).labels_
    np.testing.assert_array_equal(labels, expected)
    assert main([*args[:4], "--min-samples", "0", "--cluster-method", "dbscan"]) == 2
    assert "'min_samples' parameter of OPTICS" in capsys.readouterr().err


def test_registry_optics():
    algo = _registry.get_algorithm("OPTICS")
    assert algo.param("--min-samples").parse("0.1") == 0.1
    assert algo.param("--min-samples").parse("7") == 7
    assert algo.param("--cluster-method").parse("dbscan") == "dbscan"
    with pytest.raises(ValueError, match="integer or a fraction"):
        algo.param("--min-samples").parse("x")


# --- gaussian_mixture ----------------------------------------------------------------------


def test_fit_gaussian_mixture(tmp_path, capsys):
    data = write_csv(tmp_path / "iris.csv", IRIS_X)
    out = tmp_path / "labels.csv"
    args = ["fit", str(data), "--algorithm", "gaussian_mixture", "--n-components", "3"]
    args += ["--covariance-type", "diag", "--random-state", "0", "--output", str(out)]
    assert main(args) == 0
    summary = capsys.readouterr().out
    assert "algorithm   gaussian_mixture" in summary
    assert re.search(r"clusters\s+3 \(sizes \d+, \d+, \d+\)", summary)
    labels = np.array(out.read_text().splitlines()[1:], dtype=np.int64)
    gm = clustor.GaussianMixture(3, covariance_type="diag", random_state=0).fit(IRIS_X)
    np.testing.assert_array_equal(labels, gm.predict(IRIS_X))


def test_fit_gaussian_mixture_errors(tmp_path, capsys):
    data = write_csv(tmp_path / "x.csv", [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    args = ["fit", str(data), "--algorithm", "gaussian_mixture"]
    assert main([*args, "--covariance-type", "round"]) == 2
    assert "expected one of full, tied, diag, spherical" in capsys.readouterr().err
    assert main([*args, "--n-clusters", "2"]) == 2
    assert "--n-clusters does not apply to gaussian_mixture" in capsys.readouterr().err
    assert main([*args, "--n-components", "5"]) == 2
    assert "Expected n_samples >= n_components" in capsys.readouterr().err


def test_demo_includes_gaussian_mixture(tmp_path):
    result = run("demo", "--no-plot", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    row = next(
        line
        for line in result.stdout.splitlines()
        if line.startswith("iris") and "gaussian_mixture" in line
    )
    assert float(row.split()[-2]) > 0.85  # ARI against the species


# --- affinity propagation and birch -------------------------------------------------------


@pytest.mark.parametrize(
    "algorithm, options, estimator",
    [
        (
            "affinity_propagation",
            ["--damping", "0.9", "--preference", "-50", "--random-state", "0"],
            lambda: clustor.AffinityPropagation(damping=0.9, preference=-50.0, random_state=0),
        ),
        (
            "birch",
            ["--threshold", "0.4", "--branching-factor", "20", "--n-clusters", "3"],
            lambda: clustor.Birch(threshold=0.4, branching_factor=20, n_clusters=3),
        ),
        ("birch", ["--n-clusters", "none"], lambda: clustor.Birch(n_clusters=None)),
    ],
)
def test_fit_affinity_propagation_and_birch(tmp_path, capsys, algorithm, options, estimator):
    data = write_csv(tmp_path / "iris.csv", IRIS_X)
    out = tmp_path / "labels.csv"
    args = ["fit", str(data), "--algorithm", algorithm, *options, "--output", str(out)]
    assert main(args) == 0
    assert "150 samples, 4 features" in capsys.readouterr().out
    labels = np.array(out.read_text().splitlines()[1:], dtype=np.int64)
    np.testing.assert_array_equal(labels, estimator().fit(IRIS_X).labels_)


def test_demo_offers_affinity_propagation_and_birch(capsys):
    assert {"affinity_propagation", "birch"} <= set(_registry.ALGORITHMS)
    assert main(["demo", "--no-plot"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    for name in ("affinity_propagation", "birch"):
        found = [r for r in rows if len(r) > 2 and r[1] == name]
        assert {r[0] for r in found} == {"iris", "varying_density"}
        iris_ari = float(next(r for r in found if r[0] == "iris")[-2])
        assert iris_ari > 0.6
