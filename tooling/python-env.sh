#!/usr/bin/env bash
# Creates (once) the project's Python tooling environment in .venv and installs the pinned
# requirements files given as arguments. Re-runs are cheap: each file is installed only when
# its content changed since the last install.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# SLUICE_VENV names another environment (a folder under the repo) for tooling that cannot share
# .venv's pins: dlt's Databricks destination needs an older botocore than moto's boto3
venv="$root/${SLUICE_VENV:-.venv}"
command -v python3 >/dev/null || { echo "python-env: python3 (3.10+) is required but not on PATH" >&2; exit 1; }
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
for req in "$@"; do
  stamp="$venv/.installed-$(basename "$req")"
  sum=$(sha256sum "$req" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    echo "python-env: installing $(basename "$req") into ${SLUICE_VENV:-.venv}" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
    echo "$sum" > "$stamp"
  fi
done
echo "$venv/bin/python"
