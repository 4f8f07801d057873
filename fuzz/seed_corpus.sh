#!/usr/bin/env bash
# Builds the seed corpus of the parse_resolve fuzz target in fuzz/corpus/parse_resolve/
# (git-ignored): the broken-input fixtures, plus small well-formed documents cut from the real
# upstream snapshots (consecutive Schema children of about 3 KB each, wrapped in an Edmx
# envelope), so the fuzzer starts from every element and annotation form Graph uses.
#
# Usage: fuzz/seed_corpus.sh [SHARED_DIR]   (default: ../shared beside the checkout)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
shared="${1:-$repo/../shared}"
out="$here/corpus/parse_resolve"
mkdir -p "$out"

cp "$repo"/codegen/tests/fixtures/broken/*.xml "$out/"

if [ ! -d "$shared/upstream" ]; then
  echo "no $shared/upstream: seeded with the fixtures only" >&2
  exit 0
fi

for f in "$shared"/upstream/*.xml "$shared"/upstream/*.csdl; do
  # Schema children are indented by six spaces in every snapshot; a chunk ends at a line that
  # closes one of them, or at a self-closing one.
  awk -v out="$out" -v name="$(basename "$f")" -v max=3000 '
    BEGIN {
      head = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n  <edmx:DataServices>\n    <Schema Namespace=\"microsoft.graph\" Alias=\"graph\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n"
      tail = "    </Schema>\n  </edmx:DataServices>\n</edmx:Edmx>\n"
      n = 0; chunk = ""; inside = 0
    }
    function flush() {
      if (chunk != "") {
        file = sprintf("%s/%s-%05d.xml", out, name, n++)
        printf "%s%s%s", head, chunk, tail > file
        close(file)
        chunk = ""
      }
    }
    /^      <[A-Z]/ { inside = 1 }
    inside { chunk = chunk $0 "\n" }
    /^      <\/[A-Z]/ || (/^      <[A-Z]/ && /\/>$/) {
      inside = 0
      if (length(chunk) >= max) flush()
    }
    END { flush() }
  ' "$f"
done
echo "$(ls "$out" | wc -l) seeds in $out"
