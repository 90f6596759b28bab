"""Label errors: a code plus field-level problems (422 in the API, one line in the CLI)."""

from __future__ import annotations


class LabelError(ValueError):
    """Input that cannot be turned into a label (bad field, unencodable barcode value)."""

    code = "invalid_label"

    def __init__(self, problems: list[dict], *, code: str | None = None) -> None:
        self.problems = problems
        if code is not None:
            self.code = code
        super().__init__("; ".join(f"{p['field']}: {p['reason']}" for p in problems))


class BarcodeError(LabelError):
    """A value the requested symbology cannot carry."""

    code = "invalid_barcode"
