"""AffinityPropagation: hand-worked cases, agreement with scikit-learn, variants, bad input."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

import clustor
from clustor import AffinityPropagation, ConvergenceWarning, affinity_propagation
from clustor.cluster import _affinity

sk_cluster = pytest.importorskip("sklearn.cluster")


def _fit_both(X, **params):
    """Fit clustor and scikit-learn, recording the warnings each raised."""
    with warnings.catch_warnings(record=True) as w_sk:
        warnings.simplefilter("always")
        sk = sk_cluster.AffinityPropagation(**params).fit(X)
    with warnings.catch_warnings(record=True) as w_cl:
        warnings.simplefilter("always")
        cl = AffinityPropagation(**params).fit(X)
    return cl, sk, [str(w.message) for w in w_cl], [str(w.message) for w in w_sk]


def test_hand_worked_two_groups():
    # Two groups on a line, preference −10: within a group the similarities are −1 and −4,
    # across groups about −400, so each group's middle point is its exemplar.
    X = np.array([[0.0], [1.0], [2.0], [20.0], [21.0], [22.0]])
    ap = AffinityPropagation(preference=-10.0, random_state=0).fit(X)
    assert ap.cluster_centers_indices_.tolist() == [1, 4]
    assert ap.labels_.tolist() == [0, 0, 0, 1, 1, 1]
    assert ap.cluster_centers_.tolist() == [[1.0], [21.0]]
    assert ap.converged_
    assert ap.labels_.dtype == np.int64
    # Similarities: −squared distances, preference on the diagonal (plus ~1e-16 noise).
    assert ap.affinity_matrix_[0, 2] == pytest.approx(-4.0, rel=1e-12)
    assert ap.affinity_matrix_[3, 3] == pytest.approx(-10.0, rel=1e-12)
    assert ap.predict([[-5.0], [30.0]]).tolist() == [0, 1]


@pytest.mark.parametrize("damping", [0.5, 0.7, 0.9])
@pytest.mark.parametrize("preference", [None, -50.0, -5.0, "per-sample"])
def test_identical_to_sklearn(damping, preference):
    rng = np.random.RandomState(int(damping * 10))
    X = rng.randn(120, 3) * 3
    if preference == "per-sample":
        preference = -rng.uniform(5, 60, size=len(X))
    cl, sk, w_cl, w_sk = _fit_both(X, damping=damping, preference=preference, random_state=0)
    np.testing.assert_array_equal(cl.labels_, sk.labels_)
    np.testing.assert_array_equal(cl.cluster_centers_indices_, sk.cluster_centers_indices_)
    np.testing.assert_array_equal(cl.cluster_centers_, sk.cluster_centers_)
    assert cl.n_iter_ == sk.n_iter_
    # Similarities, preferences and noise are prepared bit for bit as scikit-learn does.
    np.testing.assert_array_equal(cl.affinity_matrix_, sk.affinity_matrix_)
    assert w_cl == w_sk
    Y = rng.randn(30, 3) * 3
    np.testing.assert_array_equal(cl.predict(Y), sk.predict(Y))


@pytest.mark.parametrize("max_iter", [3, 20])
def test_non_convergence_as_sklearn(max_iter):
    X = np.random.RandomState(1).randn(150, 4)
    cl, sk, w_cl, w_sk = _fit_both(X, max_iter=max_iter, random_state=3)
    assert not cl.converged_ and cl["converged"] is False
    assert cl.n_iter_ == sk.n_iter_ == max_iter
    np.testing.assert_array_equal(cl.labels_, sk.labels_)
    np.testing.assert_array_equal(cl.cluster_centers_indices_, sk.cluster_centers_indices_)
    assert w_cl == w_sk
    assert any("did not converge" in m for m in w_cl)


def test_no_exemplar_as_sklearn():
    # One iteration with a hopeless preference: no exemplar, every label −1.
    X = np.random.RandomState(2).randn(40, 2)
    cl, sk, w_cl, w_sk = _fit_both(
        X, max_iter=1, convergence_iter=1, preference=-1e6, random_state=0
    )
    np.testing.assert_array_equal(cl.labels_, sk.labels_)
    assert cl.labels_.tolist() == [-1] * 40
    assert cl.cluster_centers_indices_.shape == (0,)
    assert cl.cluster_centers_.shape == (0, 2)
    assert w_cl == w_sk
    with pytest.warns(ConvergenceWarning, match="Labeling every sample as '-1'"):
        assert cl.predict(X[:3]).tolist() == [-1, -1, -1]


@pytest.mark.parametrize("preference", [-1.0, 1.0])
def test_equal_similarities_as_sklearn(preference):
    X = np.zeros((5, 2))
    cl, sk, w_cl, w_sk = _fit_both(X, preference=preference, random_state=0)
    np.testing.assert_array_equal(cl.labels_, sk.labels_)
    np.testing.assert_array_equal(cl.cluster_centers_indices_, sk.cluster_centers_indices_)
    assert cl.n_iter_ == sk.n_iter_ == 0
    assert w_cl == w_sk


def test_precomputed_matches_sklearn_and_leaves_input_alone():
    rng = np.random.RandomState(4)
    X = rng.randn(80, 2)
    S = -((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    before = S.copy()
    cl, sk, _, _ = _fit_both(S, affinity="precomputed", random_state=0)
    np.testing.assert_array_equal(S, before)
    np.testing.assert_array_equal(cl.labels_, sk.labels_)
    assert not hasattr(cl, "cluster_centers_")
    with pytest.raises(ValueError, match="not supported when affinity='precomputed'"):
        cl.predict(S)
    with pytest.raises(ValueError, match="must be a square array"):
        AffinityPropagation(affinity="precomputed").fit(S[:, :10])


def test_float32_and_threads_agree():
    rng = np.random.RandomState(5)
    X = np.vstack([rng.randn(60, 3) + c for c in (0, 8, 16)])
    ref = AffinityPropagation(random_state=0, damping=0.7).fit(X)
    f32 = AffinityPropagation(random_state=0, damping=0.7).fit(X.astype(np.float32))
    assert f32.affinity_matrix_.dtype == np.float32
    assert f32.cluster_centers_.dtype == np.float32
    np.testing.assert_array_equal(f32.labels_, ref.labels_)
    runs = []
    for t in (1, 2):
        with clustor.num_threads(t):
            runs.append(AffinityPropagation(random_state=0, damping=0.7).fit(X))
    np.testing.assert_array_equal(runs[0].labels_, runs[1].labels_)
    assert runs[0].n_iter_ == runs[1].n_iter_


def test_cosine_and_seed_api():
    rng = np.random.RandomState(6)
    # Three directions (±0.2 rad), lengths 1 to 10: cosine sees three groups.
    angles = np.repeat([0.0, 2.1, 4.2], 20) + rng.uniform(-0.2, 0.2, 60)
    X = np.c_[np.cos(angles), np.sin(angles)] * rng.uniform(1, 10, (60, 1))
    res = affinity_propagation(X, metric="Cosine", random_state=0, preference=-0.5, damping=0.9)
    assert set(res) == {"exemplars", "labels", "converged", "n_iter"}
    assert len(np.unique(res["labels"])) == 3
    # Same groups as the direction each row was drawn from.
    truth = np.repeat([0, 1, 2], 20)
    assert clustor.adjusted_rand_score(truth, res["labels"]) == 1.0
    # Cosine similarities: −(1 − cos), preference on the diagonal.
    ap = AffinityPropagation(metric="cosine", random_state=0, preference=-0.5, damping=0.9)
    ap.fit(X)
    cos = X[0] @ X[25] / np.linalg.norm(X[0]) / np.linalg.norm(X[25])
    assert ap.affinity_matrix_[0, 25] == pytest.approx(-(1 - cos), abs=1e-12)
    np.testing.assert_array_equal(ap.predict(X * 3), ap.labels_)
    # normalize_input: euclidean on unit rows gives the same grouping.
    ni = AffinityPropagation(normalize_input=True, random_state=0, preference=-1.0, damping=0.9)
    ni.fit(X)
    assert clustor.adjusted_rand_score(truth, ni.labels_) == 1.0
    assert ap["exemplars"] is ap.cluster_centers_indices_


def test_memory_refused_up_front():
    X = np.zeros((10**6, 1))
    with pytest.raises(MemoryError, match=r"1000000×1000000 float64 matrices .* Birch or KMeans"):
        AffinityPropagation().fit(X)


def test_memory_check_message(monkeypatch):
    monkeypatch.setattr(_affinity, "_available_memory", lambda: 10 * 2**20)
    with pytest.raises(MemoryError, match=r"at most about 660 samples"):
        _affinity._check_matrices_fit(1000, np.float64)
    _affinity._check_matrices_fit(600, np.float64)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"damping": 1.0}, "damping"),
        ({"damping": 0.3}, "damping"),
        ({"max_iter": 0}, "max_iter"),
        ({"convergence_iter": 0}, "convergence_iter"),
        ({"affinity": "manhattan"}, "affinity"),
        ({"metric": "chebyshev"}, "metric"),
        ({"preference": "high"}, "preference"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        AffinityPropagation(**params).fit(np.random.default_rng(0).random((10, 2)))


def test_bad_input():
    with pytest.raises(ValueError, match="NaN"):
        AffinityPropagation().fit([[0.0, 1.0], [np.nan, 2.0]])
    with pytest.raises(ValueError, match="0 sample"):
        AffinityPropagation().fit(np.empty((0, 2)))
    with pytest.raises(ValueError, match="preference must be a number or an array"):
        AffinityPropagation(preference=[1.0, 2.0]).fit(np.random.default_rng(0).random((5, 2)))
    with pytest.raises(ValueError, match="NaN or infinity"):
        AffinityPropagation(preference=[np.nan] * 5).fit(np.random.default_rng(0).random((5, 2)))
    ap = AffinityPropagation(random_state=0).fit(np.random.RandomState(0).rand(20, 2))
    with pytest.raises(ValueError, match="3 features"):
        ap.predict(np.zeros((2, 3)))


def test_single_sample_and_pickle():
    with pytest.warns(UserWarning, match="equal similarities"):
        ap = AffinityPropagation().fit([[1.0, 2.0]])
    assert ap.labels_.tolist() == [0] and ap.cluster_centers_indices_.tolist() == [0]
    X = np.random.RandomState(7).randn(50, 2)
    ap = AffinityPropagation(random_state=0).fit(X)
    again = pickle.loads(pickle.dumps(ap))
    np.testing.assert_array_equal(again.predict(X), ap.labels_)
