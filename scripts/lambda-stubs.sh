#!/bin/sh
# lambda-stubs.sh: shrinks the Lambda zip's library folder by replacing the
# libraries that libcurl and libxml2 link for what spotbench never asks of
# them with stubs: ICU (31 MB of data: libxml2 converts with it only
# documents in encodings it lacks; AWS answers in UTF-8), RTMP and its
# GnuTLS stack (rtmp:// URLs), LDAP, SSH (scp://, sftp://), GSS-API and
# Kerberos (Negotiate authentication), IDN and the public suffix list
# (non-ASCII host names, cookies). A stub has the real library's soname
# and defines, under their symbol versions, exactly the symbols the
# libraries kept import from it, each a function returning 0 (which
# libssh2_init, the one called when libcurl starts, reads as success).
# Then every library no longer needed (by bin/spotbench, libcurl.so.4,
# libxml2.so.2 and theirs, read with objdump) is removed.
#
#   scripts/lambda-stubs.sh STAGE    (STAGE/bin/spotbench, STAGE/lib/)
#
# tests/aws/test_lambda.py runs the zip in an empty root against moto: the
# HTTP, XML and signing paths go through the libraries kept.
set -eu
stage=$1
lib=$stage/lib
CC=${CC:-cc}
STUBS="libicuuc.so.72 librtmp.so.1 libldap-2.5.so.0 liblber-2.5.so.0 libssh2.so.1
libgssapi_krb5.so.2 libidn2.so.0 libpsl.so.5"
work=$(mktemp -d "${TMPDIR:-/tmp}/spotbench-stubs.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

is_stub() { case " $(echo $STUBS) " in *" $1 "*) return 0 ;; esac; return 1; }

# What the libraries kept (and the binary) import: "name@version" or "name".
for f in "$stage/bin/spotbench" "$lib"/*.so*; do
    n=$(basename "$f")
    is_stub "$n" && continue
    [ "$n" = ld.so ] && continue
    nm -D --undefined-only --with-symbol-versions "$f" 2>/dev/null | awk '{print $2}'
done | sed 's/@@*/@/' | sort -u >"$work/imports"

for so in $STUBS; do
    [ -e "$lib/$so" ] || continue
    # Its definitions: "name@version TYPE"; those imported are stubbed.
    nm -D --defined-only --with-symbol-versions "$lib/$so" |
        awk '{print $3, $2}' | sed 's/@@*/@/' | sort -u >"$work/defs"
    awk 'NR == FNR {want[$1] = 1; next} ($1 in want) {print}' "$work/imports" "$work/defs" \
        >"$work/used"
    c=$work/${so%%.so*}.c
    v=$work/${so%%.so*}.map
    : >"$c"
    : >"$v"
    awk '{split($1, a, "@"); n = a[1]
          if ($2 ~ /^[TtWwi]$/) print "long " n "(void) { return 0; }"
          else print "char " n "[64] __attribute__((aligned(16)));"}' "$work/used" >>"$c"
    # The version nodes, each with its symbols; unversioned ones in none.
    awk '{split($1, a, "@"); if (a[2] != "") s[a[2]] = s[a[2]] " " a[1] ";"}
         END {for (k in s) print k " {" s[k] " };"}' "$work/used" | sort >>"$v"
    [ -s "$c" ] || echo "int spotbench_stub_empty;" >"$c"
    if [ -s "$v" ]; then map="-Wl,--version-script=$v"; else map=; fi
    # shellcheck disable=SC2086
    "$CC" -shared -fPIC -O1 -nostdlib -Wl,-soname,"$so" $map -o "$work/$so" "$c" ||
        { echo "lambda-stubs: cannot build the stub of $so" >&2; exit 1; }
    cp "$work/$so" "$lib/$so"
done

# Keep what is still needed, from the binary and the two opened at run time.
: >"$work/keep"
queue="spotbench libcurl.so.4 libxml2.so.2"
while [ -n "$queue" ]; do
    set -- $queue
    n=$1
    shift
    queue=$*
    grep -qx "$n" "$work/keep" && continue
    case $n in ld-linux*) continue ;; esac # the loader: lib/ld.so
    echo "$n" >>"$work/keep"
    if [ "$n" = spotbench ]; then f=$stage/bin/spotbench; else f=$lib/$n; fi
    [ -e "$f" ] || { echo "lambda-stubs: $n is needed and missing" >&2; exit 1; }
    for d in $(objdump -p "$f" | awk '$1 == "NEEDED" {print $2}'); do
        queue="$queue $d"
    done
done
for f in "$lib"/*; do
    n=$(basename "$f")
    [ "$n" = ld.so ] && continue
    grep -qx "$n" "$work/keep" || rm -f "$f"
done
