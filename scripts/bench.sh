#!/usr/bin/env bash
# The benchmark: throughput and peak memory of a full build at 20,000 and 200,000 reports, an
# append of 10,000 onto the 200,000-report dataset, and the OpenCC command-line tool converting
# the same decoded text (the baseline anyone could script).
#
#   ./scripts/bench.sh            # 200,000 reports (about 1.5 GB, generated once into target/bench)
#   DOCS=50000 ./scripts/bench.sh # a smaller run
#
# Results are printed and written to target/bench/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DOCS=${DOCS:-200000}
SMALL=$((DOCS / 10))
APPEND=${APPEND:-10000}
B=target/bench
mkdir -p "$B"
cargo build --release --quiet
G=target/release/gongkai
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
command -v opencc >/dev/null || { apt-get update -qq && apt-get install -y -qq opencc; }

gen() { # docs seed dir
  if [ ! -f "$3.done" ]; then rm -rf "$3"; "$G" synth --docs "$1" --seed "$2" --out "$3"; touch "$3.done"; fi
}
gen "$DOCS" 1 "$B/dump$DOCS"
gen "$SMALL" 1 "$B/dump$SMALL"     # the same generator and seed: the first $SMALL reports of the big dump
gen "$APPEND" 99 "$B/new$APPEND"

measure() { # label, then the command
  local label=$1; shift
  sync; /usr/bin/time -f "%e %U %S %M" -o "$B/time.txt" "$@" >/dev/null 2>"$B/stderr.txt" || { cat "$B/stderr.txt"; exit 1; }
  read -r wall user sys rss < "$B/time.txt"
  echo "$label $wall $user $sys $rss"
}
mb() { du -sb "$1" | cut -f1; }

{
  echo "| run | reports | input MB | wall s | CPU s | reports/s | MB/s | peak RSS MiB |"
  echo "|---|---|---|---|---|---|---|---|"
  for n in "$SMALL" "$DOCS"; do
    bytes=$(mb "$B/dump$n")
    read -r _ wall user sys rss < <(measure build "$G" build -q --input "$B/dump$n" --out "$B/out$n")
    awk -v n="$n" -v b="$bytes" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN { printf "| build | %d | %.0f | %.2f | %.2f | %.0f | %.1f | %.0f |\n", n, b/1e6, w, u+s, n/w, b/1e6/w, r/1024 }'
  done
  bytes=$(mb "$B/new$APPEND")
  read -r _ wall user sys rss < <(measure append "$G" append -q --input "$B/new$APPEND" --out "$B/out$DOCS")
  awk -v n="$APPEND" -v b="$bytes" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN { printf "| append onto %s | %d | %.0f | %.2f | %.2f | %.0f | %.1f | %.0f |\n", "'"$DOCS"'", n, b/1e6, w, u+s, n/w, b/1e6/w, r/1024 }'
  rm -rf "$B/newbuild"
  read -r _ wall user sys rss < <(measure build "$G" build -q --input "$B/new$APPEND" --out "$B/newbuild")
  awk -v n="$APPEND" -v b="$bytes" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN { printf "| build of the same %d alone | %d | %.0f | %.2f | %.2f | %.0f | %.1f | %.0f |\n", n, n, b/1e6, w, u+s, n/w, b/1e6/w, r/1024 }'
  "$G" text --input "$B/dump$DOCS" --out "$B/text$DOCS.txt" 2>/dev/null
  tbytes=$(mb "$B/text$DOCS.txt")
  read -r _ wall user sys rss < <(measure opencc opencc -c t2s.json -i "$B/text$DOCS.txt" -o "$B/opencc.out")
  awk -v n="$DOCS" -v b="$tbytes" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN { printf "| opencc -c t2s.json, same decoded text | %d | %.0f | %.2f | %.2f | %.0f | %.1f | %.0f |\n", n, b/1e6, w, u+s, n/w, b/1e6/w, r/1024 }'
  rm -f "$B/opencc.out"
} | tee "$B/results.md"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" | tee -a "$B/results.md"
