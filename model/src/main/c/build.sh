#!/bin/sh
# Builds the native tile kernels (bf16_tiles.c, f32_tiles.c, amx_tiles.c) and softmax.c into $1/libspecd_tiles.so; run by the model module's
# Maven build. Without a C compiler, or off x86-64 Linux, it builds nothing and says so: the Java
# kernels then serve alone (NativeTiles.available() is false).
#   sh model/src/main/c/build.sh model/target/classes/native/linux-x86_64
set -eu
out="$1"
here="$(dirname "$0")"
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
# the Java kernels' do. amx_tiles.c alone gets the AMX flags (its code runs only where
# specd_amx_init found AMX); a compiler without them builds it without AMX.
objects="$(mktemp -d)"
trap 'rm -rf "$objects"' EXIT
flags="-O3 -std=c11 -Wall -Wextra -Werror -fPIC"
"$compiler" $flags -mavx512f -c -o "$objects/bf16_tiles.o" "$here/bf16_tiles.c"
"$compiler" $flags -mavx512f -c -o "$objects/f32_tiles.o" "$here/f32_tiles.c"
"$compiler" $flags -mavx512f -c -o "$objects/softmax.o" "$here/softmax.c"
amx="-mavx512f -mavx512bw -mamx-tile -mamx-bf16"
if ! echo 'int main(void) { return 0; }' | "$compiler" $amx -x c -c -o /dev/null - 2>/dev/null; then
  echo "specd: $compiler does not know AMX (-mamx-tile -mamx-bf16); building the native tile kernels without it" >&2
  amx=""
fi
"$compiler" $flags $amx -c -o "$objects/amx_tiles.o" "$here/amx_tiles.c"
"$compiler" -shared -o "$out/libspecd_tiles.so" "$objects"/*.o -lpthread
