"""Outbox and inbox folders: atomic writes (temporary name, then rename), handled files moved."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_all_atomic(folder: Path, files: dict[str, bytes]) -> None:
    """Write every file under a temporary name first, then rename them all into place."""
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in files.items():
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".part")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; the agent's client must read it
            staged.append((name, Path(tmp)))
    except BaseException:
        for _, tmp in staged:
            tmp.unlink(missing_ok=True)
        raise
    for name, tmp in staged:
        os.replace(tmp, folder / name)


def read_folder(folder: Path) -> dict[str, bytes]:
    """Every finished *.xml file in the folder (temporary files are skipped), by name."""
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.xml"))
            if not p.name.startswith(".")}


def move_done(folder: Path, names: list[str], *, sub: str = "done") -> None:
    """Move handled files into a sub-folder so they are never handled twice."""
    done = folder / sub
    done.mkdir(parents=True, exist_ok=True)
    for name in names:
        src = folder / name
        if src.exists():
            os.replace(src, done / name)
