using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Host.Configuration;

/// <summary>
/// Applies environment-variable overrides to the configuration document the usual .NET way:
/// <c>GATEWAY_mqtt__password=…</c> sets <c>mqtt.password</c>, <c>GATEWAY_devices__0__pollMs=500</c>
/// sets <c>devices[0].pollMs</c>. Keys match case-insensitively, as in Microsoft.Extensions.Configuration.
/// A value replaces a string as a string; otherwise it is read as a JSON literal when it is one
/// (number, true, false, null, a quoted string, an array or an object) and as a plain string when it
/// is not — or when the schema wants a string there (a digit-only password stays a string).
/// </summary>
internal static class EnvironmentOverrides
{
    public const string Prefix = "GATEWAY_";

    /// <summary>A value set from the environment that was read as a non-string literal, and how to make it the raw string instead.</summary>
    public sealed record LiteralOverride(string Path, Action MakeString);

    public static List<LiteralOverride> Apply(JsonObject root, IEnumerable<KeyValuePair<string, string?>> environment, List<ConfigError> errors)
    {
        var literals = new List<LiteralOverride>();
        foreach (var (name, value) in environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || value is null)
            {
                continue;
            }
            var segments = name[Prefix.Length..].Split(["__", ":"], StringSplitOptions.None);
            if (segments.Any(s => s.Length == 0))
            {
                errors.Add(new ConfigError($"env {name}", "empty key segment in the variable name"));
                continue;
            }
            if (segments is ["CONFIG"])
            {
                continue; // GATEWAY_CONFIG names the file; it is not a key inside it
            }
            Set(root, segments, value, name, errors, literals);
        }
        return literals;
    }

    private static void Set(JsonObject root, string[] segments, string raw, string variable, List<ConfigError> errors, List<LiteralOverride> literals)
    {
        JsonNode container = root;
        var path = "";
        for (var i = 0; i < segments.Length; i++)
        {
            var last = i == segments.Length - 1;
            var nextIsIndex = !last && IsIndex(segments[i + 1], out _);
            switch (container)
            {
                case JsonObject obj:
                {
                    var key = obj.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, segments[i], StringComparison.OrdinalIgnoreCase)) ?? segments[i];
                    path = JsonPathText.Child(path, key);
                    if (last)
                    {
                        obj[key] = Convert(raw, obj[key]);
                        if (obj[key]?.GetValueKind() != JsonValueKind.String)
                        {
                            literals.Add(new LiteralOverride(path, () => obj[key] = JsonValue.Create(raw)));
                        }
                        return;
                    }
                    if (obj[key] is not (JsonObject or JsonArray))
                    {
                        obj[key] = nextIsIndex ? new JsonArray() : new JsonObject();
                    }
                    container = obj[key]!;
                    break;
                }
                case JsonArray arr:
                {
                    if (!IsIndex(segments[i], out var index) || index > arr.Count)
                    {
                        errors.Add(new ConfigError($"env {variable}", $"'{segments[i]}' is not a valid index for an array of {arr.Count} item(s)"));
                        return;
                    }
                    if (index == arr.Count)
                    {
                        arr.Add(last ? null : nextIsIndex ? new JsonArray() : new JsonObject());
                    }
                    path = JsonPathText.Index(path, index);
                    if (last)
                    {
                        arr[index] = Convert(raw, arr[index]);
                        if (arr[index]?.GetValueKind() != JsonValueKind.String)
                        {
                            literals.Add(new LiteralOverride(path, () => arr[index] = JsonValue.Create(raw)));
                        }
                        return;
                    }
                    if (arr[index] is not (JsonObject or JsonArray))
                    {
                        arr[index] = nextIsIndex ? new JsonArray() : new JsonObject();
                    }
                    container = arr[index]!;
                    break;
                }
            }
        }
    }

    private static bool IsIndex(string segment, out int index) =>
        int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out index);

    private static JsonNode? Convert(string raw, JsonNode? existing)
    {
        if (existing is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            return JsonValue.Create(raw);
        }
        try
        {
            return JsonNode.Parse(raw);
        }
        catch (JsonException)
        {
            // not a literal: fall through to a plain string
        }
        return JsonValue.Create(raw);
    }
}
