#!/bin/sh
# Builds the native tile kernels (bf16_tiles.c, f32_tiles.c) into $1/libspecd_tiles.so; run by the model module's
# Maven build. Without a C compiler, or off x86-64 Linux, it builds nothing and says so: the Java
# kernels then serve alone (NativeTiles.available() is false).
#   sh model/src/main/c/build.sh model/target/classes/native/linux-x86_64
set -eu
out="$1"
sources="$(dirname "$0")/bf16_tiles.c $(dirname "$0")/f32_tiles.c"
compiler="${CC:-cc}"
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "specd: no native tile kernels for $(uname -s)-$(uname -m); the Java kernels serve" >&2
  exit 0
fi
if ! command -v "$compiler" >/dev/null 2>&1; then
  echo "specd: no C compiler ($compiler) found; building without the native tile kernels (the Java kernels serve)" >&2
  exit 0
fi
mkdir -p "$out"
# AVX-512F only, not -march=native: the library runs on any AVX-512 machine, and NativeTiles loads
# it only where the JVM's widest float vector is 512 bits. No -ffast-math: the sums must round as
# the Java kernels' do.
"$compiler" -O3 -mavx512f -std=c11 -Wall -Wextra -Werror -shared -fPIC -o "$out/libspecd_tiles.so" $sources
