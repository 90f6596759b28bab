"""How fast signals and sales exports import into the database (`fulfilment signals import`,
`POST /signals`): parsing, validation and the bulk upsert, in one transaction each.

Usage: .venv/bin/python benchmarks/signal_import.py [--url postgresql://postgres@127.0.0.1:5432/bench]
       [--skus 500] [--days 365]

Default database: a fresh SQLite file. The tables of the given database are dropped and
created again, so never point it at one that matters. Each export is a generated world
(`inventory.worlds`) written to the contract's CSV; it is imported, then imported again
(every row replaces itself), then imported with every value changed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# benchmarks/routing.py must not shadow the routing package the application imports
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]

from fulfilment import db, planning  # noqa: E402
from inventory import signals, worlds  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--skus", type=int, default=500)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = db.make_engine(url)
        db.metadata.drop_all(engine)
        db.create_all(engine)
        factory = db.make_session_factory(engine)
        world = worlds.generate(5, skus=args.skus, days=args.days)
        changed = [replace(r, likes=r.likes + 1) for r in world.signals]
        files = {"signals": signals.signals_to_csv(world.signals),
                 "sales": signals.sales_to_csv(world.sales)}
        print(f"{engine.dialect.name}, {args.skus} SKUs x {args.days} days: "
              f"{len(world.signals):,} signal rows, {len(world.sales):,} sales rows")
        for label, texts in (("import", files), ("again", files),
                             ("changed", {"signals": signals.signals_to_csv(changed)})):
            for kind, text in texts.items():
                load = planning.import_signals if kind == "signals" else planning.import_sales
                began = time.perf_counter()
                with db.transaction(factory) as session:
                    rows = load(session, text=text)
                seconds = time.perf_counter() - began
                print(f"{label:>8} {kind:<8} {rows:>10,} rows {seconds:>7.2f} s "
                      f"{rows / seconds:>10,.0f} rows/s", flush=True)
        engine.dispose()


if __name__ == "__main__":
    main()
