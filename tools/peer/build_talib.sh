#!/usr/bin/env bash
# Builds TA-Lib's C library, the peer of kairos' indicator benchmarks, from the C sources that the
# npm package `talib` bundles. Everything lands under build/peer/ (git-ignored); nothing here is
# tracked, and neither the normal build nor the tests depend on it.
#
#   tools/peer/build_talib.sh            # build once; later runs only print where it is
#   tools/peer/build_talib.sh --force    # rebuild
#
# Result: build/peer/talib/libta_lib.a and build/peer/talib/include/*.h (ta_libc.h, ta_func.h...).
# If npm or the registry is unreachable, says so and exits 0: the benchmarks then run without it.
# Environment: KAIROS_PEER_DIR (default <repo>/build/peer), TALIB_NPM_SPEC (default talib@1.1.6,
# the last release that bundles TA-Lib's C sources), CC (default gcc).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
peer_dir="${KAIROS_PEER_DIR:-${repo}/build/peer}"
out="${peer_dir}/talib"
spec="${TALIB_NPM_SPEC:-talib@1.1.6}"
cc="${CC:-gcc}"
force=0
[[ "${1:-}" == "--force" ]] && force=1

if [[ ${force} -eq 0 && -f "${out}/libta_lib.a" && -f "${out}/include/ta_libc.h" ]]; then
  echo "talib: already built: ${out}/libta_lib.a (headers in ${out}/include)"
  exit 0
fi

skip() {
  echo "talib: $*; benchmarks will run without the TA-Lib peer." >&2
  exit 0
}

command -v npm >/dev/null 2>&1 || skip "npm not found"
command -v "${cc}" >/dev/null 2>&1 || skip "${cc} not found"

work="${peer_dir}/talib-src"
rm -rf "${work}"
mkdir -p "${work}"
echo "talib: fetching ${spec} from the npm registry into ${work}"
if ! (cd "${work}" && timeout 300 npm pack --silent --fetch-retries=1 --fetch-timeout=60000 "${spec}" >pack.log 2>&1); then
  cat "${work}/pack.log" >&2 || true
  skip "could not fetch ${spec} (registry unreachable?)"
fi
tarball="$(ls "${work}"/*.tgz 2>/dev/null | head -n 1)"
[[ -n "${tarball}" ]] || skip "npm pack produced no tarball"
tar -xzf "${tarball}" -C "${work}"

# The package keeps TA-Lib's tree somewhere below package/ (src/lib in 1.x); find it by its files.
func_h="$(find "${work}/package" -name ta_func.h -path '*include*' | head -n 1)"
sma_c="$(find "${work}/package" -name ta_SMA.c | head -n 1)"
[[ -n "${func_h}" && -n "${sma_c}" ]] || skip "${spec} bundles no TA-Lib C sources"
inc="$(dirname "${func_h}")"
func_dir="$(dirname "${sma_c}")"
common_dir="$(cd "${func_dir}/../ta_common" && pwd)"
echo "talib: sources: ${func_dir} and ${common_dir}; headers: ${inc}"

# Only ta_common and ta_func are needed (the abstract interface is not used by the benchmarks).
obj="${work}/obj"
mkdir -p "${obj}"
cflags=(-O3 -fPIC -fno-strict-aliasing -DTA_SINGLE_THREAD -w -I"${inc}" -I"${common_dir}"
        -I"${func_dir}")
sources=("${common_dir}"/*.c "${func_dir}"/*.c)
echo "talib: compiling ${#sources[@]} files with ${cc} ${cflags[*]:0:4} (2 jobs)"
printf '%s\n' "${sources[@]}" |
  xargs -P 2 -I{} sh -c 'f="$1"; shift; exec "$@" -c "$f" -o "'"${obj}"'/$(basename "$f" .c).o"' \
    _ {} "${cc}" "${cflags[@]}"

mkdir -p "${out}/include"
rm -f "${out}/libta_lib.a"
ar rcs "${out}/libta_lib.a" "${obj}"/*.o
cp "${inc}"/*.h "${out}/include/"
cp "${work}/package/COPYING" "${out}/COPYING" 2>/dev/null || true
echo "${spec}" >"${out}/VERSION"
rm -rf "${obj}"
echo "talib: built ${out}/libta_lib.a ($(du -h "${out}/libta_lib.a" | cut -f1)), headers in ${out}/include"
