#!/bin/sh
# build-image.sh: an OCI image of spotbench, built offline (no container
# engine) with Debian's umoci, for ECS/Fargate or AWS Batch. The root file
# system is the install tree (`make install DESTDIR=... PREFIX=/usr/local`),
# every shared library the binary needs at the path ldd finds it here (glibc
# and the loader included; libcurl and libxml2, which it opens at run time,
# with theirs), the CA bundle, and /etc/passwd naming the
# unprivileged user it runs as (spotbench, uid 65532). Nothing else: no
# shell, no package manager.
#
#   scripts/build-image.sh INSTALL_TREE OUT.tar [TAG]
#
# OUT.tar is an OCI image layout (index.json, blobs/); push it with e.g.
# `skopeo copy oci-archive:OUT.tar:TAG docker://ACCOUNT.dkr.ecr.REGION.amazonaws.com/spotbench:TAG`.
# deploy/oci/Dockerfile builds the same image where a Docker engine exists.
set -eu
tree=$1 out=$2 tag=${3:-latest}
command -v umoci >/dev/null || { echo "build-image: umoci not found (apt-get install umoci)" >&2; exit 1; }
bin="$tree/usr/local/bin/spotbench"
[ -x "$bin" ] || { echo "build-image: $bin: not found (make install DESTDIR=$tree PREFIX=/usr/local)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/spotbench-image.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
root="$work/root"
mkdir -p "$root"
cp -a "$tree/." "$root/"
# The libraries at their own paths, so the binary's interpreter and the
# default search path (dlopen's too) find them: those the binary links and
# those it opens for AWS calls (scripts/runtime-libs.sh).
libs=$("$(dirname "$0")/runtime-libs.sh" "$bin") || exit 1
echo "$libs" | while read -r name lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done
mkdir -p "$root/etc/ssl/certs" "$root/tmp" "$root/var/lib/spotbench" "$root/etc/spotbench"
cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nspotbench:x:65532:65532:spotbench:/var/lib/spotbench:/usr/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nspotbench:x:65532:\n' > "$root/etc/group"
chown -R 65532:65532 "$root/var/lib/spotbench" 2>/dev/null || true

layout="$work/layout"
rootless=
[ "$(id -u)" -eq 0 ] || rootless=--rootless
umoci init --layout "$layout"
umoci new --image "$layout:$tag"
umoci unpack $rootless --image "$layout:$tag" "$work/bundle" >/dev/null
cp -a "$root/." "$work/bundle/rootfs/"
umoci repack --image "$layout:$tag" "$work/bundle"
case $(uname -m) in aarch64) arch=arm64 ;; *) arch=amd64 ;; esac
umoci config --image "$layout:$tag" --os linux --architecture "$arch" \
    --config.user 65532:65532 --config.workingdir /var/lib/spotbench \
    --config.entrypoint /usr/local/bin/spotbench \
    --config.cmd live --config.cmd --config --config.cmd /etc/spotbench/live.json \
    --config.env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    --config.env AWS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
    --config.label org.opencontainers.image.title=spotbench \
    --config.label "org.opencontainers.image.description=Spot Fleet + on-demand fallback controller (spotbench live)"
umoci gc --layout "$layout"
mkdir -p "$(dirname "$out")"
tar -C "$layout" -cf "$out.tmp" .
mv "$out.tmp" "$out"
echo "build-image: $out: OCI image layout, tag $tag, $(stat -c %s "$out") bytes"
