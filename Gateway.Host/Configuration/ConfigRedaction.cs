using System.Text.Json.Nodes;

namespace Gateway.Host.Configuration;

/// <summary>
/// The configuration as it may be shown outside the node (config/get, the web page): every
/// secret replaced by <c>"***"</c> — or left null when it is not set, so a reader can still tell
/// whether one is configured. Secrets are keys named like a password, secret or token.
/// </summary>
public static class ConfigRedaction
{
    public const string Mask = "***";

    public static JsonObject Redact(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var copy = config.DeepClone().AsObject();
        Walk(copy);
        return copy;
    }

    public static bool IsSecretKey(string key) =>
        key.Contains("password", StringComparison.OrdinalIgnoreCase)
        || key.Contains("secret", StringComparison.OrdinalIgnoreCase)
        || key.Contains("token", StringComparison.OrdinalIgnoreCase);

    private static void Walk(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (IsSecretKey(key))
                    {
                        if (obj[key] is not null)
                        {
                            obj[key] = Mask;
                        }
                    }
                    else
                    {
                        Walk(obj[key]);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Walk(item);
                }
                break;
        }
    }
}
