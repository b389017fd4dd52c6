#!/usr/bin/env bash
# The person detector the gateway ships with (issue 7): MobileNetV3-CenterNet (COCO, 80 classes)
# from npm @vladmandic/human@3.3.6 (MIT), converted from its TensorFlow.js graph to ONNX by our
# own converter (tools/tfjs_graph_to_onnx.py, Debian python3-onnx + python3-numpy), every step
# checked against pinned sha256 sums. Writes models/person/{model.onnx,manifest.json}.
# Fast when already done: two hash checks. Run by tools/setup.sh (it runs tools/setup.d/*.sh).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${GATEWAY_CACHE:-$repo/.cache}"
out="$repo/models/person"

log() { printf 'setup: person model: %s\n' "$*" >&2; }
die() { printf 'setup: person model: ERROR: %s\n' "$*" >&2; exit 1; }
sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

pkg=@vladmandic/human
version=3.3.6
tgz_sha=425e9c51dbbca0c8934362b170cb0d54c2529c11c654b3c03092b16e9d6ad3f7
json_sha=bfb942eaacc5becf738d536663bc4580a0ae9e560722306e6d4dd7fe4a09de05
bin_sha=1b635a15009071f506f9f2b3519b31c072c534888989f30d269ffd44734ef7ef
# The converter's output is deterministic for a given python3-onnx (Debian 12: 1.12.0).
onnx_sha=fb8c34752b8a3d771859d0b26ecc891b1402c477e2bf6f7df098fa969409e9fb
python=/usr/bin/python3   # Debian's modules (onnx, numpy) are only visible to this interpreter

if sha_ok "$out/model.onnx" "$onnx_sha" && [ -f "$out/manifest.json" ]; then
  log "models/person/model.onnx present (sha256 ok)"
  exit 0
fi

"$python" -c 'import onnx, numpy' 2>/dev/null || die "$python cannot import onnx and numpy (apt-get install python3-onnx python3-numpy)"
mkdir -p "$cache" "$out"
tgz="$cache/vladmandic-human-$version.tgz"
if ! sha_ok "$tgz" "$tgz_sha"; then
  log "fetching $pkg@$version from the npm registry (29 MB, no install scripts)"
  command -v npm >/dev/null || die "npm is needed to fetch $pkg"
  rm -f "$tgz"
  (cd "$cache" && npm pack --silent "$pkg@$version" >/dev/null) || die "npm pack $pkg@$version failed"
  sha_ok "$tgz" "$tgz_sha" || die "$(basename "$tgz") does not match its pinned sha256"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -xzf "$tgz" -C "$work" package/models/centernet.json package/models/centernet.bin package/src/object/labels.ts
sha_ok "$work/package/models/centernet.json" "$json_sha" || die "centernet.json does not match its pinned sha256"
sha_ok "$work/package/models/centernet.bin" "$bin_sha" || die "centernet.bin does not match its pinned sha256"

log "converting CenterNet (TF.js graph) to ONNX"
"$python" "$repo/tools/tfjs_graph_to_onnx.py" "$work/package/models/centernet.json" "$work/model.onnx" \
  --input tower_0/images=images --output tower_0/detections=detections
sha_ok "$work/model.onnx" "$onnx_sha" || die "converted model.onnx sha256 $(sha256sum "$work/model.onnx" | cut -d' ' -f1) differs from the pinned $onnx_sha (converter or python3-onnx changed?)"

# Manifest (Gateway.Inference/Models/README.md): NHWC RGB 0-255, stretched to 512x512; the
# output is ready boxes [1,100,6] in input pixels, with no suppression inside: several classes
# can come for one box, hence class-agnostic NMS. Labels are COCO's, in the model's class order.
"$python" - "$work/package/src/object/labels.ts" "$work/manifest.json" <<'PY'
import json, re, sys
labels = re.findall(r"label: '([^']+)'", open(sys.argv[1], encoding="utf-8").read())
assert len(labels) == 80 and labels[0] == "person", labels[:3]
manifest = {
    "model": "model.onnx",
    "description": "MobileNetV3-CenterNet COCO detector from @vladmandic/human 3.3.6 (MIT), converted by tools/tfjs_graph_to_onnx.py",
    "input": {"name": "images", "width": 512, "height": 512, "layout": "NHWC", "scale": "0-255", "resize": "stretch"},
    "output": {"name": "detections", "layout": "boxes"},
    "labels": labels,
    "scoreThreshold": 0.3,
    "iouThreshold": 0.5,
    "nms": "class-agnostic",
}
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(manifest, f, indent=2)
    f.write("\n")
PY
mv "$work/model.onnx" "$out/model.onnx"
mv "$work/manifest.json" "$out/manifest.json"
log "wrote models/person/model.onnx and manifest.json"
