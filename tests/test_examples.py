"""The contracts' examples travel with the repository (tests/examples); they must not drift."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.builders import EXAMPLES

SHARED = Path(__file__).resolve().parents[2] / "shared" / "examples"


def test_the_copies_match_the_shared_examples():
    if not SHARED.is_dir():
        pytest.skip(f"no shared examples at {SHARED} to compare with (a clone on its own)")
    shared = {p.name: p.read_bytes() for p in SHARED.iterdir() if p.is_file()}
    ours = {p.name: p.read_bytes() for p in EXAMPLES.iterdir() if p.is_file()}
    assert sorted(ours) == sorted(shared)
    assert [name for name in shared if shared[name] != ours[name]] == []
