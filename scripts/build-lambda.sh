#!/bin/sh
# build-lambda.sh: packs the Lambda function's zip (a provided.al2023 custom
# runtime): bootstrap at the root (a static program that starts
# bin/spotbench through the loader bundled as lib/ld.so), every shared
# library the binary needs as ldd resolves it here, glibc and the loader
# included, libcurl and libxml2 (opened at run time) with theirs
# (scripts/runtime-libs.sh), and the CA bundle as ca-certificates.crt.
# Files are stored in a fixed order with a fixed date, so the same inputs
# give the same zip.
#
#   scripts/build-lambda.sh SPOTBENCH BOOTSTRAP OUT.zip
#
# Fails when the zip is over Lambda's limits for a direct upload: 50 MB
# zipped, 250 MB unzipped.
set -eu
bin=$1 boot=$2 out=$3
CA=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
for f in "$bin" "$boot" "$CA"; do
    [ -r "$f" ] || { echo "build-lambda: $f: not found" >&2; exit 1; }
done
stage=$(mktemp -d "${TMPDIR:-/tmp}/spotbench-lambda.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM
mkdir -p "$stage/bin" "$stage/lib"
cp "$boot" "$stage/bootstrap"
cp "$bin" "$stage/bin/spotbench"
cp "$CA" "$stage/ca-certificates.crt"

# What the binary links and what it opens at run time (libcurl, libxml2),
# with their dependencies; the loader becomes lib/ld.so, whose
# --library-path (the bootstrap's) dlopen searches as well.
libs=$("$(dirname "$0")/runtime-libs.sh" "$bin") || exit 1
echo "$libs" | while read -r name path; do
    [ "$name" = LOADER ] || cp -L "$path" "$stage/lib/$name"
done
loader=$(echo "$libs" | awk '$1 == "LOADER" {print $2; exit}')
[ -n "$loader" ] || { echo "build-lambda: no dynamic loader in ldd's answer" >&2; exit 1; }
cp -L "$loader" "$stage/lib/ld.so"
# The loader may also be listed under its own soname; keep one copy.
rm -f "$stage/lib/$(basename "$loader")"
# What libcurl and libxml2 link for protocols and encodings spotbench never
# uses becomes stubs (ICU alone is 31 MB): scripts/lambda-stubs.sh.
"$(dirname "$0")/lambda-stubs.sh" "$stage" || exit 1
chmod 755 "$stage/bootstrap" "$stage/bin/spotbench" "$stage/lib/ld.so"
chmod 644 "$stage/ca-certificates.crt" "$stage"/lib/*.so.*
find "$stage" -exec touch -h -d '2020-01-01 00:00:00' {} +

mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
rm -f "$out.tmp"
(cd "$stage" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | zip -X -q "$out.tmp" -@) ||
    { echo "build-lambda: zip failed" >&2; rm -f "$out.tmp"; exit 1; }
zipped=$(stat -c %s "$out.tmp")
unzipped=$(du -sb "$stage" | cut -f1)
if [ "$zipped" -gt 50000000 ] || [ "$unzipped" -gt 250000000 ]; then
    echo "build-lambda: too large for Lambda: $zipped bytes zipped (limit 50 MB)," \
         "$unzipped unzipped (limit 250 MB)" >&2
    rm -f "$out.tmp"
    exit 1
fi
mv "$out.tmp" "$out"
nlib=$(ls "$stage/lib" | wc -l)
echo "build-lambda: $out: $zipped bytes zipped, $unzipped unzipped, $nlib libraries"
