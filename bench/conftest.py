"""Benchmarks run with `make bench` (marker `bench`), never in the default suite."""

import json
import os
from pathlib import Path

import pytest

RESULTS = Path(os.environ.get("BENCH_RESULTS", "test-artifacts/bench"))


@pytest.fixture
def report():
    """Write a benchmark's figures as JSON under test-artifacts/bench/ and print them."""

    def _report(name: str, figures: dict) -> None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"{name}.json").write_text(json.dumps(figures, ensure_ascii=False, indent=2))
        print(f"\n{name}: {json.dumps(figures, ensure_ascii=False)}")

    return _report
