"""Where the real-browser tests find Chromium (tests/e2e/conftest.py serves the app)."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = next((p for p in (os.environ.get("FULFILMENT_CHROMIUM"), "/usr/bin/chromium",
                             shutil.which("chromium"), shutil.which("chromium-browser")) if p
                 and os.path.exists(p)), None)
needs_chromium = pytest.mark.skipif(CHROMIUM is None,
                                    reason="no Chromium found (apt-get install chromium)")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
