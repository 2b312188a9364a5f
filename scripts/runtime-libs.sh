#!/bin/sh
# runtime-libs.sh: every shared library a spotbench binary needs at run time,
# as the loader resolves them on this machine, one "NAME PATH" a line: what
# ldd lists for the binary (glibc included; the loader itself as "LOADER
# PATH"), then the libraries the binary opens with dlopen when a command
# first talks to AWS (libcurl.so.4 and libxml2.so.2: AWS_CURL_SONAME and
# AWS_XML_SONAME in aws/aws_int.h), with everything they need in turn. ldd
# cannot see those two: the binary does not link them (aws/dl.c).
#
#   scripts/runtime-libs.sh SPOTBENCH
#
# Used by build-lambda.sh and build-image.sh to bundle them. Fails, naming
# them, when a library cannot be found.
set -eu
bin=$1
DLOPENED="libcurl.so.4 libxml2.so.2"
LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)

# "libx.so.1 => /lib/.../libx.so.1 (0x...)", the loader's own line
# "/lib64/ld-linux-x86-64.so.2 (0x...)", "libx.so.1 => not found".
list() {
    out=$(ldd "$1") || { echo "runtime-libs: ldd $1 failed" >&2; exit 1; }
    if echo "$out" | grep -q "not found"; then
        echo "runtime-libs: $1: missing libraries:" >&2
        echo "$out" | grep "not found" >&2
        exit 1
    fi
    echo "$out" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}
                       $1 ~ /^\/.*ld-linux/ {print "LOADER", $1}'
}

deps=$(list "$bin")
# A soname is found where ld.so.cache puts it, for the same ABI as the
# binary's own libc (ldconfig -p also lists, say, 32-bit copies).
libc=$(echo "$deps" | awk '$1 == "libc.so.6" {print $2; exit}')
abi=$("$LDCONFIG" -p | awk -v p="$libc" '$1 == "libc.so.6" && $NF == p {print $2; exit}')
[ -n "$abi" ] || { echo "runtime-libs: $libc is not in ldconfig's cache" >&2; exit 1; }
for so in $DLOPENED; do
    path=$("$LDCONFIG" -p | awk -v n="$so" -v a="$abi" '$1 == n && $2 == a {print $NF; exit}')
    [ -n "$path" ] || {
        echo "runtime-libs: $so (opened at run time for AWS calls) not found: install it (scripts/install-deps.sh)" >&2
        exit 1
    }
    more=$(list "$path")
    deps=$(printf '%s\n%s %s\n%s\n' "$deps" "$so" "$path" "$more")
done
# One line a name, in the order first seen.
echo "$deps" | awk 'NF == 2 && !seen[$1]++'
