#!/usr/bin/env bash
# Runs AlignLab on its embedded default (README, "Run it"): builds the web app, then replaces this shell with it, so that
# Ctrl+C, `kill -INT` and `kill -TERM` all reach the app itself, which stops its PostgreSQL on the way out.
# (`dotnet run` stays in between as a parent that ignores a SIGINT sent to it alone.)
# Arguments go to the app (--urls, --AlignLab:...); --no-build first skips the build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ "${1:-}" == "--no-build" ]]; then
    shift
else
    dotnet build "$root/src/AlignLab.Web" -m:1 -nologo -v quiet -clp:ErrorsOnly
fi
cd "$root/src/AlignLab.Web/bin/Debug/net10.0"
exec dotnet AlignLab.Web.dll "$@"
