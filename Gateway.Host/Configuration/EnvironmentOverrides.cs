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
                    if (Step(() => obj[key], node => obj[key] = node, last, nextIsIndex, raw, path, literals) is not { } child)
                    {
                        return;
                    }
                    container = child;
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
                    if (Step(() => arr[index], node => arr[index] = node, last, nextIsIndex, raw, path, literals) is not { } item)
                    {
                        return;
                    }
                    container = item;
                    break;
                }
            }
        }
    }

    /// <summary>
    /// One segment, the same for an object's key and an array's index: the last one gets the value
    /// (remembered in <paramref name="literals"/> when it was read as a non-string literal); any
    /// other becomes a container if it is not one, and is returned to descend into.
    /// </summary>
    private static JsonNode? Step(Func<JsonNode?> get, Action<JsonNode?> set, bool last, bool nextIsIndex, string raw, string path, List<LiteralOverride> literals)
    {
        if (last)
        {
            set(Convert(raw, get()));
            if (get()?.GetValueKind() != JsonValueKind.String)
            {
                literals.Add(new LiteralOverride(path, () => set(JsonValue.Create(raw))));
            }
            return null;
        }
        if (get() is not (JsonObject or JsonArray))
        {
            set(nextIsIndex ? new JsonArray() : new JsonObject());
        }
        return get();
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
