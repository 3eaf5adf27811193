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

# The X11 helper libraries Qt's xcb platform plugin loads (Qt 6.5+ needs xcb-cursor).
# ./build puts them in the Linux bundle, so the build machine needs them.
XCB_HELPER_PACKAGES="libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0"

ensure_xcb_helpers() {
  local lib missing=0
  for lib in libxcb-cursor.so.0 libxcb-icccm.so.4 libxcb-keysyms.so.1 libxcb-image.so.0 libxcb-render-util.so.0 libxcb-shape.so.0 libxcb-randr.so.0 libxcb-xinerama.so.0 libxcb-xkb.so.1 libxkbcommon-x11.so.0; do
    ldconfig -p 2>/dev/null | grep -q "$lib" || missing=1
  done
  [ "$missing" = 1 ] || return 0
  if command -v apt-get >/dev/null 2>&1 && as_root true 2>/dev/null; then
    echo "Installing the X11 libraries the bundle carries for Qt ..."
    # shellcheck disable=SC2086
    as_root apt-get install -y -q $XCB_HELPER_PACKAGES >/dev/null 2>&1 \
      || { as_root apt-get update -q >/dev/null 2>&1 && as_root apt-get install -y -q $XCB_HELPER_PACKAGES >/dev/null; }
  else
    echo "The bundle carries X11 libraries this machine lacks; install them with:" >&2
    echo "  sudo apt-get install $XCB_HELPER_PACKAGES" >&2
  fi
}
