using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Gateway.Host.Configuration;

/// <summary>
/// Validates JSON documents against the gateway's own JSON Schema with JsonSchema.Net (draft
/// 2020-12), and words each failure the way a technician reads it, at the JSON path of the value.
/// The shipped schema file is the single source of the structural rules. A keyword whose failure
/// this class cannot word makes the schema fail to load instead of being reported in the library's
/// generic phrasing.
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

    // Keywords holding one subschema: JsonSchema.Net 8.0.5 repeats the parent's last segment after
    // them in a result's schema location (…/additionalProperties/mqtt), which lookups skip.
    private static readonly HashSet<string> SingleSubschemaKeywords = new(StringComparer.Ordinal)
    {
        "items", "additionalProperties", "if", "then", "else",
    };

    private static readonly EvaluationOptions ListOutput = new() { OutputFormat = OutputFormat.List };

    private readonly JsonNode _root;
    private readonly SchemaRegistry _registry = new();
    private readonly JsonSchema _schema;
    private readonly ConcurrentDictionary<string, JsonSchema> _entryPoints = new(StringComparer.Ordinal);

    public JsonSchemaValidator(JsonNode schemaRoot)
    {
        _root = schemaRoot;
        CheckKeywords(schemaRoot, "#");
        _schema = JsonSchema.Build(JsonSerializer.SerializeToElement(schemaRoot), new BuildOptions { SchemaRegistry = _registry });
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
        var schema = schemaRef == "#" ? _schema : _entryPoints.GetOrAdd(schemaRef, EntryPoint);
        var results = schema.Evaluate(JsonSerializer.SerializeToElement(instance), ListOutput);
        if (results.IsValid)
        {
            return [];
        }

        var documentOrder = DocumentOrder(instance);
        var found = new List<(string At, string Keyword, ConfigError Error)>();
        foreach (var result in results.Details ?? [])
        {
            // A failed "if" only picks the branch; it is not an error in the document.
            if (result.Errors is not { Count: > 0 } || UnderIf(Segments(result.EvaluationPath.ToString())))
            {
                continue;
            }
            var at = result.InstanceLocation.ToString();
            var (value, path) = Locate(instance, at, basePath);
            var schemaAt = Uri.UnescapeDataString(result.SchemaLocation.Fragment.TrimStart('#'));
            foreach (var (keyword, message) in result.Errors)
            {
                foreach (var error in Word(keyword, message, schemaAt, value, path, Segments(at).LastOrDefault() ?? ""))
                {
                    found.Add((at, keyword, error));
                }
            }
        }

        // A value of the wrong type gets no further complaints about it; errors follow the document.
        var wrongType = found.Where(f => f.Keyword == "type").Select(f => f.At).ToHashSet(StringComparer.Ordinal);
        return found
            .Where(f => f.Keyword == "type" || !wrongType.Contains(f.At))
            .OrderBy(f => documentOrder.GetValueOrDefault(f.At))
            .Select(f => f.Error)
            .Distinct()
            .ToList();
    }

    private IEnumerable<ConfigError> Word(string keyword, string libraryMessage, string schemaAt, JsonNode? value, string path, string key)
    {
        var (node, at) = Find(Segments(schemaAt));
        if (node is null)
        {
            // Never drop an error because its schema could not be found: keep the library's words.
            yield return new ConfigError(path, libraryMessage);
            yield break;
        }
        if (keyword.Length == 0 || node is not JsonObject s)
        {
            // A false schema: under additionalProperties it means a key the object does not know.
            if (at.Count > 0 && at[^1] == "additionalProperties")
            {
                var hint = Find(at[..^1]).Node?["properties"] is JsonObject known ? ClosestName(key, known.Select(p => p.Key)) : null;
                yield return new ConfigError(path, hint is null ? $"unknown key '{key}'" : $"unknown key '{key}' (did you mean '{hint}'?)");
            }
            else
            {
                yield return new ConfigError(path, "not allowed here");
            }
            yield break;
        }

        var limit = s[keyword];
        switch (keyword)
        {
            case "type":
                yield return new ConfigError(path, $"expected {DescribeTypes(limit!)}, got {Describe(value)}");
                break;
            case "const":
                yield return new ConfigError(path, $"must be {limit!.ToJsonString()}");
                break;
            case "enum":
                var allowed = string.Join(", ", limit!.AsArray().Select(v => v is JsonValue jv && jv.GetValueKind() == JsonValueKind.String ? jv.GetValue<string>() : v?.ToJsonString()));
                yield return new ConfigError(path, $"unknown {LeafName(path)} {Describe(value)} (expected one of: {allowed})");
                break;
            case "required":
                foreach (var name in limit!.AsArray().Select(r => r!.GetValue<string>()).Where(n => value is JsonObject o && !o.ContainsKey(n)))
                {
                    yield return new ConfigError(JsonPathText.Child(path, name), "required key is missing");
                }
                break;
            case "minimum" or "exclusiveMinimum" or "maximum" or "exclusiveMaximum":
                var op = keyword switch { "minimum" => ">=", "exclusiveMinimum" => ">", "maximum" => "<=", _ => "<" };
                yield return new ConfigError(path, $"must be {op} {Num(limit!)}, got {value!.GetValue<double>().ToString(CultureInfo.InvariantCulture)}");
                break;
            case "minItems":
                var count = value!.AsArray().Count;
                yield return new ConfigError(path, count == 0 ? $"must not be empty (at least {limit} item(s))" : $"must have at least {limit} item(s), has {count}");
                break;
            case "maxItems":
                yield return new ConfigError(path, $"must have at most {limit} item(s), has {value!.AsArray().Count}");
                break;
            case "minLength":
                yield return new ConfigError(path, value!.GetValue<string>().Length == 0 ? "must not be empty" : $"must be at least {limit} characters long");
                break;
            case "maxLength":
                yield return new ConfigError(path, $"must be at most {limit} characters long");
                break;
            case "pattern":
                yield return new ConfigError(path, $"'{value!.GetValue<string>()}' does not match the pattern {limit!.GetValue<string>()}");
                break;
            case "uniqueItems":
                var items = value!.AsArray();
                for (var i = 1; i < items.Count; i++)
                {
                    var j = Enumerable.Range(0, i).FirstOrDefault(k => JsonNode.DeepEquals(items[i], items[k]), -1);
                    if (j >= 0)
                    {
                        yield return new ConfigError(JsonPathText.Index(path, i), $"duplicate of item [{j}]");
                    }
                }
                break;
            default:
                yield return new ConfigError(path, libraryMessage);
                break;
        }
    }

    /// <summary>A schema that starts at a local reference of the root schema, built in the same registry.</summary>
    private JsonSchema EntryPoint(string schemaRef)
    {
        Resolve(schemaRef);
        var reference = new JsonObject { ["$ref"] = new Uri(_schema.BaseUri, schemaRef).ToString() };
        return JsonSchema.Build(JsonSerializer.SerializeToElement(reference), new BuildOptions { SchemaRegistry = _registry });
    }

    /// <summary>The schema node at a result's schema location and that location without the segments the library repeats.</summary>
    private (JsonNode? Node, List<string> Location) Find(List<string> segments)
    {
        JsonNode? node = _root;
        var location = new List<string>();
        foreach (var segment in segments)
        {
            if (node is JsonObject o && o.TryGetPropertyValue(segment, out var child))
            {
                node = child;
            }
            else if (node is JsonArray a && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < a.Count)
            {
                node = a[index];
            }
            else if (location.Count > 0 && SingleSubschemaKeywords.Contains(location[^1]))
            {
                continue;
            }
            else
            {
                return (null, location);
            }
            location.Add(segment);
        }
        return (node, location);
    }

    /// <summary>The instance value at a JSON Pointer and its path in our notation (<c>devices[2].points[0].type</c>).</summary>
    private static (JsonNode? Value, string Path) Locate(JsonNode? instance, string pointer, string basePath)
    {
        var (node, path) = (instance, basePath);
        foreach (var segment in Segments(pointer))
        {
            if (node is JsonArray array)
            {
                var index = int.Parse(segment, CultureInfo.InvariantCulture);
                (node, path) = (array[index], JsonPathText.Index(path, index));
            }
            else
            {
                (node, path) = (node?[segment], JsonPathText.Child(path, segment));
            }
        }
        return (node, path);
    }

    /// <summary>Every location in the document, numbered in reading order.</summary>
    private static Dictionary<string, int> DocumentOrder(JsonNode? instance)
    {
        var order = new Dictionary<string, int>(StringComparer.Ordinal);
        void Visit(JsonNode? node, string pointer)
        {
            order[pointer] = order.Count;
            switch (node)
            {
                case JsonObject o:
                    foreach (var (key, child) in o)
                    {
                        Visit(child, $"{pointer}/{key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}");
                    }
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        Visit(a[i], $"{pointer}/{i}");
                    }
                    break;
            }
        }
        Visit(instance, "");
        return order;
    }

    private static List<string> Segments(string pointer) =>
        pointer.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))
            .ToList();

    /// <summary>True when an evaluation path passes through an "if" keyword (not a property named "if").</summary>
    private static bool UnderIf(List<string> evaluationPath) =>
        evaluationPath.Where((segment, i) => segment == "if" && (i == 0 || evaluationPath[i - 1] is not ("properties" or "$defs"))).Any();

    private JsonNode Resolve(string reference)
    {
        if (!reference.StartsWith('#'))
        {
            throw new InvalidOperationException($"schema reference '{reference}' is not local; only '#/...' references are supported");
        }
        JsonNode? node = _root;
        foreach (var token in Segments(reference[1..]))
        {
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
