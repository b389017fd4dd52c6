using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Gateway.Host.Configuration;

/// <summary>
/// Validates JSON documents against the gateway's own JSON Schema (draft 2020-12 subset).
/// The shipped schema file is the single source of the structural rules, so the schema and
/// the validator cannot drift apart: a keyword this class does not implement makes the
/// schema fail to load instead of being silently ignored.
/// </summary>
internal sealed class JsonSchemaValidator
{
    // Keywords that only annotate (JSON Schema 2020-12 core §8 and validation §9).
    private static readonly HashSet<string> AnnotationKeywords = new(StringComparer.Ordinal)
    {
        "$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples",
    };

    private static readonly HashSet<string> ValidationKeywords = new(StringComparer.Ordinal)
    {
        "$ref", "type", "properties", "additionalProperties", "required", "enum", "const",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
        "pattern", "minItems", "maxItems", "items", "uniqueItems", "allOf", "if", "then", "else",
    };

    private readonly JsonNode _root;
    private readonly Dictionary<string, Regex> _patterns = new(StringComparer.Ordinal);

    public JsonSchemaValidator(JsonNode schemaRoot)
    {
        _root = schemaRoot;
        CheckKeywords(schemaRoot, "#");
    }

    public static JsonSchemaValidator FromEmbeddedGatewaySchema()
    {
        using var stream = typeof(JsonSchemaValidator).Assembly.GetManifestResourceStream("gateway.schema.json")
            ?? throw new InvalidOperationException("embedded resource gateway.schema.json is missing");
        return new JsonSchemaValidator(JsonNode.Parse(stream)!);
    }

    /// <summary>Validates <paramref name="instance"/> against the root schema or a local reference such as <c>#/$defs/profile</c>.</summary>
    public List<ConfigError> Validate(JsonNode? instance, string schemaRef = "#", string basePath = "")
    {
        var errors = new List<ConfigError>();
        Validate(instance, Resolve(schemaRef), basePath, errors);
        // A device that is not an object fails the same check in every allOf branch: say it once.
        return errors.Distinct().ToList();
    }

    private void Validate(JsonNode? instance, JsonNode? schema, string path, List<ConfigError> errors)
    {
        if (schema is JsonValue boolSchema)
        {
            if (!boolSchema.GetValue<bool>())
            {
                errors.Add(new ConfigError(path, "not allowed here"));
            }
            return;
        }
        if (schema is not JsonObject s)
        {
            return;
        }

        if (s["$ref"] is JsonNode refNode)
        {
            Validate(instance, Resolve(refNode.GetValue<string>()), path, errors);
        }

        if (s["type"] is JsonNode typeNode && !MatchesType(instance, typeNode))
        {
            errors.Add(new ConfigError(path, $"expected {DescribeTypes(typeNode)}, got {Describe(instance)}"));
            return; // further keywords would only repeat the same complaint
        }

        if (s["const"] is JsonNode constNode && !JsonNode.DeepEquals(instance, constNode))
        {
            errors.Add(new ConfigError(path, $"must be {constNode.ToJsonString()}"));
        }

        if (s["enum"] is JsonArray enumValues && !enumValues.Any(v => JsonNode.DeepEquals(v, instance)))
        {
            var noun = LeafName(path);
            var allowed = string.Join(", ", enumValues.Select(v => v is JsonValue jv && jv.GetValueKind() == JsonValueKind.String ? jv.GetValue<string>() : v?.ToJsonString()));
            errors.Add(new ConfigError(path, $"unknown {noun} {Describe(instance)} (expected one of: {allowed})"));
        }

        switch (instance)
        {
            case JsonObject obj:
                ValidateObject(obj, s, path, errors);
                break;
            case JsonArray arr:
                ValidateArray(arr, s, path, errors);
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.Number:
                ValidateNumber(value.GetValue<double>(), s, path, errors);
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                ValidateString(value.GetValue<string>(), s, path, errors);
                break;
        }

        if (s["allOf"] is JsonArray allOf)
        {
            foreach (var sub in allOf)
            {
                Validate(instance, sub, path, errors);
            }
        }

        if (s["if"] is JsonNode ifSchema)
        {
            var probe = new List<ConfigError>();
            Validate(instance, ifSchema, path, probe);
            var branch = probe.Count == 0 ? s["then"] : s["else"];
            if (branch is not null)
            {
                Validate(instance, branch, path, errors);
            }
        }
    }

    private void ValidateObject(JsonObject obj, JsonObject s, string path, List<ConfigError> errors)
    {
        var properties = s["properties"] as JsonObject;
        if (s["required"] is JsonArray required)
        {
            foreach (var name in required.Select(r => r!.GetValue<string>()))
            {
                if (!obj.ContainsKey(name))
                {
                    errors.Add(new ConfigError(JsonPathText.Child(path, name), "required key is missing"));
                }
            }
        }

        foreach (var (key, value) in obj)
        {
            var childPath = JsonPathText.Child(path, key);
            if (properties is not null && properties.TryGetPropertyValue(key, out var propSchema))
            {
                Validate(value, propSchema, childPath, errors);
                continue;
            }
            switch (s["additionalProperties"])
            {
                case JsonValue additional when !additional.GetValue<bool>():
                    var hint = properties is null ? null : ClosestName(key, properties.Select(p => p.Key));
                    errors.Add(new ConfigError(childPath, hint is null ? $"unknown key '{key}'" : $"unknown key '{key}' (did you mean '{hint}'?)"));
                    break;
                case JsonObject additionalSchema:
                    Validate(value, additionalSchema, childPath, errors);
                    break;
            }
        }
    }

    private void ValidateArray(JsonArray arr, JsonObject s, string path, List<ConfigError> errors)
    {
        if (s["minItems"] is JsonNode min && arr.Count < min.GetValue<int>())
        {
            errors.Add(new ConfigError(path, arr.Count == 0 ? $"must not be empty (at least {min.GetValue<int>()} item(s))" : $"must have at least {min.GetValue<int>()} item(s), has {arr.Count}"));
        }
        if (s["maxItems"] is JsonNode max && arr.Count > max.GetValue<int>())
        {
            errors.Add(new ConfigError(path, $"must have at most {max.GetValue<int>()} item(s), has {arr.Count}"));
        }
        if (s["uniqueItems"] is JsonValue unique && unique.GetValue<bool>())
        {
            for (var i = 1; i < arr.Count; i++)
            {
                for (var j = 0; j < i; j++)
                {
                    if (JsonNode.DeepEquals(arr[i], arr[j]))
                    {
                        errors.Add(new ConfigError(JsonPathText.Index(path, i), $"duplicate of item [{j}]"));
                        break;
                    }
                }
            }
        }
        if (s["items"] is JsonNode items)
        {
            for (var i = 0; i < arr.Count; i++)
            {
                Validate(arr[i], items, JsonPathText.Index(path, i), errors);
            }
        }
    }

    private static void ValidateNumber(double value, JsonObject s, string path, List<ConfigError> errors)
    {
        var v = value.ToString(CultureInfo.InvariantCulture);
        if (s["minimum"] is JsonNode min && value < min.GetValue<double>())
        {
            errors.Add(new ConfigError(path, $"must be >= {Num(min)}, got {v}"));
        }
        if (s["exclusiveMinimum"] is JsonNode xmin && value <= xmin.GetValue<double>())
        {
            errors.Add(new ConfigError(path, $"must be > {Num(xmin)}, got {v}"));
        }
        if (s["maximum"] is JsonNode max && value > max.GetValue<double>())
        {
            errors.Add(new ConfigError(path, $"must be <= {Num(max)}, got {v}"));
        }
        if (s["exclusiveMaximum"] is JsonNode xmax && value >= xmax.GetValue<double>())
        {
            errors.Add(new ConfigError(path, $"must be < {Num(xmax)}, got {v}"));
        }
    }

    private void ValidateString(string value, JsonObject s, string path, List<ConfigError> errors)
    {
        var length = value.EnumerateRunes().Count();
        if (s["minLength"] is JsonNode min && length < min.GetValue<int>())
        {
            errors.Add(new ConfigError(path, length == 0 ? "must not be empty" : $"must be at least {min.GetValue<int>()} characters long"));
        }
        if (s["maxLength"] is JsonNode max && length > max.GetValue<int>())
        {
            errors.Add(new ConfigError(path, $"must be at most {max.GetValue<int>()} characters long"));
        }
        if (s["pattern"] is JsonNode pattern)
        {
            var text = pattern.GetValue<string>();
            if (!_patterns.TryGetValue(text, out var regex))
            {
                regex = new Regex(text, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                _patterns[text] = regex;
            }
            if (!regex.IsMatch(value))
            {
                errors.Add(new ConfigError(path, $"'{value}' does not match the pattern {text}"));
            }
        }
    }

    private JsonNode Resolve(string reference)
    {
        if (!reference.StartsWith('#'))
        {
            throw new InvalidOperationException($"schema reference '{reference}' is not local; only '#/...' references are supported");
        }
        JsonNode? node = _root;
        foreach (var raw in reference[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var token = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node is JsonObject o && o.TryGetPropertyValue(token, out var next) ? next : null;
            if (node is null)
            {
                throw new InvalidOperationException($"schema reference '{reference}' does not resolve");
            }
        }
        return node!;
    }

    private void CheckKeywords(JsonNode? schema, string where)
    {
        if (schema is not JsonObject s)
        {
            return;
        }
        foreach (var (key, value) in s)
        {
            var at = $"{where}/{key}";
            if (!AnnotationKeywords.Contains(key) && !ValidationKeywords.Contains(key))
            {
                throw new InvalidOperationException($"schema keyword '{key}' at {where} is not supported by the gateway's validator");
            }
            switch (key)
            {
                case "$ref":
                    Resolve(value!.GetValue<string>());
                    break;
                case "properties" or "$defs":
                    foreach (var (name, sub) in value!.AsObject())
                    {
                        // $defs may hold groups of schemas (e.g. #/$defs/gpioLine/chip).
                        if (key == "$defs" && sub is JsonObject group && !group.Any(p => ValidationKeywords.Contains(p.Key) || AnnotationKeywords.Contains(p.Key)))
                        {
                            foreach (var (inner, innerSchema) in group)
                            {
                                CheckKeywords(innerSchema, $"{at}/{name}/{inner}");
                            }
                            continue;
                        }
                        CheckKeywords(sub, $"{at}/{name}");
                    }
                    break;
                case "allOf":
                    var i = 0;
                    foreach (var sub in value!.AsArray())
                    {
                        CheckKeywords(sub, $"{at}/{i++}");
                    }
                    break;
                case "items" or "additionalProperties" or "if" or "then" or "else":
                    CheckKeywords(value, at);
                    break;
                case "pattern":
                    _ = new Regex(value!.GetValue<string>(), RegexOptions.CultureInvariant);
                    break;
            }
        }
    }

    private static bool MatchesType(JsonNode? instance, JsonNode typeNode) =>
        typeNode is JsonArray types
            ? types.Any(t => MatchesType(instance, t!.GetValue<string>()))
            : MatchesType(instance, typeNode.GetValue<string>());

    private static bool MatchesType(JsonNode? instance, string type)
    {
        var kind = instance is null ? JsonValueKind.Null : instance.GetValueKind();
        return type switch
        {
            "null" => kind == JsonValueKind.Null,
            "boolean" => kind is JsonValueKind.True or JsonValueKind.False,
            "object" => kind == JsonValueKind.Object,
            "array" => kind == JsonValueKind.Array,
            "string" => kind == JsonValueKind.String,
            "number" => kind == JsonValueKind.Number,
            // Validation §6.1.1: a number with a zero fractional part is an integer.
            "integer" => kind == JsonValueKind.Number && double.IsInteger(instance!.GetValue<double>()),
            _ => throw new InvalidOperationException($"unknown schema type '{type}'"),
        };
    }

    private static string DescribeTypes(JsonNode typeNode) =>
        typeNode is JsonArray types ? string.Join(" or ", types.Select(t => t!.GetValue<string>())) : typeNode.GetValue<string>();

    private static string Describe(JsonNode? instance) => instance switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => $"'{v.GetValue<string>()}'",
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => $"number {v.ToJsonString()}",
        JsonValue v => v.ToJsonString(),
        _ => instance.ToJsonString(),
    };

    private static string Num(JsonNode n) => n.GetValue<double>().ToString(CultureInfo.InvariantCulture);

    private static string LeafName(string path)
    {
        var dot = path.LastIndexOf('.');
        var leaf = dot >= 0 ? path[(dot + 1)..] : path;
        return leaf.Length == 0 || leaf.EndsWith(']') ? "value" : leaf;
    }

    /// <summary>The known name closest to a mistyped key, if it is close enough to be a typo.</summary>
    internal static string? ClosestName(string key, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var d = EditDistance(key.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (d < bestDistance)
            {
                (best, bestDistance) = (candidate, d);
            }
        }
        return bestDistance <= Math.Max(1, key.Length / 3) ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        Span<int> row = stackalloc int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            row[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
