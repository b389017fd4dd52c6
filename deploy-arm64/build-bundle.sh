#!/usr/bin/env bash
# Builds the self-contained gateway bundle for one pole platform:
#   deploy-arm64/build-bundle.sh [--rid linux-arm64|linux-x64] [--out DIR] [--version X.Y.Z]
# Result: DIR/edge-gateway-<version>-<rid>.tar.gz (one top folder of the same name) and that folder
# unpacked beside it. What is inside, and why: deploy-arm64/README.md.
set -euo pipefail

rid=linux-arm64
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$repo/.cache/bundles
version=

usage() { echo "usage: $0 [--rid linux-arm64|linux-x64] [--out DIR] [--version X.Y.Z]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --rid) [ $# -ge 2 ] || usage; rid=$2; shift 2 ;;
    --out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
    --version) [ $# -ge 2 ] || usage; version=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
case $rid in
  linux-arm64|linux-x64) ;;
  *) echo "unsupported RID '$rid': poles are linux-arm64, tests use linux-x64" >&2; exit 2 ;;
esac
# Three numbers: the gateway reports its assembly version (X.Y.Z), and install.sh sorts releases by it.
if [ -n "$version" ] && ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "version '$version' is not X.Y.Z (three numbers)" >&2
  exit 2
fi

model=$repo/models/person
if [ ! -f "$model/manifest.json" ] || [ ! -f "$model/model.onnx" ]; then
  echo "the person model is missing ($model): run tools/setup.sh" >&2
  exit 1
fi

started=$(date +%s)
mkdir -p "$out"
out=$(cd "$out" && pwd)
[ -n "$version" ] || version=$(dotnet msbuild "$repo/Gateway.Host/Gateway.Host.csproj" -nologo -getProperty:Version)
name=edge-gateway-$version-$rid
stage=$out/$name
rm -rf "$stage" "$stage.tar.gz"

# Own bin/obj per RID (not the projects' bin/ and obj/): a bundle build never races a developer's
# or the test run's build of the same projects. UseAppHost overrides the project's portable default.
# SatelliteResourceLanguages: the CLI's translated messages are not for a pole (-1 MB, 13 folders).
dotnet publish "$repo/Gateway.Host/Gateway.Host.csproj" -c Release -r "$rid" --self-contained \
  --artifacts-path "$repo/.cache/bundle-build/$rid" \
  -p:UseAppHost=true -p:PublishReadyToRun=true -p:SatelliteResourceLanguages=en -p:Version="$version" \
  -nologo -v:q -o "$stage"

# A RID-specific publish flattens that RID's natives into the root; a runtimes/ folder would mean
# another platform's files came along.
if [ -e "$stage/runtimes" ]; then
  echo "the publish output has a runtimes/ folder: other platforms' natives are inside" >&2
  exit 1
fi

mkdir -p "$stage/models/person"
cp "$model/manifest.json" "$model/model.onnx" "$stage/models/person/"
cp "$repo/deploy-arm64/gateway.example.json" "$stage/gateway.example.json"
# What a pole needs to install it: the unit, the udev rules and the scripts (README: operator steps).
mkdir -p "$stage/deploy"
cp "$repo/deploy-arm64/edge-gateway.service" "$repo/deploy-arm64/99-edge-gateway.rules" "$stage/deploy/"
install -m 0755 "$repo/deploy-arm64/install.sh" "$repo/deploy-arm64/upgrade.sh" "$repo/deploy-arm64/rollback.sh" \
  "$repo/deploy-arm64/deploy-common.sh" "$stage/deploy/"

commit=$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && [ -n "$(git -C "$repo" status --porcelain 2>/dev/null)" ]; then
  commit=$commit-dirty
fi
# Header lines start with '#', which sha256sum treats as comments: `sha256sum -c MANIFEST` on a pole
# checks every file. Written outside the folder so the list cannot name itself.
{
  echo "# version $version"
  echo "# rid $rid"
  echo "# commit $commit"
  (cd "$stage" && find . -type f -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum)
} > "$stage.MANIFEST.tmp"
mv "$stage.MANIFEST.tmp" "$stage/MANIFEST"

# Fixed owner, order and gzip header: the archive depends on the files, not on who built it when.
(cd "$out" && tar --sort=name --owner=0 --group=0 --numeric-owner -cf - "$name" | gzip -n > "$name.tar.gz.tmp")
mv "$stage.tar.gz.tmp" "$stage.tar.gz"

elapsed=$(( $(date +%s) - started ))
size=$(stat -c %s "$stage.tar.gz")
unpacked=$(du -sb "$stage" | cut -f1)
echo "bundle: $stage.tar.gz"
echo "size: $size bytes packed, $unpacked bytes unpacked, $(grep -vc '^#' "$stage/MANIFEST") files; built in ${elapsed}s"
