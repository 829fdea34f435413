"""The HDF5 data files: reproducible from their recorded recipe, and checked when loaded."""

from __future__ import annotations

import json
import shutil

import h5py
import numpy as np
import planar_utils
import pytest
from planar_utils import DATASETS, DatasetError


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_stored_file_equals_a_fresh_generation(name):
    X, Y, attrs = planar_utils.read_dataset(name)
    X_new, Y_new = planar_utils.generate(name)
    np.testing.assert_allclose(X, X_new, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(Y, Y_new)
    generator, params = DATASETS[name]
    assert attrs["generator"] == generator.__name__
    assert json.loads(attrs["parameters"]) == params
    assert attrs["seed"] == params["seed"] and attrs["format_version"] == planar_utils.FORMAT_VERSION


def test_flower_follows_the_dls_recipe():
    X, Y = planar_utils.load_planar_dataset()
    assert X.shape == (2, 400) and Y.shape == (1, 400) and Y.dtype == np.uint8
    assert Y[0, :200].sum() == 0 and Y[0, 200:].sum() == 200
    np.testing.assert_allclose(X[:, 0], [1.20444229, 3.57611415], atol=1e-8)


def test_extra_datasets_are_binary_and_balanced():
    extra = planar_utils.load_extra_datasets()
    assert list(extra) == ["noisy_circles", "noisy_moons", "blobs", "gaussian_quantiles"]
    for X, Y in extra.values():
        assert X.shape == (2, 200) and Y.shape == (1, 200)
        assert set(np.unique(Y)) == {0, 1} and abs(Y.mean() - 0.5) < 0.1


@pytest.fixture
def data_copy(tmp_path):
    shutil.copytree(planar_utils.DATA_DIR, tmp_path, dirs_exist_ok=True)
    return tmp_path


def test_missing_file_names_the_file_and_the_fix(data_copy):
    (data_copy / "flower.h5").unlink()
    with pytest.raises(DatasetError) as raised:
        planar_utils.read_dataset("flower", data_copy)
    message = str(raised.value)
    assert str(data_copy / "flower.h5") in message and "is missing" in message and "python planar_utils.py" in message


def test_corrupt_file_names_the_file_and_the_fix(data_copy):
    (data_copy / "noisy_moons.h5").write_bytes(b"this is not HDF5")
    with pytest.raises(DatasetError, match=r"noisy_moons\.h5 is unreadable .*python planar_utils\.py"):
        planar_utils.read_dataset("noisy_moons", data_copy)


def test_wrong_shape_is_reported(data_copy):
    with h5py.File(data_copy / "blobs.h5", "r+") as f:
        del f["X"]
        f.create_dataset("X", data=np.zeros((3, 200)))
    with pytest.raises(DatasetError, match=r"holds X \(3, 200\) .* expected \(2, 200\)"):
        planar_utils.read_dataset("blobs", data_copy)


def test_old_format_version_is_reported(data_copy):
    with h5py.File(data_copy / "flower.h5", "r+") as f:
        f.attrs["format_version"] = 0
    with pytest.raises(DatasetError, match="format version 0, expected 1"):
        planar_utils.read_dataset("flower", data_copy)


def test_rebuild_writes_every_file_identically(tmp_path):
    written = planar_utils.rebuild_datasets(tmp_path)
    assert sorted(p.name for p in written) == sorted(f"{name}.h5" for name in DATASETS)
    for name in DATASETS:
        fresh = planar_utils.read_dataset(name, tmp_path)
        stored = planar_utils.read_dataset(name)
        np.testing.assert_array_equal(fresh[0], stored[0])
        np.testing.assert_array_equal(fresh[1], stored[1])
