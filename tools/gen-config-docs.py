#!/usr/bin/python3
"""Writes docs/configuration.md from the shipped JSON Schema, config/gateway.schema.json.

The schema is what the gateway validates every file against, so a reference generated from it
cannot promise a key, default or range the product does not enforce. Every key must carry a
`description` (on the key or on the definition it refers to): a key without one stops the
generator, so the reference never has an empty row.

    /usr/bin/python3 tools/gen-config-docs.py            # rewrite docs/configuration.md
    /usr/bin/python3 tools/gen-config-docs.py --stdout   # print it instead
    /usr/bin/python3 tools/gen-config-docs.py --schema FILE --stdout

Gateway.Tests/Conventions/ConfigurationDocTests fails when docs/configuration.md differs from
what this prints.
"""
import argparse
import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMAND = "/usr/bin/python3 tools/gen-config-docs.py"


class Reference:
    def __init__(self, schema):
        self.root = schema
        self.rows = []
        self.undescribed = []

    def resolve(self, node):
        """Follows $ref (local JSON pointers only, as the gateway's own validator does)."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            target = self.root
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            # Keywords beside $ref (a use-site description or default) win over the target's.
            merged = dict(target) if isinstance(target, dict) else {}
            merged.update({k: v for k, v in node.items() if k != "$ref"})
            node = merged
            seen += 1
            if seen > 20:
                raise ValueError("$ref loop")
        return node


def code(value):
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return "`" + text + "`"


def number(value):
    return json.dumps(value)


def type_of(ref, node):
    node = ref.resolve(node)
    if "const" in node:
        return "const " + code(node["const"])
    declared = node.get("type")
    if declared is None and "enum" in node:
        kinds = {("integer" if isinstance(v, int) and not isinstance(v, bool) else
                  "boolean" if isinstance(v, bool) else
                  "number" if isinstance(v, float) else
                  "null" if v is None else "string") for v in node["enum"]}
        declared = sorted(kinds)
    if declared is None:
        return "any"
    kinds = declared if isinstance(declared, list) else [declared]
    parts = []
    for kind in kinds:
        if kind == "array" and "items" in node:
            item = ref.resolve(node["items"])
            # A device is deviceBase plus an if/then branch per type: an object all the same.
            parts.append("array of " + ("object" if "allOf" in item else type_of(ref, node["items"])))
        else:
            parts.append(kind)
    return " or ".join(parts)


def allowed_of(ref, node):
    node = ref.resolve(node)
    out = []
    if "enum" in node:
        out.append("one of " + ", ".join(code(v) for v in node["enum"]))
    lower = [f"≥ {number(node['minimum'])}"] if "minimum" in node else []
    lower += [f"> {number(node['exclusiveMinimum'])}"] if "exclusiveMinimum" in node else []
    upper = [f"≤ {number(node['maximum'])}"] if "maximum" in node else []
    upper += [f"< {number(node['exclusiveMaximum'])}"] if "exclusiveMaximum" in node else []
    if "minimum" in node and "maximum" in node and len(lower) == 1 and len(upper) == 1:
        out.append(f"{number(node['minimum'])} – {number(node['maximum'])}")
    elif lower or upper:
        out.append(", ".join(lower + upper))
    if "minLength" in node or "maxLength" in node:
        out.append(span("characters", node.get("minLength"), node.get("maxLength")))
    if "minItems" in node or "maxItems" in node:
        out.append(span("items", node.get("minItems"), node.get("maxItems")))
    if "pattern" in node:
        out.append("pattern " + code(node["pattern"]))
    items = node.get("items")
    if isinstance(items, dict):
        inner = allowed_of(ref, items)
        if inner and ref.resolve(items).get("type") != "object":
            out.append("each: " + inner)
    return "; ".join(out)


def span(what, low, high):
    if low == 1 and high is None:
        return "not empty"
    if low == high:
        return f"exactly {low} {what}"
    if low is not None and high is not None:
        return f"{low}–{high} {what}"
    if low is not None:
        return f"at least {low} {what}"
    return f"at most {high} {what}"


def cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def add_rows(ref, table, path, node, required, skip_true=True):
    """Adds the row of `path` and, for objects and arrays of objects, the rows of their keys."""
    if node is True and skip_true:
        return
    resolved = ref.resolve(node)
    description = resolved.get("description")
    if not description:
        ref.undescribed.append(path)
        description = ""
    default = code(resolved["default"]) if "default" in resolved else ""
    key = code(path) + (" **required**" if required else "")
    table.append(f"| {key} | {cell(type_of(ref, node))} | {cell(default)} | {cell(allowed_of(ref, node))} | {cell(description)} |")
    add_children(ref, table, path, resolved)


def add_children(ref, table, path, resolved):
    if resolved.get("type") == "object" and "properties" in resolved:
        required = set(resolved.get("required", []))
        for name, child in resolved["properties"].items():
            add_rows(ref, table, f"{path}.{name}", child, name in required)
    items = resolved.get("items")
    if resolved.get("type") == "array" and isinstance(items, dict):
        item = ref.resolve(items)
        if item.get("type") == "object" and "properties" in item:
            required = set(item.get("required", []))
            for name, child in item["properties"].items():
                add_rows(ref, table, f"{path}[].{name}", child, name in required)


HEADER = "| key | type | default | allowed | description |\n| --- | --- | --- | --- | --- |"


def device_kinds(ref, devices_items):
    """The device definition is `deviceBase` plus one if/then branch per `type`: one table each."""
    device = ref.resolve(devices_items)
    base = None
    kinds = []
    for part in device.get("allOf", []):
        if "$ref" in part:
            base = ref.resolve(part)
        elif "if" in part:
            kinds.append((part["if"]["properties"]["type"]["const"], ref.resolve(part["then"])))
    return base, kinds


def generate(schema_path):
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    ref = Reference(schema)
    rel = os.path.relpath(schema_path, REPO)
    out = [
        "# Configuration reference",
        "",
        f"Generated from [`{rel}`](../{rel}) — the JSON Schema the gateway validates every file against —",
        f"by `{COMMAND}`. Do not edit this file by hand: change the schema's `description`s",
        "and run the command (the test `Gateway.Tests/Conventions/ConfigurationDocTests` fails while the two differ).",
        "",
        schema.get("description", ""),
        "",
        "Checks a schema cannot express (unique ids, a device's bus exists, URIs, profile files, camera →",
        "model references, zone points inside the frame, GPIO lines and serial ports used twice) are made by",
        "`edge-gateway check-config --config FILE` and at start; see the [operator guide](operator-guide.md#2-configuration).",
        "Paths: `a.b` is key `b` inside object `a`; `a[]` is each item of array `a`. **required** keys must be",
        "present when their parent is. A blank default means: none (the key is absent unless you set it).",
        "",
        "Sections: " + ", ".join(f"[`{name}`](#{name.lower()})" for name in schema["properties"] if name != "$schema")
        + ", [device profile files](#device-profile-files).",
        "",
        "## Top level",
        "",
        HEADER,
    ]
    required = set(schema.get("required", []))
    top = out
    for name, node in schema["properties"].items():
        resolved = ref.resolve(node)
        is_leaf = resolved.get("type") not in ("object", "array")
        if is_leaf:
            add_rows(ref, top, name, node, name in required)
            continue
        add_rows(ref, top, name, node, name in required, skip_true=False)
        # The top table lists each section once; its keys get a section of their own below.
        del_children(top, name)
    for name, node in schema["properties"].items():
        resolved = ref.resolve(node)
        if resolved.get("type") not in ("object", "array"):
            continue
        out += ["", f"## {name}", ""]
        if resolved.get("description"):
            out += [resolved["description"], ""]
        if name == "devices":
            base, kinds = device_kinds(ref, resolved["items"])
            out += ["Every device has the keys `id` and `type`; the other keys depend on `type`.", ""]
            out.append(HEADER)
            base_required = set(base.get("required", []))
            for key, child in base["properties"].items():
                add_rows(ref, out, f"devices[].{key}", child, key in base_required)
            for kind, branch in kinds:
                out += ["", f"### devices[] with `\"type\": \"{kind}\"`", ""]
                if branch.get("description"):
                    out += [branch["description"], ""]
                out.append(HEADER)
                branch_required = set(branch.get("required", []))
                for key, child in branch["properties"].items():
                    add_rows(ref, out, f"devices[].{key}", child, key in branch_required)
            continue
        out.append(HEADER)
        add_children(ref, out, name, resolved)
    profile = ref.resolve({"$ref": "#/$defs/profile"})
    out += ["", "## Device profile files", "", profile.get("description", ""), "", HEADER]
    add_children(ref, out, "(profile)", profile)
    out.append("")
    return "\n".join(out), ref.undescribed


def del_children(table, name):
    prefix_dot, prefix_arr = f"| `{name}.", f"| `{name}[]."
    table[:] = [row for row in table if not (row.startswith(prefix_dot) or row.startswith(prefix_arr))]


def main():
    parser = argparse.ArgumentParser(description="Generate docs/configuration.md from the configuration schema.")
    parser.add_argument("--schema", default=os.path.join(REPO, "config", "gateway.schema.json"))
    parser.add_argument("--output", default=os.path.join(REPO, "docs", "configuration.md"))
    parser.add_argument("--stdout", action="store_true", help="print the reference instead of writing it")
    args = parser.parse_args()
    text, undescribed = generate(os.path.abspath(args.schema))
    if undescribed:
        print("gen-config-docs: these keys have no description in the schema (add one):", file=sys.stderr)
        for path in undescribed:
            print("  " + path, file=sys.stderr)
        return 2
    if args.stdout:
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
