"""The dependency rule: no domain package imports fulfilment, and the cores stay apart."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "inventory": {"fulfilment"},
    "routing": {"fulfilment", "inventory", "customs", "labels"},
    "customs": {"fulfilment", "inventory", "routing", "labels"},
    "labels": {"fulfilment", "inventory", "routing", "customs"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_domain_packages_do_not_import_what_they_must_not(package):
    bad = {str(p.relative_to(ROOT)): _imports(p) & FORBIDDEN[package]
           for p in (ROOT / package).rglob("*.py")}
    assert {k: v for k, v in bad.items() if v} == {}


def test_readme_lists_every_setting():
    """README's configuration table is the operator's reference: no FULFILMENT_* left out."""
    from fulfilment.settings import Settings

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    missing = [name.upper() for name in Settings.model_fields
               if f"`{name.upper()}`" not in readme]
    assert missing == []
