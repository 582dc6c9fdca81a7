#!/usr/bin/env bash
# One entry point for a fresh machine: installs everything the project needs, then
#   bash scripts/dev.sh serve   → serves the site on http://127.0.0.1:8000/ (live reload)
#   bash scripts/dev.sh preview <call-id>…
#                               → serves only these calls and what they link to (a funder's
#                                 preview: a second or two per save, whatever the size of calls/)
#   bash scripts/dev.sh test    → runs ruff and mypy (configured in pyproject.toml), then the
#                                 whole test suite (what CI runs)
#   bash scripts/dev.sh build   → builds the site into site/
#   bash scripts/dev.sh setup   → only installs
set -euo pipefail
cd "$(dirname "$0")/.."

export NO_MKDOCS_2_WARNING=1
VENV=.venv
PY="$VENV/bin/python"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq || return 1; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || return 1
}

setup_python() {
  if [ ! -x "$PY" ]; then
    if ! python3 -m venv "$VENV" 2>/dev/null; then
      echo "» python3-venv est absent : installation du paquet Debian…"
      rm -rf "$VENV"
      apt_install python3-venv && python3 -m venv "$VENV"
    fi
  fi
  # Reinstall only when the dependency list changed.
  local stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    echo "» Installation des paquets Python…"
    "$PY" -m pip install -q --upgrade pip
    "$PY" -m pip install -q -e '.[test]'
    rm -f "$VENV"/.installed-* && touch "$stamp"
  fi
}

setup_node() {
  if ! command -v npm >/dev/null; then
    echo "» npm est absent : installation des paquets Debian nodejs et npm…"
    apt_install nodejs npm
  fi
  local stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    echo "» Installation des paquets npm (package-lock.json)…"
    npm ci --no-audit --no-fund --loglevel=error
    touch "$stamp"
  fi
}

setup_chromium() {
  if ! command -v chromium >/dev/null; then
    echo "» Chromium est absent : installation du paquet Debian (tests dans le navigateur)…"
    apt_install chromium || echo "!! Impossible d'installer chromium : les tests navigateur échoueront." >&2
  fi
}

setup_browser_wheels() {
  # The call-file check in the browser (/publier/verifier/) runs the build's own dependencies:
  # their wheels, at the versions installed above, fetched from PyPI into node_modules/.cache.
  "$PY" -c 'from pathlib import Path; from macros.verifier import wheels; wheels(Path("."))' \
    || echo "!! Impossible de télécharger les paquets Python de la page de vérification (PyPI) : la construction réessaiera." >&2
}

cmd="${1:-help}"
case "$cmd" in
  setup) setup_python; setup_node; setup_browser_wheels ;;
  serve)
    setup_python; setup_node
    exec "$VENV/bin/mkdocs" serve --strict -a "${ADDRESS:-127.0.0.1:8000}" ;;
  preview)
    shift || true
    if [ $# -eq 0 ]; then
      echo "usage : bash scripts/dev.sh preview <identifiant de l'appel> [<identifiant>…]" >&2
      echo "        (le nom du fichier de calls/ sans .yaml, ou son chemin)" >&2
      exit 2
    fi
    setup_python; setup_node
    export APPELS_PREVIEW="$*"
    first="${1##*/}"; first="${first%.yaml}"
    echo "» Aperçu de ${APPELS_PREVIEW} : http://${ADDRESS:-127.0.0.1:8000}/appels/${first}/"
    exec "$VENV/bin/mkdocs" serve --strict -a "${ADDRESS:-127.0.0.1:8000}" ;;
  build)
    setup_python; setup_node
    exec "$VENV/bin/mkdocs" build --strict ;;
  test)
    setup_python; setup_node; setup_chromium
    shift || true
    echo "» ruff (style et erreurs courantes)…"
    "$VENV/bin/ruff" check .
    echo "» mypy (types)…"
    "$VENV/bin/mypy"
    exec "$PY" -m pytest -n "${PYTEST_WORKERS:-2}" "$@" ;;
  *)
    echo "usage : bash scripts/dev.sh serve | preview <identifiant>… | test | build | setup" >&2
    exit 2 ;;
esac
