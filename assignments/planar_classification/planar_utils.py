"""Data sets and plotting helpers for the planar-classification assignment.

The data sets are stored as HDF5 files in ``datasets/`` next to this file. Each file
records how it was made (generator, parameters, seed, format version), so it can be
rebuilt exactly: run ``python planar_utils.py`` in this folder.

Conventions: ``X`` has shape (2, m), one column per example; ``Y`` has shape (1, m)
with labels 0 or 1 (uint8).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np


FORMAT_VERSION = 1
DATA_DIR = Path(__file__).resolve().parent / "datasets"
REBUILD_HINT = "rebuild it by running `python planar_utils.py` in the assignment folder"


class DatasetError(RuntimeError):
    """A data file is missing, unreadable or not what the assignment expects."""


# --- generators (numpy only) -------------------------------------------------------


def make_flower(m: int = 400, max_ray: float = 4.0, frequency: int = 4, noise: float = 0.2, seed: int = 1):
    """The DLS "flower": two classes of m/2 points along r = max_ray * sin(frequency * t).

    Returns X (2, m) float64 and Y (1, m) uint8; identical to the DLS recipe with seed 1.
    """
    rng = np.random.RandomState(seed)  # same stream as np.random.seed(seed) + np.random.randn
    n = m // 2
    X = np.zeros((m, 2))
    Y = np.zeros((m, 1), dtype="uint8")
    for j in range(2):
        ix = range(n * j, n * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, n) + rng.randn(n) * noise
        r = max_ray * np.sin(frequency * t) + rng.randn(n) * noise
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T


def _finish(X: np.ndarray, labels: np.ndarray, noise: float, rng: np.random.Generator):
    """Shuffle examples, add Gaussian noise, return X (2, m) and Y (1, m) uint8."""
    order = rng.permutation(X.shape[0])
    X, labels = X[order], labels[order]
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X.T.copy(), labels.reshape(1, -1).astype("uint8")


def make_noisy_circles(m: int = 200, factor: float = 0.5, noise: float = 0.3, seed: int = 3):
    """Two concentric circles (inner radius `factor`), label 1 for the inner one."""
    rng = np.random.default_rng(seed)
    n_out = m // 2
    n_in = m - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack([np.c_[np.cos(t_out), np.sin(t_out)], factor * np.c_[np.cos(t_in), np.sin(t_in)]])
    labels = np.r_[np.zeros(n_out), np.ones(n_in)]
    return _finish(X, labels, noise, rng)


def make_noisy_moons(m: int = 200, noise: float = 0.2, seed: int = 4):
    """Two interleaving half circles, label 1 for the lower one."""
    rng = np.random.default_rng(seed)
    n_out = m // 2
    n_in = m - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    X = np.vstack([np.c_[np.cos(t_out), np.sin(t_out)], np.c_[1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5]])
    labels = np.r_[np.zeros(n_out), np.ones(n_in)]
    return _finish(X, labels, noise, rng)


def make_blobs_binary(m: int = 200, centers: int = 6, spread: float = 1.0, box: float = 10.0, seed: int = 1):
    """Gaussian blobs around `centers` random centres in [-box, box]^2; label = centre index % 2."""
    rng = np.random.default_rng(seed)
    where = rng.uniform(-box, box, size=(centers, 2))
    index = np.arange(m) % centers
    X = where[index] + rng.normal(scale=spread, size=(m, 2))
    return _finish(X, index % 2, 0.0, rng)


def make_gaussian_quantiles(m: int = 200, cov: float = 0.5, seed: int = 6):
    """One isotropic Gaussian cut by the median radius: label 1 outside, 0 inside."""
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=np.sqrt(cov), size=(m, 2))
    radius = np.sum(X**2, axis=1)
    labels = (radius > np.median(radius)).astype(float)
    return _finish(X, labels, 0.0, rng)


#: name -> (generator, keyword arguments). The stored files record exactly these.
DATASETS: dict[str, tuple[Callable, dict]] = {
    "flower": (make_flower, {"m": 400, "max_ray": 4.0, "frequency": 4, "noise": 0.2, "seed": 1}),
    "noisy_circles": (make_noisy_circles, {"m": 200, "factor": 0.5, "noise": 0.3, "seed": 3}),
    "noisy_moons": (make_noisy_moons, {"m": 200, "noise": 0.2, "seed": 4}),
    "blobs": (make_blobs_binary, {"m": 200, "centers": 6, "spread": 1.0, "box": 10.0, "seed": 1}),
    "gaussian_quantiles": (make_gaussian_quantiles, {"m": 200, "cov": 0.5, "seed": 6}),
}
EXTRA_DATASETS = ("noisy_circles", "noisy_moons", "blobs", "gaussian_quantiles")


def generate(name: str):
    """Make data set `name` from its recorded recipe: X (2, m), Y (1, m)."""
    generator, params = DATASETS[name]
    return generator(**params)


# --- HDF5 storage --------------------------------------------------------------------


def dataset_path(name: str, directory: Path | None = None) -> Path:
    return Path(directory or DATA_DIR) / f"{name}.h5"


def write_dataset(name: str, directory: Path | None = None) -> Path:
    """Generate data set `name` and store it, with its recipe as attributes."""
    import h5py

    generator, params = DATASETS[name]
    X, Y = generator(**params)
    path = dataset_path(name, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as f:
        f.create_dataset("X", data=X)
        f.create_dataset("Y", data=Y)
        f.attrs["name"] = name
        f.attrs["generator"] = generator.__name__
        f.attrs["parameters"] = json.dumps(params, sort_keys=True)
        f.attrs["seed"] = params["seed"]
        f.attrs["format_version"] = FORMAT_VERSION
        f.attrs["description"] = (generator.__doc__ or "").strip().splitlines()[0]
    return path


def read_dataset(name: str, directory: Path | None = None):
    """Read data set `name`: X (2, m) float64, Y (1, m) uint8, and its attributes as a dict.

    Raises DatasetError with a one-line message naming the file and how to rebuild it.
    """
    import h5py

    path = dataset_path(name, directory)
    if not path.is_file():
        raise DatasetError(f"data file {path} is missing; {REBUILD_HINT}.")
    try:
        with h5py.File(path, "r") as f:
            X = np.asarray(f["X"][...], dtype=float)
            Y = np.asarray(f["Y"][...])
            attrs = {key: (value.item() if hasattr(value, "item") else value) for key, value in f.attrs.items()}
    except (OSError, KeyError) as exc:
        raise DatasetError(f"data file {path} is unreadable ({exc}); {REBUILD_HINT}.") from None
    if attrs.get("format_version") != FORMAT_VERSION:
        raise DatasetError(
            f"data file {path} has format version {attrs.get('format_version')!r}, "
            f"expected {FORMAT_VERSION}; {REBUILD_HINT}."
        )
    m = json.loads(attrs["parameters"])["m"]
    if X.shape != (2, m) or Y.shape != (1, m) or not np.isin(Y, (0, 1)).all() or not np.isfinite(X).all():
        raise DatasetError(
            f"data file {path} holds X {X.shape} and Y {Y.shape}, expected (2, {m}) and (1, {m}) "
            f"with labels 0/1; {REBUILD_HINT}."
        )
    return X, Y.astype("uint8"), attrs


def load_planar_dataset():
    """The flower data set: X (2, 400), Y (1, 400)."""
    X, Y, _ = read_dataset("flower")
    return X, Y


def load_extra_datasets() -> dict:
    """The extra planar data sets: name -> (X (2, 200), Y (1, 200)), labels 0/1."""
    return {name: read_dataset(name)[:2] for name in EXTRA_DATASETS}


def rebuild_datasets(directory: Path | None = None) -> list[Path]:
    """Write every data set file from its recipe; returns the paths written."""
    return [write_dataset(name, directory) for name in DATASETS]


# --- the best straight line ------------------------------------------------------------


def best_linear_classifier(X, Y, directions: int = 3600):
    """The straight line that classifies the most points of 2-D data correctly, by exhaustive scan.

    X: (2, m), Y: (1, m) labels 0/1. For each of `directions` unit normals w over a half-turn, the
    points are sorted by w . x and every threshold between two neighbours is tried, with either side
    predicted 1. Returns (w (1, 2), b (1, 1), accuracy): predict 1 where w @ X + b > 0. With 3600
    directions the best line is found to within a point or two of the true optimum.
    """
    X = np.asarray(X, dtype=float)
    labels = np.ravel(np.asarray(Y)).astype(bool)
    m, positives = labels.size, int(labels.sum())
    best = (-1, None, None)
    for angle in np.linspace(0.0, np.pi, directions, endpoint=False):
        normal = np.array([np.cos(angle), np.sin(angle)])
        projection = normal @ X
        order = np.argsort(projection, kind="stable")
        ordered, values = labels[order], projection[order]
        # threshold after k sorted points (k = 0..m), predicting 1 above it: positives above + negatives below
        correct = positives - np.concatenate([[0], np.cumsum(ordered)]) + np.concatenate([[0], np.cumsum(~ordered)])
        cuts = np.concatenate([[values[0] - 1], (values[:-1] + values[1:]) / 2, [values[-1] + 1]])
        for k, sign in ((int(np.argmax(correct)), 1.0), (int(np.argmin(correct)), -1.0)):
            score = correct[k] if sign > 0 else m - correct[k]
            if score > best[0]:
                best = (score, sign * normal, -sign * cuts[k])
    w, b = best[1].reshape(1, 2), np.array([[best[2]]])
    accuracy = float(np.mean(((w @ X + b) > 0).ravel() == labels))
    return w, b, accuracy


# --- plotting ------------------------------------------------------------------------

CLASS_COLORS = ("#d62728", "#1f5fb4")     # label 0 red, label 1 blue
REGION_COLORS = ("#f6c4c4", "#c4d6f0")    # the same hues, light: where the model predicts 0 / 1


LEGEND_BELOW = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.13), "ncol": 2, "fontsize": 10, "frameon": False}


def plot_points(X, Y, ax=None, legend: bool = True):
    """Scatter the points X (2, m) coloured by their labels Y (1, m): 0 red, 1 blue, with labelled axes.

    `legend` adds a key below the plot, off the data. Returns the Axes.
    """
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    labels = np.ravel(Y).astype(int)
    for label in (0, 1):
        ax.scatter(X[0, labels == label], X[1, labels == label], s=12, color=CLASS_COLORS[label],
                   edgecolors="k", linewidths=0.3, label=f"label {label} ({'red' if label == 0 else 'blue'})")
    ax.set_xlabel("$x_1$ (first coordinate)")
    ax.set_ylabel("$x_2$ (second coordinate)")
    if legend:
        ax.legend(**LEGEND_BELOW)
    return ax


def boundary_legend_handles(ax):
    """The key of a decision-boundary plot: the two labels' points and the two predicted regions."""
    from matplotlib.patches import Patch

    handles, _ = ax.get_legend_handles_labels()
    regions = [Patch(facecolor=REGION_COLORS[0], label="predicted 0 (red)"),
               Patch(facecolor=REGION_COLORS[1], label="predicted 1 (blue)")]
    return handles[-2:] + regions


def plot_decision_boundary(model: Callable, X, Y, ax=None, title: str | None = None, resolution: int = 300,
                           legend: bool = True):
    """Shade the plane by `model`'s prediction in the classes' colours and scatter X, Y on top.

    `model` maps a (k, 2) array of points to k labels 0/1. Light red is where it predicts 0, light
    blue where it predicts 1; `legend` adds a key below the plot, off the data (for a grid of plots, leave it out
    and give the figure one key with `boundary_legend_handles`). Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    x_min, x_max = X[0].min() - 1, X[0].max() + 1
    y_min, y_max = X[1].min() - 1, X[1].max() + 1
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution))
    Z = np.asarray(model(np.c_[xx.ravel(), yy.ravel()]), dtype=float).reshape(xx.shape)
    ax.contourf(xx, yy, Z, levels=[-0.5, 0.5, 1.5], colors=REGION_COLORS)
    plot_points(X, Y, ax, legend=False)
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    if legend:
        ax.legend(handles=boundary_legend_handles(ax), **LEGEND_BELOW)
    if title:
        ax.set_title(title)
    return ax


def plot_unit_lines(W1, b1, ax, **style):
    """Draw each hidden unit's line W1[i] . x + b1[i] = 0 across the current limits of `ax`."""
    x_lo, x_hi = ax.get_xlim()
    y_lo, y_hi = ax.get_ylim()
    style = {"color": "k", "linestyle": "--", "linewidth": 1.0, **style}
    for (w1, w2), b in zip(np.asarray(W1), np.ravel(b1)):
        if abs(w2) > abs(w1):
            xs = np.array([x_lo, x_hi])
            ys = -(w1 * xs + b) / w2
        else:
            ys = np.array([y_lo, y_hi])
            xs = -(w2 * ys + b) / w1 if w1 else np.array([np.nan, np.nan])
        ax.plot(xs, ys, **style)
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    return ax


if __name__ == "__main__":
    for written in rebuild_datasets(Path(sys.argv[1]) if len(sys.argv) > 1 else None):
        print(f"wrote {written}")
