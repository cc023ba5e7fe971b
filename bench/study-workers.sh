#!/usr/bin/env bash
# One worker vs two on one study: wall time of the same 9-trial search (README, "Searching on several machines").
#   bench/study-workers.sh URL      URL: postgresql://user:password@host:port/db, or an SQLite file
# Two studies named one-<time> and two-<time> are created in URL; their results.md must be equal.
set -euo pipefail
url="${1:?study store URL}"
cd "$(dirname "$0")/.."
tag=$(date +%H%M%S)
out=$(mktemp -d)
common=(--budget 1500 --trials 9 --space bench/study-space.yaml --min-epochs 1 --eta 3 --seeds 1 --validation 2000
        --limit-train 12000 --parallel 1 --storage "$url")
s=$(date +%s)
./mnistlab search "${common[@]}" --study "one-$tag" --out "$out/one" > "$out/one.log"
echo "one worker: $(( $(date +%s) - s )) s"
s=$(date +%s)
./mnistlab search "${common[@]}" --study "two-$tag" --out "$out/two" > "$out/two.log" &
searcher=$!
sleep 1
./mnistlab worker --storage "$url" --study "two-$tag" --parallel 1 --out "$out/worker" > "$out/worker.log"
wait $searcher
echo "two workers: $(( $(date +%s) - s )) s"
diff <(sed 's/search-.*//' "$out/one/results.md") <(sed 's/search-.*//' "$out/two/results.md") > /dev/null \
  && echo "same results table" || echo "DIFFERENT results tables: $out"
