using System.Text.Json;

namespace Gateway.Tests.Support;

/// <summary>
/// An event's <c>data</c> JSON read back as plain values (string, bool, int, long, double, null),
/// so that tests can assert on the fields the platform will see.
/// </summary>
internal static class GatewayEventData
{
    extension(GatewayEvent gatewayEvent)
    {
        public IReadOnlyDictionary<string, object?> Data
        {
            get
            {
                using var document = JsonDocument.Parse(gatewayEvent.DataJson);
                return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => Plain(p.Value), StringComparer.Ordinal);
            }
        }
    }

    private static object? Plain(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        JsonValueKind.Number when value.TryGetInt32(out var i) => i,
        JsonValueKind.Number when value.TryGetInt64(out var l) => l,
        JsonValueKind.Number => value.GetDouble(),
        _ => value.GetRawText(),
    };
}
