#!/usr/bin/env bash
# Word and PDF beside the formats they come from, in one run on the same files:
#   - the PDF path (gongkai reading .pdf natively) beside poppler's `pdftotext -layout` over
#     the same 600 PDFs (tests/fixtures/pdf.tar.zst: 300 LibreOffice, 300 Chromium), and
#     gongkai reading that -layout text;
#   - the DOCX path beside the HTML path: the generator's .docx and .html reports of one dump.
# Results are printed and written to target/bench/formats.md.
set -euo pipefail
cd "$(dirname "$0")/.."
B=target/bench/formats
rm -rf "$B" && mkdir -p "$B/pdf" "$B/layout" "$B/docx" "$B/html"
cargo build --release --quiet
G=target/release/gongkai
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
command -v pdftotext >/dev/null || { apt-get update -qq && apt-get install -y -qq poppler-utils; }
command -v zstd >/dev/null || { apt-get update -qq && apt-get install -y -qq zstd; }

zstd -d --long=27 -q -c tests/fixtures/pdf.tar.zst | tar x -C "$B"
for p in lo chromium; do
  for f in "$B/$p"/*.pdf; do cp "$f" "$B/pdf/$p-$(basename "$f")"; done
  for f in "$B/$p"/*.layout.txt; do cp "$f" "$B/layout/$p-$(basename "$f")"; done
done
"$G" synth --docs 8000 --seed 3 --out "$B/dump" >/dev/null
mapfile -t docx < <(find "$B/dump" -name '*.docx' | sort)
mapfile -t html < <(find "$B/dump" -name '*.html' | sort)
cp "${docx[@]:0:400}" "$B/docx/"
cp "${html[@]:0:400}" "$B/html/"

measure() { # label, then the command
  local label=$1; shift
  sync; /usr/bin/time -f "%e %U %S %M" -o "$B/time.txt" "$@" >/dev/null 2>"$B/stderr.txt" || { cat "$B/stderr.txt"; exit 1; }
  read -r wall user sys rss < "$B/time.txt"
  echo "$label $wall $user $sys $rss"
}
row() { # name, dir, then the command
  local name=$1 dir=$2; shift 2
  local n bytes
  n=$(ls "$dir" | wc -l); bytes=$(du -sb "$dir" | cut -f1)
  read -r _ wall user sys rss < <(measure run "$@")
  awk -v name="$name" -v n="$n" -v b="$bytes" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" \
    'BEGIN { printf "| %s | %d | %.1f | %.2f | %.2f | %.2f | %.0f |\n", name, n, b/1e6, w, u+s, 1000*(u+s)/n, r/1024 }'
}
{
  echo "| run | files | input MB | wall s | CPU s | CPU ms per file | peak RSS MiB |"
  echo "|---|---|---|---|---|---|---|"
  row "gongkai build, .pdf (native reader)" "$B/pdf" "$G" build -q --force --input "$B/pdf" --out "$B/out-pdf"
  row "pdftotext -layout, same .pdf (one process each)" "$B/pdf" sh -c "for f in $B/pdf/*.pdf; do pdftotext -layout \"\$f\" /dev/null; done"
  row "gongkai build, their -layout text" "$B/layout" "$G" build -q --force --input "$B/layout" --out "$B/out-layout"
  row "gongkai build, .docx" "$B/docx" "$G" build -q --force --input "$B/docx" --out "$B/out-docx"
  row "gongkai build, .html" "$B/html" "$G" build -q --force --input "$B/html" --out "$B/out-html"
} | tee "$B/../formats.md"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" | tee -a "$B/../formats.md"
