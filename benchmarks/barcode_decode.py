"""Share of shipping labels whose tracking barcode decodes back exactly at 203 dpi.

Usage: python benchmarks/barcode_decode.py [--labels 300] [--seed 1]
Random tracking numbers of 12-28 characters (upper-case letters and digits, lower-case letters
and digits, or digits alone), each label rendered two ways: as pdfium draws it (the 799.2-dot
page stretched over 800 pixels, as pypdfium2's render does) and at exactly 203 dpi (as pdftoppm
or a printer does).
Goal: every one decodes both ways.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
from datetime import date
from pathlib import Path

# put the repository first so `labels` is the package, not benchmarks/labels.py
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import pypdfium2  # noqa: E402
import zxingcpp  # noqa: E402

from labels import shipping  # noqa: E402
from labels.barcodes import DOT_PT  # noqa: E402
from tests.labels.conftest import decode_exact  # noqa: E402

ALPHABETS = (string.ascii_uppercase + string.digits, string.ascii_lowercase + string.digits,
             string.digits)


def _decoded(pdf: bytes, *, exact: bool) -> list[str]:
    if exact:
        return decode_exact(pdf)
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=1 / DOT_PT).to_pil().convert("L")
    return [r.text for r in zxingcpp.read_barcodes(image)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    base = {"courier": "SF", "service": "Standard Express", "sort_code": "571-WA 02",
            "order_no": "R1001", "parcel": {"index": 1, "count": 1}, "weight_g": 420,
            "sender": {"name": "Ningbo Bonded Warehouse", "phone": "0574-88880000",
                       "address": "Ningbo Free Trade Zone, Zhejiang, China"},
            "recipient": {"name": "李小红", "phone": "13812345678", "province": "浙江省",
                          "city": "杭州市", "district": "西湖区",
                          "address": "文三路 90 号 5 幢 101"},
            "lines": [{"sku": "SERUM-30ML", "name": "Hydrating Serum 30ml", "qty": 1}]}
    failed = {"pdfium": [], "exact": []}
    for _ in range(args.labels):
        value = "".join(rng.choice(rng.choice(ALPHABETS)) for _ in range(rng.randint(12, 28)))
        pdf = shipping.render_pdf({**base, "tracking_no": value}, printed_on=date(2026, 12, 3))
        for way, exact in (("pdfium", False), ("exact", True)):
            if value not in _decoded(pdf, exact=exact):
                failed[way].append(value)
    for way, values in failed.items():
        print(f"{way:7} {args.labels - len(values)}/{args.labels} decode"
              + (f"; failed: {', '.join(values[:5])}" if values else ""))


if __name__ == "__main__":
    main()
