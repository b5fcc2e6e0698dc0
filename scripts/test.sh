#!/usr/bin/env bash
# The whole test suite, on a fresh machine (cargo and the Rust toolchain only).
# It installs what the tests need first: DuckDB for Python in ./.venv (the integration tests read
# the Parquet output with a real DuckDB; the PyPI wheel installs in seconds, while the duckdb
# crate's bundled C++ build takes more than 20 minutes on 2 cores), and Debian's chromium (the
# report test renders the page headless).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-venv)
# Headless Chromium opens the HTML report in tests/analytics.rs (Debian's package).
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if ((${#need_apt[@]})); then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi
if ! .venv/bin/python -c 'import duckdb' >/dev/null 2>&1; then
  if ! python3 -m venv .venv >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    python3 -m venv .venv
  fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check 'duckdb>=1.1'
fi
export GONGKAI_PYTHON="$PWD/.venv/bin/python"

cargo test --all-targets "$@"
