#!/usr/bin/env bash
# Regenerates tests/fixtures/pdf.tar.zst: generated reports made into PDFs by two producers,
# and the text poppler's pdftotext makes of each PDF (with -layout and without):
#   lo/NNNNNN.pdf        the generator's own .docx printed by LibreOffice (Word → PDF), in a
#                        TrueType CJK font (Droid Sans Fallback, as SimSun-era Word files are)
#   chromium/NNNNNN.pdf  the generator's HTML page printed by headless Chromium (browser → PDF,
#                        with the browser's date/title header and URL/page footer)
#   */NNNNNN.layout.txt  `pdftotext -layout` of that PDF;  */NNNNNN.plain.txt  plain `pdftotext`
#   */NNNNNN.md          the PDF→markdown of PyMuPDF4LLM (a PDF-to-markdown tool people feed
#                        reports through: tables cut into pieces, merged cells repeated)
#   truth.jsonl          the generator's truth, `path` naming the PDF
# Only needed to refresh the committed archive; the tests need none of these tools. Needs
# Debian's libreoffice-writer-nogui, chromium, poppler-utils, qpdf, fonts-noto-cjk, zstd
# (installed if missing).
#
# Why an archive: each PDF embeds a subset of a CJK font (100–400 KB a file). The PDFs are
# stored with their streams uncompressed (qpdf; the content is the producer's, byte for byte
# once inflated) so that the glyphs every report shares compress once across the whole archive
# (zstd's long window): 600 PDFs and their text in a few MB instead of ~150 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-300}
need() { command -v "$1" >/dev/null || { apt-get update -qq; apt-get install -y -qq --no-install-recommends "$2"; }; }
need soffice libreoffice-writer-nogui
need chromium chromium
need pdftotext poppler-utils
need qpdf qpdf
need zstd zstd
[ -d /usr/share/fonts/opentype/noto ] || apt-get install -y -qq fonts-noto-cjk
[ -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] || apt-get install -y -qq fonts-droid-fallback
cargo build --release -q
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target/release/gongkai synth --docs $((N * 20)) --seed 20261129 --out "$work/dump" >/dev/null
# The first N Word reports and the first N HTML reports of the forms (both forms, zeros printed
# empty, traditional script and injected errors come in the generator's own mix).
python3 - "$work" "$N" <<'PY'
import json, os, shutil, sys
work, n = sys.argv[1], int(sys.argv[2])
truth = [json.loads(l) for l in open(f"{work}/dump.truth.jsonl")]
forms = [t for t in truth if t["form_version"] in ("2019", "2021")]
os.makedirs(f"{work}/src/lo"); os.makedirs(f"{work}/src/chromium"); os.makedirs(f"{work}/fix")
with open(f"{work}/fix/truth.jsonl", "w") as out:
    for producer, ext in [("lo", ".docx"), ("chromium", ".html")]:
        for t in [t for t in forms if t["path"].endswith(ext)][:n]:
            stem = os.path.basename(t["path"]).split("_")[0]
            shutil.copy(f"{work}/dump/{t['path']}", f"{work}/src/{producer}/{stem}{ext}")
            t["path"] = f"{producer}/{stem}.pdf"
            out.write(json.dumps(t, ensure_ascii=False) + "\n")
PY
mkdir -p "$work/fix/lo" "$work/fix/chromium"
# LibreOffice sees one TrueType CJK font (its subsets keep each glyph's bytes, so the archive
# stores a glyph once; Noto's CFF subsets do not), Chromium the system's Noto CJK (Type 3).
cat > "$work/fonts.conf" <<XML
<?xml version="1.0"?>
<fontconfig>
  <dir>/usr/share/fonts/truetype/droid</dir>
  <dir>/usr/share/fonts/truetype/liberation</dir>
  <dir>/usr/share/fonts/truetype/dejavu</dir>
  <cachedir>$work/fc-cache</cachedir>
  <alias><family>serif</family><prefer><family>Droid Sans Fallback</family></prefer></alias>
  <alias><family>sans-serif</family><prefer><family>Droid Sans Fallback</family></prefer></alias>
</fontconfig>
XML
export LO_FONTS="$work/fonts.conf"
# LibreOffice in batches (one long run has been seen to stop part way), then any it missed alone.
(cd "$work/src/lo" && ls ./*.docx | FONTCONFIG_FILE="$LO_FONTS" xargs -n 25 soffice --headless --convert-to pdf --outdir "$work/pdf-lo" >/dev/null 2>&1)
for f in "$work"/src/lo/*.docx; do
  [ -f "$work/pdf-lo/$(basename "${f%.docx}").pdf" ] || FONTCONFIG_FILE="$LO_FONTS" soffice --headless --convert-to pdf --outdir "$work/pdf-lo" "$f" >/dev/null 2>&1
done
mkdir -p "$work/pdf-chromium"
print_pdf() {
  profile=$(mktemp -d)
  chromium --headless --no-sandbox --disable-gpu --user-data-dir="$profile" \
    --print-to-pdf="$2/$(basename "${1%.html}").pdf" "file://$1" >/dev/null 2>&1
  rm -rf "$profile"
}
export -f print_pdf
ls "$work"/src/chromium/*.html | xargs -P 2 -I{} bash -c 'print_pdf "$@"' _ {} "$work/pdf-chromium"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "pymupdf4llm==0.0.17" "pymupdf==1.28.2"
"$work/venv/bin/python" - "$work" <<'PY' 2>/dev/null
import glob, os, sys, pymupdf4llm
work = sys.argv[1]
for producer in ["lo", "chromium"]:
    for f in sorted(glob.glob(f"{work}/pdf-{producer}/*.pdf")):
        md = pymupdf4llm.to_markdown(f, show_progress=False)
        stem = os.path.basename(f)[:-4]
        open(f"{work}/fix/{producer}/{stem}.md", "w").write(md)
PY
for producer in lo chromium; do
  n=$(ls "$work/pdf-$producer"/*.pdf | wc -l)
  [ "$n" -eq "$N" ] || { echo "$producer made $n PDFs of $N" >&2; exit 1; }
  for f in "$work/pdf-$producer"/*.pdf; do
    base="$work/fix/$producer/$(basename "${f%.pdf}")"
    pdftotext -layout "$f" "$base.layout.txt"
    pdftotext "$f" "$base.plain.txt"
    qpdf --stream-data=uncompress --object-streams=disable "$f" "$base.pdf"
  done
done
tar -C "$work/fix" --sort=name --owner=0 --group=0 --mtime=2026-01-01 -cf - . \
  | zstd -19 --long=27 -T0 -q -o tests/fixtures/pdf.tar.zst -f
echo "tests/fixtures/pdf.tar.zst: $(du -h tests/fixtures/pdf.tar.zst | cut -f1), $(ls "$work"/fix/lo/*.pdf | wc -l) LibreOffice and $(ls "$work"/fix/chromium/*.pdf | wc -l) Chromium PDFs"
