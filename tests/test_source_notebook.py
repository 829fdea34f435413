"""The source notebook runs top to bottom in a fresh kernel and tells its story with numbers."""

from __future__ import annotations

import re

from autograder.course.demo import export_figures, tagged_output
from autograder.course.execute import stream_text
from autograder.course.notebook import cell_role


def printed(nb) -> str:
    return "\n".join(stream_text(c) for c in nb.cells if c.cell_type == "code")


def test_runs_without_errors_and_every_visible_test_passes(executed_source):
    errors = [o for c in executed_source.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    tests = [c for c in executed_source.cells if cell_role(c) == "test"]
    assert len(tests) == 16
    for cell in tests:
        assert stream_text(cell).startswith("All tests passed for "), cell.source


def test_linear_models_stay_at_the_linear_classifier_level(executed_source):
    text = printed(executed_source)
    assert "Logistic regression: 47.0% of the training points" in text
    for n_h in (1, 4, 50):
        pattern = rf"^\s*{n_h} linear hidden units: accuracy ([\d.]+)%, max \|network - collapsed map\| = (\S+)$"
        line = re.search(pattern, text, re.M)
        assert float(line.group(1)) == 47.0 and float(line.group(2)) < 1e-12


def test_accuracy_table_shows_relu_beating_linear(executed_source):
    table = tagged_output(executed_source, "accuracy-table")
    rows = {line.split("|")[0].strip(): [float(v.strip(" %")) for v in line.split("|")[1:]]
            for line in table.splitlines() if line.split("|")[0].strip() in ("linear", "sigmoid", "tanh", "relu")}
    assert set(rows) == {"linear", "sigmoid", "tanh", "relu"}
    assert all(v == 47.0 for v in rows["linear"])
    assert max(rows["relu"]) > 70 and all(r > l for r, l in zip(rows["relu"], rows["linear"]))
    assert max(rows["tanh"]) >= 90


def test_region_counts_reach_the_arrangement_bound_for_few_units(executed_source):
    rows = re.findall(r"^\s*(\d+) \|\s+(\d+) \|\s+(\d+)$", printed(executed_source), re.M)
    counts = {int(n): (int(found), int(bound)) for n, found, bound in rows}
    assert sorted(counts) == list(range(1, 9))
    for n, (found, bound) in counts.items():
        assert bound == 1 + n + n * (n - 1) // 2 and n + 1 <= found <= bound
    assert all(counts[n][0] == counts[n][1] for n in (1, 2, 3))


def test_positive_start_is_exactly_linear_until_a_unit_switches_off(executed_source):
    text = printed(executed_source)
    assert re.search(r"every pre-activation is positive: True; max \|ReLU network - collapsed linear map\| = \S+e-1[5-9]", text)
    first_off = int(re.search(r"first unit switched off for some input\) at iteration (\d+)", text).group(1))
    first_w1 = int(re.search(r"W1: first entry below zero at iteration (\d+)", text).group(1))
    assert 0 < first_w1 <= first_off
    final = re.search(r"the gap is ([\d.]+) and the accuracy ([\d.]+)%", text)
    assert float(final.group(1)) > 0.01 and float(final.group(2)) > 47.0


def test_interpolation_error_falls_like_one_over_n_squared(executed_source):
    rows = re.findall(r"^\s*(\d+) \| (\S+)\s+\| (\S+)$", printed(executed_source), re.M)
    errors = {int(n): (float(err), float(bound)) for n, err, bound in rows}
    assert sorted(errors) == [2, 4, 8, 16, 32]
    assert all(err <= bound for err, bound in errors.values())
    assert 3.5 < errors[16][0] / errors[32][0] < 4.5


def test_every_figure_is_exported_as_png(executed_source, tmp_path):
    names = [c.metadata["figure"] for c in executed_source.cells if "figure" in c.get("metadata", {})]
    written = export_figures(executed_source, tmp_path)
    assert sorted(p.stem for p in written) == sorted(names) and len(names) >= 9
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000
