#!/usr/bin/env bash
# Make sure the Debian packages the book needs are installed: LaTeX for the PDF,
# Chromium for the browser tests, poppler for PDF checks. Fast when they are there.
# On Debian/Ubuntu as root it installs what is missing; elsewhere it prints the command.
# Extra package names given as arguments are checked too (the Makefile passes python3-venv
# when the virtual environment cannot be created, and nodejs npm when `make test` finds no npm
# to install axe-core with).
set -euo pipefail

PACKAGES=("$@" latexmk texlive-latex-recommended texlive-fonts-recommended texlive-latex-extra
          tex-gyre chromium poppler-utils)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

command="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them (as root, on Debian or Ubuntu) and run make again:" >&2
  echo "  $command" >&2
  exit 1
fi
