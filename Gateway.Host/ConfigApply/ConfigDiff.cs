using System.Text.Json.Nodes;
using Gateway.Host.Configuration;

namespace Gateway.Host.ConfigApply;

/// <summary>One changed place of a configuration: its JSON path, the value before and after (null when absent).</summary>
public sealed record ConfigDiffEntry(string Path, JsonNode? Old, JsonNode? New)
{
    public JsonObject ToJson() => new() { ["path"] = Path, ["old"] = Old?.DeepClone(), ["new"] = New?.DeepClone() };
}

/// <summary>
/// What changed between two configuration documents, as the audit log records it: the deepest
/// changed paths (<c>devices[0].unitId</c>), with every secret shown as <c>"***"</c> — also inside a
/// whole section added or removed.
/// </summary>
public static class ConfigDiff
{
    public static IReadOnlyList<ConfigDiffEntry> Between(JsonObject? before, JsonObject? after)
    {
        var entries = new List<ConfigDiffEntry>();
        Compare("", before, after, secret: false, entries);
        return entries;
    }

    /// <summary>The top-level sections whose content differs.</summary>
    public static IReadOnlySet<string> ChangedSections(JsonObject? before, JsonObject? after)
    {
        var keys = (before?.Select(p => p.Key) ?? []).Union(after?.Select(p => p.Key) ?? [], StringComparer.Ordinal);
        return keys.Where(k => !JsonNode.DeepEquals(before?[k], after?[k])).ToHashSet(StringComparer.Ordinal);
    }

    private static void Compare(string path, JsonNode? old, JsonNode? now, bool secret, List<ConfigDiffEntry> entries)
    {
        if (JsonNode.DeepEquals(old, now))
        {
            return;
        }
        if (old is JsonObject oldObject && now is JsonObject newObject)
        {
            foreach (var key in oldObject.Select(p => p.Key).Union(newObject.Select(p => p.Key), StringComparer.Ordinal))
            {
                Compare(JsonPathText.Child(path, key), oldObject[key], newObject[key], secret || ConfigRedaction.IsSecretKey(key), entries);
            }
            return;
        }
        if (old is JsonArray oldArray && now is JsonArray newArray)
        {
            for (var i = 0; i < Math.Max(oldArray.Count, newArray.Count); i++)
            {
                Compare(JsonPathText.Index(path, i), i < oldArray.Count ? oldArray[i] : null, i < newArray.Count ? newArray[i] : null, secret, entries);
            }
            return;
        }
        entries.Add(new ConfigDiffEntry(path, Masked(old, secret), Masked(now, secret)));
    }

    private static JsonNode? Masked(JsonNode? value, bool secret) => value switch
    {
        null => null,
        _ when secret => ConfigRedaction.Mask,
        JsonObject o => ConfigRedaction.Redact(o),
        JsonArray a => ConfigRedaction.Redact(new JsonObject { ["a"] = a.DeepClone() })["a"]!.DeepClone(),
        _ => value.DeepClone(),
    };
}
