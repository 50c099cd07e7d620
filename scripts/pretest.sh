#!/usr/bin/env bash
# Makes sure the system programs the test suite drives are present, then builds what the
# server serves. As root, missing Debian packages are installed with apt-get; otherwise the
# script stops and names the package to install.
set -euo pipefail
cd "$(dirname "$0")/.."

# program → Debian package
declare -A needed=( [chromium]=chromium [redis-server]=redis-server [nginx]=nginx )
missing=()
for program in "${!needed[@]}"; do
  # nginx lives in /usr/sbin, which a non-root PATH may lack.
  command -v "$program" >/dev/null 2>&1 || [ -x "/usr/sbin/$program" ] || missing+=("${needed[$program]}")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "pretest: installing ${missing[*]} with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "pretest: missing system packages: ${missing[*]} (install them with: sudo apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
fi

npm run --silent build
