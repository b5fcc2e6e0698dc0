#!/usr/bin/env bash
# Regenerates tests/fixtures/word: generated HTML reports (with their truth) converted to .docx by
# LibreOffice, a real Word producer. Only needed to refresh the committed fixtures; the tests
# themselves need no LibreOffice. Needs Debian's libreoffice-writer-nogui (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v soffice >/dev/null || { apt-get update -qq; apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui; }
cargo build --release -q
work=$(mktemp -d)
target/release/gongkai synth --docs 400 --seed 77 --out "$work/dump"
# Four HTML reports per (form, traditional, zeros printed empty), their truth renamed to .docx.
python3 - "$work" <<'PY'
import json, os, shutil, sys
work = sys.argv[1]
picked = [t for t in map(json.loads, open(f"{work}/dump.truth.jsonl"))
          if t["layout"].startswith("html") and t["form_version"] != "legacy"]
sel = []
for form in ["2019", "2021"]:
    for trad, blanks in [(False, False), (True, False), (False, True)]:
        sel += [t for t in picked if (t["form_version"], t["traditional"], t["blanks"]) == (form, trad, blanks)][:4]
os.makedirs(f"{work}/fix")
with open(f"{work}/fix/truth.jsonl", "w") as f:
    for t in sel:
        name = os.path.basename(t["path"])
        shutil.copy(f"{work}/dump/{t['path']}", f"{work}/fix/{name}")
        t["path"] = name.replace(".html", ".docx")
        f.write(json.dumps(t, ensure_ascii=False) + "\n")
PY
(cd "$work/fix" && soffice --headless --convert-to docx:"MS Word 2007 XML" --outdir . ./*.html >/dev/null)
rm -rf tests/fixtures/word && mkdir -p tests/fixtures/word
cp "$work"/fix/*.docx "$work/fix/truth.jsonl" tests/fixtures/word/
rm -rf "$work"
echo "tests/fixtures/word: $(ls tests/fixtures/word/*.docx | wc -l) documents"
# The same reports printed to PDF by LibreOffice, and the text poppler's pdftotext makes of them
# (with -layout and without): tests/fixtures/pdftotext, truth shared with the Word fixtures.
command -v pdftotext >/dev/null || { apt-get update -qq; apt-get install -y -qq poppler-utils fonts-noto-cjk; }
pdf=$(mktemp -d)
cp tests/fixtures/word/*.docx "$pdf/"
(cd "$pdf" && soffice --headless --convert-to pdf --outdir . ./*.docx >/dev/null)
rm -rf tests/fixtures/pdftotext && mkdir -p tests/fixtures/pdftotext
for f in "$pdf"/*.pdf; do
  base=$(basename "${f%.pdf}")
  pdftotext -layout "$f" "tests/fixtures/pdftotext/$base.layout.txt"
  pdftotext "$f" "tests/fixtures/pdftotext/$base.plain.txt"
done
cp tests/fixtures/word/truth.jsonl tests/fixtures/pdftotext/truth.jsonl
rm -rf "$pdf"
