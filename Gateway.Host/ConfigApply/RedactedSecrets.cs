using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Host.Configuration;

namespace Gateway.Host.ConfigApply;

/// <summary>
/// A configuration sent back after <c>config/get</c> carries <c>"***"</c> where a secret was
/// (<see cref="ConfigRedaction"/>): those keep the running file's value at the same place. Array
/// elements are matched by their <c>"id"</c> when they have one (a device moved in the list keeps
/// its password), else by index. A mask with nothing behind it in the file (the secret comes from
/// an environment override, or is new) is removed, so the override keeps working and "***" is never
/// written as a password.
/// </summary>
internal static class RedactedSecrets
{
    public static void Restore(JsonNode? incoming, JsonNode? running)
    {
        switch (incoming)
        {
            case JsonObject obj:
                var runningObj = running as JsonObject;
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    var value = obj[key];
                    var old = runningObj?[key];
                    if (ConfigRedaction.IsSecretKey(key) && IsMask(value))
                    {
                        if (runningObj is not null && runningObj.ContainsKey(key) && old is not null && !IsMask(old))
                        {
                            obj[key] = old.DeepClone();
                        }
                        else
                        {
                            obj.Remove(key);
                        }
                    }
                    else
                    {
                        Restore(value, old);
                    }
                }
                break;
            case JsonArray array:
                var runningArray = running as JsonArray;
                for (var i = 0; i < array.Count; i++)
                {
                    Restore(array[i], Counterpart(array[i], runningArray, i));
                }
                break;
        }
    }

    private static JsonNode? Counterpart(JsonNode? item, JsonArray? running, int index)
    {
        if (running is null)
        {
            return null;
        }
        if (IdOf(item) is { } id)
        {
            return running.FirstOrDefault(r => IdOf(r) == id);
        }
        return index < running.Count ? running[index] : null;
    }

    private static string? IdOf(JsonNode? node) =>
        node is JsonObject o && o["id"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static bool IsMask(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == ConfigRedaction.Mask;
}
