"""bench/outcomes.py at a tiny size: it builds, imports, measures, runs the pandas version and both agree."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from h2h.lib.identifiers import nhs_number_check_digit, nhs_number_is_valid

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench" / "outcomes.py"


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_outcomes", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(tmp_path, *args, sqlite_name="bench.sqlite3", timeout=120):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # always a scratch SQLite file here
    env |= {"H2H_SQLITE_PATH": str(tmp_path / sqlite_name), "H2H_ALLOW_INSECURE_KEY": "1",
            "H2H_MANIFEST_STATIC": "false"}
    return subprocess.run([sys.executable, str(BENCH), "--data-dir", str(tmp_path / "data"), *args], env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False)


def test_generated_nhs_numbers_are_valid_and_different():
    bench = _bench_module()
    rng = np.random.default_rng(7)
    test_range = bench.valid_nhs_numbers(999_000_000, 999_999_999, 2000, rng)
    others = bench.valid_nhs_numbers(800_000_000, 998_999_999, 2000, rng)
    assert len(set(test_range)) == len(set(others)) == 2000
    assert all(n.startswith("999") for n in test_range) and not any(n.startswith("999") for n in others)
    assert all(nhs_number_is_valid(n) for n in test_range + others)


def test_the_benchmarks_check_digit_is_the_services():
    bench = _bench_module()
    prefixes = np.random.default_rng(11).integers(0, 999_999_999, size=5000, dtype=np.int64)
    ours = bench.check_digits(prefixes)
    for prefix, digit in zip(prefixes.tolist(), ours.tolist(), strict=True):
        expected = nhs_number_check_digit(f"{prefix:09d}")
        assert digit == (10 if expected is None else expected), prefix
    assert (ours == 10).any()  # some nine-digit starts have no valid number


def test_the_benchmark_runs_small_and_both_versions_agree(tmp_path):
    result = _run(tmp_path, "--cases", "300", "--rows", "30000", "--seed", "3")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "Agreement: both give the same figures for all" in output
    assert "rows read 30,000" in output
    assert "peak RSS" in output and "pandas / H2H" in output
    assert (tmp_path / "data" / "results-h2h.csv").read_text().count("\n") > 200
    # --keep reuses the cases and the file, and a second import of the same file starts from nothing again.
    again = _run(tmp_path, "--cases", "300", "--rows", "30000", "--seed", "3", "--keep")
    assert again.returncode == 0, (again.stdout + again.stderr)[-3000:]
    assert "Reusing the cases and the file" in again.stdout and "Agreement:" in again.stdout


def test_the_benchmark_refuses_a_database_not_named_for_it(tmp_path):
    result = _run(tmp_path, "--cases", "10", "--rows", "100", sqlite_name="h2h.sqlite3", timeout=30)
    assert result.returncode != 0
    assert "refusing to empty" in result.stderr
    assert not (tmp_path / "h2h.sqlite3").exists()
