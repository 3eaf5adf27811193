# Sourced by ./run and ./test: find Python 3.11+, make .venv, install FairShare into it.
# Usage: bootstrap_venv [EXTRAS]   (EXTRAS e.g. "test"); sets $VENV_PY.

find_python() {
  local c
  for c in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$c" ] || continue
    command -v "$c" >/dev/null 2>&1 || continue
    if "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi
}

bootstrap_venv() {
  local extras="${1:-}" py stamp want
  py=$(find_python) || { echo "FairShare needs Python 3.11 or newer; none was found on PATH." >&2; exit 2; }
  if [ ! -x .venv/bin/python ]; then
    echo "Setting up .venv with $($py --version) (first run only) ..."
    if ! "$py" -m venv .venv 2>/dev/null; then
      rm -rf .venv
      local ver pkg
      ver=$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
      pkg="python${ver}-venv"
      if command -v apt-get >/dev/null 2>&1 && as_root true 2>/dev/null \
        && { as_root apt-get install -y -q "$pkg" >/dev/null 2>&1 \
             || as_root apt-get install -y -q python3-venv >/dev/null 2>&1; }; then
        echo "Installed $pkg."
        "$py" -m venv .venv
      else
        echo "Python cannot make virtual environments here. Install them with:" >&2
        echo "  sudo apt-get install $pkg" >&2
        exit 2
      fi
    fi
  fi
  want="base"
  [ -n "$extras" ] && want="$extras"
  stamp=".venv/.installed-$want"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "Installing FairShare and its libraries into .venv ..."
    .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
    if [ -n "$extras" ]; then
      .venv/bin/python -m pip install -q -e ".[$extras]"
    else
      .venv/bin/python -m pip install -q -e .
    fi
    touch "$stamp"
  fi
  VENV_PY="$PWD/.venv/bin/python"
}

# The shared libraries Qt needs at run time (also offscreen).
QT_LIBS="libglib2.0-0 libgl1 libxkbcommon0 libegl1 libfreetype6 libfontconfig1 libdbus-1-3"

qt_libs_missing() {
  local lib
  for lib in libglib-2.0.so.0 libGL.so.1 libxkbcommon.so.0 libEGL.so.1 libfreetype.so.6 libfontconfig.so.1 libdbus-1.so.3; do
    ldconfig -p 2>/dev/null | grep -q "$lib" || return 0
  done
  return 1
}

ensure_qt_libs() {
  qt_libs_missing || return 0
  if command -v apt-get >/dev/null 2>&1 && as_root true 2>/dev/null; then
    echo "Installing the system libraries Qt needs ..."
    as_root apt-get update -q >/dev/null 2>&1 || true
    # shellcheck disable=SC2086
    as_root apt-get install -y -q $QT_LIBS >/dev/null
  else
    echo "Qt needs system libraries that are missing. Install them with:" >&2
    echo "  sudo apt-get install $QT_LIBS" >&2
  fi
}
