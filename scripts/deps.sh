# Sourced by scripts/run and scripts/test: makes sure the Debian packages vqsim needs are there.
# As root it installs what is missing; otherwise it names the missing packages and stops.

VQSIM_BUILD_PACKAGES=(build-essential cmake libeigen3-dev nlohmann-json3-dev libspdlog-dev
  libnlopt-cxx-dev libspectra-dev libgtest-dev libgmock-dev libbenchmark-dev)
VQSIM_TEST_PACKAGES=(python3 python3-yaml python3-jsonschema)

vqsim_missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

# vqsim_ensure_packages PKG...: install (root) or explain (non-root) what is missing.
vqsim_ensure_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0  # not Debian: trust the environment
  local missing
  missing=$(vqsim_missing_packages "$@" | tr '\n' ' ')
  [ -z "${missing// /}" ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    echo "vqsim: installing missing Debian packages: $missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends $missing >&2 || {
      echo "vqsim: apt-get could not install: $missing" >&2
      return 1
    }
  else
    echo "vqsim: missing Debian packages: $missing" >&2
    echo "vqsim: install them with: sudo apt-get install $missing" >&2
    return 1
  fi
}

# A Python 3 that has PyYAML and jsonschema (the end-to-end tests read stdout with them).
vqsim_python() {
  local py
  for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import yaml, jsonschema' 2>/dev/null; then
      command -v "$py"
      return 0
    fi
  done
  return 1
}

# vqsim_build BUILD_DIR: configure (once) and build incrementally.
vqsim_build() {
  local build_dir=$1
  shift
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    cmake -S "$VQSIM_ROOT" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release "$@" >&2 || return 1
  elif [ $# -gt 0 ]; then
    cmake "$build_dir" "$@" >&2 || return 1
  fi
  cmake --build "$build_dir" -j "$(nproc)" >&2
}
