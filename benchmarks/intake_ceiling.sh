#!/usr/bin/env bash
# The ceiling a single hot availability row puts on intake, measured with pgbench:
#   one order per transaction (one conditional UPDATE, then COMMIT) versus a batch of 64 orders'
#   units in one transaction (what group commit does), 16 clients, 10 s each.
# Usage: benchmarks/intake_ceiling.sh [postgresql://postgres@127.0.0.1:5432/bench]
set -euo pipefail
URL="${1:-postgresql://postgres@127.0.0.1:5432/bench}"
PGBENCH="$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | tail -1)"
DIR="$(mktemp -d)"
trap 'rm -rf "$DIR"' EXIT
psql "$URL" -q <<'SQL'
SET client_min_messages TO warning;
DROP TABLE IF EXISTS ceiling_hot;
CREATE TABLE ceiling_hot (sku text PRIMARY KEY, sellable int NOT NULL, reserved int NOT NULL,
                          CHECK (reserved <= sellable));
INSERT INTO ceiling_hot VALUES ('HOT-1', 2000000000, 0);
SQL
echo "UPDATE ceiling_hot SET reserved = reserved + 1 WHERE sku = 'HOT-1' AND sellable - reserved >= 1;" > "$DIR/one.sql"
echo "UPDATE ceiling_hot SET reserved = reserved + 64 WHERE sku = 'HOT-1' AND sellable - reserved >= 64;" > "$DIR/batch.sql"
for f in one batch; do
  tps=$("$PGBENCH" -n -c 16 -j 2 -T 10 -f "$DIR/$f.sql" "$URL" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
  per=$([ "$f" = one ] && echo 1 || echo 64)
  printf "%2d order(s) per transaction: %6.0f commits/s = %8.0f orders/s on one hot row\n" \
    "$per" "$tps" "$(echo "$tps * $per" | bc)"
done
psql "$URL" -qc "DROP TABLE ceiling_hot"
