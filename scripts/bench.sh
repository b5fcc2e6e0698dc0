#!/usr/bin/env bash
# The benchmark, on two corpora: short reports (the generator's mix of layouts, encodings and
# scripts, ~5 KB each) and report pages inside their site chrome (100-350 KB each, as sites
# serve them). For each: a full build (and for short reports a build of a tenth, an append of
# 10,000 onto the big dataset and a build of the same 10,000 alone), the floor (`gongkai floor`:
# every file walked, read and hashed, and as many rows written to Parquet, parsing nothing),
# and the OpenCC command-line tool converting the same decoded text (the baseline anyone could
# script); then over the big dataset: export (.parquet, .csv), report and compact. Throughput and
# peak memory for each.
#
#   ./scripts/bench.sh                        # 200,000 reports and 5,000 pages (~2.8 GB, generated once into target/bench)
#   DOCS=50000 PAGES=2000 ./scripts/bench.sh  # a smaller run
#
# Results are printed and written to target/bench/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DOCS=${DOCS:-200000}
SMALL=$((DOCS / 10))
APPEND=${APPEND:-10000}
PAGES=${PAGES:-5000}
B=target/bench
mkdir -p "$B"
cargo build --release --quiet
G=target/release/gongkai
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
command -v opencc >/dev/null || { apt-get update -qq && apt-get install -y -qq opencc; }

gen() { # docs seed dir [synth flags]
  if [ ! -f "$3.done" ]; then rm -rf "$3"; "$G" synth --docs "$1" --seed "$2" --out "$3" "${@:4}"; touch "$3.done"; fi
}
gen "$DOCS" 1 "$B/dump$DOCS"
gen "$SMALL" 1 "$B/dump$SMALL"     # the same generator and seed: the first $SMALL reports of the big dump
gen "$APPEND" 99 "$B/new$APPEND"
gen "$PAGES" 1 "$B/pages$PAGES" --site-pages

measure() { # label, then the command
  local label=$1; shift
  sync; /usr/bin/time -f "%e %U %S %M" -o "$B/time.txt" "$@" >/dev/null 2>"$B/stderr.txt" || { cat "$B/stderr.txt"; exit 1; }
  read -r wall user sys rss < "$B/time.txt"
  echo "$label $wall $user $sys $rss"
}
mb() { du -sb "$1" | cut -f1; }

line() { # label reports bytes wall user sys rss
  awk -v l="$1" -v n="$2" -v b="$3" -v w="$4" -v u="$5" -v s="$6" -v r="$7" \
    'BEGIN { printf "| %s | %d | %.0f | %.2f | %.2f | %.0f | %.1f | %.0f |\n", l, n, b/1e6, w, u+s, n/w, b/1e6/w, r/1024 }'
}
{
  echo "| run | reports | input MB | wall s | CPU s | reports/s | MB/s | peak RSS MiB |"
  echo "|---|---|---|---|---|---|---|---|"
  for n in "$SMALL" "$DOCS"; do
    bytes=$(mb "$B/dump$n")
    rm -rf "$B/out$n"
    read -r _ wall user sys rss < <(measure build "$G" build -q --input "$B/dump$n" --out "$B/out$n")
    line "short reports: build" "$n" "$bytes" "$wall" "$user" "$sys" "$rss"
  done
  bytes=$(mb "$B/dump$DOCS")
  rm -rf "$B/floor"
  read -r _ wall user sys rss < <(measure floor "$G" floor --input "$B/dump$DOCS" --out "$B/floor")
  line "short reports: floor (read, hash, write as many rows)" "$DOCS" "$bytes" "$wall" "$user" "$sys" "$rss"
  bytes=$(mb "$B/new$APPEND")
  read -r _ wall user sys rss < <(measure append "$G" append -q --input "$B/new$APPEND" --out "$B/out$DOCS")
  line "short reports: append onto $DOCS" "$APPEND" "$bytes" "$wall" "$user" "$sys" "$rss"
  # The dataset-level jobs over the 200,000 + 10,000 dataset (two files per partition after the
  # append): the wide export both ways, the report, then compaction.
  dbytes=$(mb "$B/out$DOCS")
  dreports=$((DOCS + APPEND))
  for f in wide.parquet wide.csv; do
    read -r _ wall user sys rss < <(measure export "$G" export --out "$B/out$DOCS" --to "$B/$f")
    line "dataset: export to ${f#*.} (input = the dataset)" "$dreports" "$dbytes" "$wall" "$user" "$sys" "$rss"
  done
  read -r _ wall user sys rss < <(measure report "$G" report --out "$B/out$DOCS" --to "$B/report.html")
  line "dataset: report" "$dreports" "$dbytes" "$wall" "$user" "$sys" "$rss"
  read -r _ wall user sys rss < <(measure compact "$G" compact --out "$B/out$DOCS")
  line "dataset: compact" "$dreports" "$dbytes" "$wall" "$user" "$sys" "$rss"
  rm -f "$B/wide.parquet" "$B/wide.csv"
  rm -rf "$B/newbuild"
  read -r _ wall user sys rss < <(measure build "$G" build -q --input "$B/new$APPEND" --out "$B/newbuild")
  line "short reports: build of the same $APPEND alone" "$APPEND" "$bytes" "$wall" "$user" "$sys" "$rss"
  "$G" text --input "$B/dump$DOCS" --out "$B/text$DOCS.txt" 2>/dev/null
  tbytes=$(mb "$B/text$DOCS.txt")
  read -r _ wall user sys rss < <(measure opencc opencc -c t2s.json -i "$B/text$DOCS.txt" -o "$B/opencc.out")
  line "short reports: opencc -c t2s.json, same decoded text" "$DOCS" "$tbytes" "$wall" "$user" "$sys" "$rss"
  bytes=$(mb "$B/pages$PAGES")
  rm -rf "$B/outpages"
  read -r _ wall user sys rss < <(measure build "$G" build -q --input "$B/pages$PAGES" --out "$B/outpages")
  line "pages with site chrome: build" "$PAGES" "$bytes" "$wall" "$user" "$sys" "$rss"
  rm -rf "$B/floor"
  read -r _ wall user sys rss < <(measure floor "$G" floor --input "$B/pages$PAGES" --out "$B/floor")
  line "pages with site chrome: floor" "$PAGES" "$bytes" "$wall" "$user" "$sys" "$rss"
  "$G" text --input "$B/pages$PAGES" --out "$B/textpages.txt" 2>/dev/null
  tbytes=$(mb "$B/textpages.txt")
  read -r _ wall user sys rss < <(measure opencc opencc -c t2s.json -i "$B/textpages.txt" -o "$B/opencc.out")
  line "pages with site chrome: opencc -c t2s.json, same decoded text" "$PAGES" "$tbytes" "$wall" "$user" "$sys" "$rss"
  rm -rf "$B/opencc.out" "$B/floor"
} | tee "$B/results.md"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" | tee -a "$B/results.md"
