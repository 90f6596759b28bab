"""Order intake throughput over HTTP: one hot SKU, then 1,000 SKUs. Prints orders/s and latency.

    python benchmarks/intake.py --start-server --database-url postgresql://postgres@127.0.0.1:5432/bench
    python benchmarks/intake.py --url http://127.0.0.1:8000 --key <admin key>     # a running server

With --start-server the script migrates a fresh database, makes keys, starts `fulfilment serve`
(--workers N) and stops it afterwards. Checks after each scenario that nothing was oversold.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
# benchmarks/routing.py and friends must not shadow the packages of the same name
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]

BIN = Path(sys.executable).parent
BUYER = {"name": "李小红", "id_number": "11010519491231002X", "phone": "13812345678"}
RECIPIENT = {"name": "李小红", "phone": "13812345678", "province": "浙江省", "city": "杭州市",
             "district": "西湖区", "address": "文三路 90 号 5 幢 101"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _reset_database(url: str) -> None:
    if url.startswith("sqlite"):
        Path(url.split("///", 1)[1]).unlink(missing_ok=True)
        return
    from sqlalchemy import text

    from fulfilment import db

    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@contextmanager
def server(url: str, workers: int, batch_max: int):
    _reset_database(url)
    env = {**os.environ, "FULFILMENT_DATABASE_URL": url, "FULFILMENT_SCHEDULER_ENABLED": "false",
           "FULFILMENT_INTAKE_BATCH_MAX": str(batch_max)}
    subprocess.run([BIN / "fulfilment", "db", "upgrade"], env=env, check=True,
                   capture_output=True)
    key = subprocess.run([BIN / "fulfilment", "keys", "create", "--role", "admin"], env=env,
                         check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    port = _free_port()
    log = (ROOT / "var" / "intake-server.log").open("w")  # the server's errors, if any
    proc = subprocess.Popen([BIN / "fulfilment", "serve", "--port", str(port), "--no-scheduler",
                             "--workers", str(workers)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base, key
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def setup(base: str, key: str, *, hot_units: int, skus: int, units_each: int) -> None:
    h = {"X-API-Key": key}
    with httpx.Client(base_url=base, headers=h, timeout=30) as c:
        c.post("/warehouses", json={"id": "NGB", "name": "Ningbo", "kind": "bonded",
                                    "customs_mode": "1210", "country": "CN", "address": "FTZ"})
        for sku, units in [("HOT-1", hot_units)] + [(f"SKU-{i:04d}", units_each)
                                                    for i in range(skus)]:
            c.post("/skus", json={"id": sku, "name": sku, "hs_code": "3304990099", "weight_g": 100,
                                  "tax_category": "cosmetics", "unit_price": "99.00"})
            r = c.post("/inventory/receipts", json={"warehouse": "NGB", "sku": sku, "qty": units,
                                                    "lot": "L1", "expiry": "2029-01-01"})
            r.raise_for_status()


async def _post(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
                ) -> int:
    """One keep-alive HTTP/1.1 exchange; returns the status. A lean client, so that measuring
    does not take the cores being measured (httpx spends ~6 ms of CPU a request)."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return int(head.split(b" ", 2)[1])


def _request(host: str, key: str, path: str, body: dict, idempotency_key: str) -> bytes:
    data = json.dumps(body, ensure_ascii=False).encode()
    return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nX-API-Key: {key}\r\n"
            f"Idempotency-Key: {idempotency_key}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n").encode() + data


async def drive(base: str, key: str, *, orders: int, concurrency: int, skus: list[str]) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    run = uuid.uuid4().hex[:8]
    hostport = base.split("://", 1)[1]
    host, port = hostport.rsplit(":", 1)
    requests = [_request(hostport, key, "/orders",
                         {"external_id": f"B-{run}-{i}", "buyer": BUYER, "recipient": RECIPIENT,
                          "lines": [{"sku": skus[i % len(skus)], "qty": 1,
                                     "unit_price": "99.00"}]}, f"{run}-{i}")
                for i in range(orders)]
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for r in requests:
        queue.put_nowait(r)

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while not queue.empty():
                request = queue.get_nowait()
                t0 = time.perf_counter()
                status = await _post(reader, writer, request)
                latencies.append(time.perf_counter() - t0)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    t0, cpu0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - t0
    latencies.sort()
    return {"orders": orders, "seconds": elapsed, "per_s": orders / elapsed,
            "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))], "statuses": statuses,
            "client_cpu_ms": 1000 * (time.process_time() - cpu0) / orders}


def oversold(base: str, key: str, sku: str) -> tuple[int, int]:
    a = httpx.get(f"{base}/inventory/availability", params={"sku": sku},
                  headers={"X-API-Key": key}).json()
    return a["reserved"], a["sellable"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--url")
    p.add_argument("--key")
    p.add_argument("--start-server", action="store_true")
    p.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--orders", type=int, default=4000)
    p.add_argument("--hot-units", type=int, default=3000)
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--only-hot", action="store_true", help="skip the 1,000-SKU scenario")
    p.add_argument("--batch-max", type=int, default=64,
                   help="with --start-server: FULFILMENT_INTAKE_BATCH_MAX (1: no group commit)")
    args = p.parse_args()
    if args.start_server:
        with server(args.database_url, args.workers, args.batch_max) as (base, key):
            run(base, key, args)
    else:
        run(args.url, args.key, args)


def run(base: str, key: str, args: argparse.Namespace) -> None:
    setup(base, key, hot_units=args.hot_units, skus=1000, units_each=100)
    print(f"{'scenario':<10} {'orders':>7} {'orders/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'client CPU ms/order':>20}  answers")
    scenarios = [("hot SKU", ["HOT-1"]), ("1000 SKUs", [f"SKU-{i:04d}" for i in range(1000)])]
    for name, skus in scenarios[:1] if args.only_hot else scenarios:
        res = asyncio.run(drive(base, key, orders=args.orders, concurrency=args.concurrency,
                                skus=skus))
        print(f"{name:<10} {res['orders']:>7} {res['per_s']:>9.0f} {res['p50_ms']:>8.1f} "
              f"{res['p99_ms']:>8.1f} {res['client_cpu_ms']:>20.2f}  {res['statuses']}")
    reserved, sellable = oversold(base, key, "HOT-1")
    print(f"hot SKU: reserved {reserved} of sellable {sellable} -> "
          f"{'nothing oversold' if reserved <= sellable else 'OVERSOLD'}")


if __name__ == "__main__":
    main()
