#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages parbench needs. Idempotent and silent when everything is present.
# Skip it entirely with PARBENCH_SKIP_INSTALL=1 or --skip (clusters without root, pre-provisioned images).
# Extra groups for optional parts: --with slurm (a real local Slurm), --with mnist (libtorch + Fashion-MNIST).
set -euo pipefail

usage() { echo "usage: ci/install_deps.sh [--skip] [--with slurm|mnist]..." >&2; exit 2; }

core=(cmake g++ make pkg-config libbenchmark-dev libgtest-dev libtbb-dev
      openmpi-bin libopenmpi-dev libopenblas-dev libhwloc-dev hwloc nlohmann-json3-dev
      python3 python3-matplotlib python3-numpy python3-scipy python3-pytest python3-jsonschema python3-hypothesis python3-yaml
      procps util-linux)
extra=()
skip=${PARBENCH_SKIP_INSTALL:-0}
while [ $# -gt 0 ]; do
  case "$1" in
    --skip) skip=1 ;;
    --with)
      [ $# -ge 2 ] || usage
      case "$2" in
        slurm) extra+=(slurm-wlm munge libpmix-dev) ;;
        mnist) extra+=(libtorch-dev dataset-fashion-mnist) ;;
        *) echo "install_deps: unknown group '$2' (known: slurm, mnist)" >&2; exit 2 ;;
      esac
      shift ;;
    -h|--help) usage ;;
    *) echo "install_deps: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
[ "$skip" = 1 ] && exit 0

missing=()
for pkg in "${core[@]}" "${extra[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "install_deps: missing packages (${missing[*]}) and no apt-get; install them by hand or set PARBENCH_SKIP_INSTALL=1" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install_deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >/dev/null
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
