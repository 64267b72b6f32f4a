#!/usr/bin/env bash
# The install test of issue #17 ("install like sharp and esbuild"), run by .ci/run after the main
# test command (the packages must be built). As root on Linux x64 (unshare -m, overlay mounts):
#
# 1. builds the prebuilt binary into packages/native-blas-linux-x64-gnu and packs every public
#    package (pnpm pack, as publishing would);
#    publint (--strict) and @arethetypeswrong/cli (node16 profile) must report nothing on each;
# 2. installs @krylov/decompositions and @krylov/native-blas (+ the platform package) from the
#    tarballs into fresh folders inside a mount namespace where g++, cc, clang, cmake and the
#    system OpenBLAS/LAPACK(E) libraries and headers are hidden, with npm, with
#    npm --ignore-scripts and with pnpm 10; each time the native backend must load from the
#    prebuilt and give gemm, solve and svd equal to the pure-JS backend's (check.mjs), and
#    `krylov doctor` (the CLI's dist, copied in) must run;
# 3. without a prebuilt and without a compiler, install exits 0, JS answers, and the probe and
#    `krylov doctor` name the cause and the fix: no compiler (scripts run), scripts skipped
#    (--ignore-scripts), optional prebuilt omitted (--omit=optional), and a source build whose
#    libopenblas is missing at run time.
# KRYLOV_INSTALL_TEST_KEEP=1 keeps the work folder; KRYLOV_INSTALL_TEST_PNPM10=0 skips pnpm 10.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd /  # every install below runs in its own folder, never in the repository
HERE="$ROOT/tools/install-test"
WORK="$(mktemp -d /tmp/krylov-install-test.XXXXXX)"
TARBALLS="$WORK/tarballs"
mkdir -p "$TARBALLS"
[ "${KRYLOV_INSTALL_TEST_KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
NPM_FLAGS=(--no-audit --no-fund --loglevel=error)
log() { printf '\n== install-test: %s\n' "$*"; }

if [ "$(uname -sm)" != "Linux x86_64" ] || [ "$(id -u)" != 0 ]; then
  echo "install-test: needs root on Linux x86_64 (mount namespaces); skipped" >&2
  exit 0
fi

log "building the prebuilt binary"
node "$ROOT/packages/native-blas/scripts/build-prebuilt.mjs" 2>/dev/null
PREBUILT="$ROOT/packages/native-blas-linux-x64-gnu/krylov_native_blas.node"
echo "ldd $PREBUILT:"; ldd "$PREBUILT"
if ldd "$PREBUILT" | grep -Eq 'openblas|lapack|blas|gfortran|quadmath|stdc\+\+'; then
  echo "install-test: FAIL: the prebuilt links a BLAS/LAPACK/Fortran/C++ runtime dynamically" >&2; exit 1
fi
echo "size: $(stat -c %s "$PREBUILT") bytes"

log "packing the public packages"
PNPM9="$(npx --yes -p pnpm@9 -c 'command -v pnpm')"
for dir in "$ROOT"/packages/*/; do
  if node -e "process.exit(require('$dir/package.json').private ? 0 : 1)"; then continue; fi
  (cd "$dir" && "$PNPM9" pack --pack-destination "$TARBALLS" >/dev/null 2>&1) || {
    echo "install-test: FAIL: pnpm pack in $dir" >&2; exit 1; }
done
ls -la "$TARBALLS"
for t in "$TARBALLS"/*.tgz; do
  case "$t" in *linux-x64-gnu*) continue ;; esac
  tar tzf "$t" >"$WORK/files.txt"
  grep -qx 'package/dist/index.js' "$WORK/files.txt" || {
    echo "install-test: FAIL: $t has no dist/index.js (build the packages first)" >&2; exit 1; }
done
tgz() { ls "$TARBALLS"/krylov-"$1"-[0-9]*.tgz; }
CORE="$(tgz core-array)"; DEC="$(tgz decompositions)"; NATIVE="$(tgz native-blas)"
PLATFORM="$(tgz native-blas-linux-x64-gnu)"

log "publint and @arethetypeswrong/cli on every tarball"
PUBLINT="$(npx --yes -p publint@0.3 -c 'command -v publint')"
ATTW="$(npx --yes -p @arethetypeswrong/cli@0.18 -c 'command -v attw')"
for t in "$TARBALLS"/*.tgz; do
  out="$("$PUBLINT" --strict "$t" 2>&1)" || true
  if ! grep -q 'All good!' <<<"$out"; then
    echo "$out"; echo "install-test: FAIL: publint reports problems in $(basename "$t")" >&2; exit 1
  fi
  case "$t" in *linux-x64-gnu*) continue ;; esac  # a .node file, no JavaScript or types to check
  # node16 profile: engines is node >= 20; the node10 resolution mode (no exports maps) cannot see
  # the ./internal subpaths, which are not public API.
  "$ATTW" --profile node16 --format table-flipped "$t" >"$WORK/attw.txt" 2>&1 || {
    cat "$WORK/attw.txt"; echo "install-test: FAIL: attw reports problems in $(basename "$t")" >&2; exit 1; }
done
echo "publint and attw: no problems in $(ls "$TARBALLS" | wc -l) tarballs"

# A @krylov/native-blas tarball as it would be on a platform with no prebuilt package.
mkdir -p "$WORK/noprebuilt" && tar xzf "$NATIVE" -C "$WORK/noprebuilt"
node -e "const f='$WORK/noprebuilt/package/package.json',p=require(f);delete p.optionalDependencies;require('fs').writeFileSync(f,JSON.stringify(p,null,2))"
NOPREBUILT="$WORK/krylov-native-blas-noprebuilt.tgz"
tar czf "$NOPREBUILT" -C "$WORK/noprebuilt" package

# Runs "$@" in a mount namespace without compilers, cmake, or the system BLAS/LAPACK(E).
hidden() {
  unshare -m --propagation private bash -euo pipefail -c '
    t=$(mktemp -d); mount -t tmpfs tmpfs "$t"
    for d in /usr/bin /usr/lib/x86_64-linux-gnu /usr/include; do
      mkdir -p "$t$d/u" "$t$d/w"
      mount -t overlay overlay -o "lowerdir=$d,upperdir=$t$d/u,workdir=$t$d/w" "$d"
    done
    cd /usr/bin && rm -f g++ gcc c++ cc cpp clang clang++ cmake ctest cpack x86_64-linux-gnu-g++* \
      x86_64-linux-gnu-gcc* x86_64-linux-gnu-cpp* g++-* gcc-[0-9]* clang-[0-9]* clang++-[0-9]* c89* c99*
    cd /usr/lib/x86_64-linux-gnu && rm -rf libopenblas* liblapack* libblas* libcblas* libgfortran* openblas-pthread
    cd /usr/include && rm -rf x86_64-linux-gnu/cblas* x86_64-linux-gnu/openblas* x86_64-linux-gnu/f77blas.h lapack*
    for c in g++ gcc c++ cc clang clang++ cmake; do
      if command -v "$c" >/dev/null; then echo "install-test: $c is not hidden" >&2; exit 1; fi
    done
    if ls /usr/lib/x86_64-linux-gnu/libopenblas* /usr/lib/x86_64-linux-gnu/liblapack* >/dev/null 2>&1; then
      echo "install-test: the system OpenBLAS/LAPACK is not hidden" >&2; exit 1; fi
    cd "$PWD_IN"; exec "$@"' hidden "$@"
}
export PWD_IN

# A fresh app folder with check.mjs and the krylov CLI (its dist: doctor needs only core-array).
app() {
  local dir="$WORK/$1"
  mkdir -p "$dir/cli"
  printf '{ "name": "app-%s", "private": true, "type": "module" }\n' "$1" >"$dir/package.json"
  cp "$HERE/check.mjs" "$dir/"
  cp "$ROOT"/tools/cli/dist/*.js "$dir/cli/"
  echo "$dir"
}
doctor() { (cd "$1" && node cli/krylov.js doctor) | tee "$1/doctor.txt"; grep -q "$2" "$1/doctor.txt" || {
  echo "install-test: FAIL: krylov doctor does not say: $2" >&2; exit 1; }; }
seconds() { node -e "console.log(((Date.now() - $1) / 1000).toFixed(1))"; }
now() { node -e 'console.log(Date.now())'; }

log "npm install (scripts run), no compiler, no system BLAS"
A="$(app npm)"; PWD_IN="$A"
hidden npm install "${NPM_FLAGS[@]}" "$CORE" "$DEC"
t0=$(now)
hidden npm install "${NPM_FLAGS[@]}" "$NATIVE" "$PLATFORM"
NPM_TIME=$(seconds "$t0")
hidden node check.mjs available
doctor "$A" "native: available"

log "npm install --ignore-scripts"
B="$(app ignore-scripts)"; PWD_IN="$B"
t0=$(now)
hidden npm install "${NPM_FLAGS[@]}" --ignore-scripts "$CORE" "$DEC" "$NATIVE" "$PLATFORM"
IGNORE_TIME=$(seconds "$t0")
hidden node check.mjs available

PNPM_TIME=skipped
if [ "${KRYLOV_INSTALL_TEST_PNPM10:-1}" = 1 ]; then
  log "pnpm 10 (dependency build scripts not approved)"
  C="$(app pnpm10)"; PWD_IN="$C"
  # The tarballs stand in for the registry: overrides point every @krylov name at its tarball.
  node -e "const f='$C/package.json',p=require(f);p.pnpm={overrides:{'@krylov/core-array':'file:$CORE','@krylov/native-blas-linux-x64-gnu':'file:$PLATFORM'}};require('fs').writeFileSync(f,JSON.stringify(p,null,2))"
  # (outside the repository, whose packageManager field would make pnpm 10 switch to pnpm 9)
  (cd "$C" && npx --yes pnpm@10 --version >/dev/null)
  t0=$(now)
  hidden npx --yes pnpm@10 add --config.confirmModulesPurge=false "$CORE" "$DEC" "$NATIVE" "$PLATFORM"
  PNPM_TIME=$(seconds "$t0")
  hidden node check.mjs available
fi

log "no prebuilt, no compiler: npm install exits 0, JS answers, doctor names the cause"
D="$(app no-compiler)"; PWD_IN="$D"
# The user followed the source-build instructions (the build tools are optional peer dependencies).
hidden npm install "${NPM_FLAGS[@]}" --foreground-scripts "$CORE" "$DEC" "$NOPREBUILT" \
  cmake-js@7 node-addon-api@8 node-api-headers@1
hidden node check.mjs no-toolchain
hidden bash -c 'cd "$0" && node cli/krylov.js doctor' "$D" | tee "$D/doctor.txt"
grep -q "found no C++ compiler or cmake" "$D/doctor.txt" && grep -q "fix: install a C++17 compiler" "$D/doctor.txt"

log "no prebuilt, install script skipped (--ignore-scripts)"
E="$(app skipped)"; PWD_IN="$E"
hidden npm install "${NPM_FLAGS[@]}" --ignore-scripts "$CORE" "$DEC" "$NOPREBUILT"
hidden node check.mjs scripts-skipped
doctor "$E" "npm rebuild @krylov/native-blas --foreground-scripts"

log "prebuilt omitted (--omit=optional), install script skipped"
F="$(app omitted)"; PWD_IN="$F"
hidden npm install "${NPM_FLAGS[@]}" --ignore-scripts --omit=optional "$CORE" "$DEC" "$NATIVE"
hidden node check.mjs prebuilt-not-installed
doctor "$F" "npm install @krylov/native-blas-linux-x64-gnu@"

log "a source build whose libopenblas is missing at run time"
G="$(app runtime-lib)"; PWD_IN="$G"
(cd "$G" && npm install "${NPM_FLAGS[@]}" --ignore-scripts "$CORE" "$DEC" "$NOPREBUILT")
# The repository's source build stands in for one made at install (it links libopenblas.so.0).
mkdir -p "$G/node_modules/@krylov/native-blas/build/Release"
cp "$ROOT/packages/native-blas/build/Release/krylov_native_blas.node" "$G/node_modules/@krylov/native-blas/build/Release/"
printf '{ "result": "built" }\n' >"$G/node_modules/@krylov/native-blas/build/install-status.json"
hidden node check.mjs runtime-library-missing
hidden bash -c 'cd "$0" && node cli/krylov.js doctor' "$G" | grep "which is missing at run time"

log "all public tarballs in one folder: one copy of core-array"
H="$(app all)"; PWD_IN="$H"
(cd "$H" && npm install "${NPM_FLAGS[@]}" --ignore-scripts "$TARBALLS"/krylov-*-[0-9]*.tgz)
n=$(find "$H/node_modules" -path '*/@krylov/core-array/package.json' | wc -l)
[ "$n" = 1 ] || { echo "install-test: FAIL: $n copies of core-array" >&2; exit 1; }

log "ok: install times (native-blas + prebuilt from tarballs, no compiler run): npm ${NPM_TIME}s," \
  "npm --ignore-scripts (all four packages) ${IGNORE_TIME}s, pnpm 10 (all four) ${PNPM_TIME}s;" \
  "prebuilt $(stat -c %s "$PREBUILT") bytes"
