using System.Text.Encodings.Web;
using System.Text.Json;

namespace Gateway.Contracts;

/// <summary>
/// Something that happened (SPEC section 3, EVENT, before the store gives it its <c>seq</c>): what
/// drivers and inference emit and the store appends. <see cref="Type"/> such as
/// <c>device.offline</c>; <see cref="Source"/> the device, camera or component; <see cref="DataJson"/>
/// the event's <c>data</c> object as JSON text, kept as text so that what the store writes and
/// publishes is exactly what the producer said. An optional <see cref="Snapshot"/> (JPEG) is stored
/// in the same transaction and published under <c>snapshots/{seq}</c>. Times as in <see cref="Reading"/>.
/// </summary>
public sealed record GatewayEvent(
    string Type,
    string Source,
    string DataJson,
    DateTimeOffset OccurredAt,
    long Timestamp,
    ReadOnlyMemory<byte> Snapshot = default)
{
    /// <summary>
    /// How event data is written: non-ASCII text (°C, 立方米, a Chinese device name) stays plain UTF-8
    /// instead of <c>\u00B0</c> escapes; quotes, backslashes and control characters are still escaped,
    /// so the JSON is valid. (The HTML-safe default is for web pages, not MQTT payloads.)
    /// </summary>
    public static JsonSerializerOptions DataSerializerOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>An event with <paramref name="data"/> serialised as its <c>data</c> object.</summary>
    public static GatewayEvent Create(string type, string source, IReadOnlyDictionary<string, object?> data, DateTimeOffset occurredAt, long timestamp) =>
        new(type, source, JsonSerializer.Serialize(data, DataSerializerOptions), occurredAt, timestamp);

    /// <summary>An event that happened now according to <paramref name="time"/>.</summary>
    public static GatewayEvent Now(TimeProvider time, string type, string source, string dataJson = "{}", ReadOnlyMemory<byte> snapshot = default)
    {
        ArgumentNullException.ThrowIfNull(time);
        return new GatewayEvent(type, source, dataJson, time.GetUtcNow(), time.GetTimestamp(), snapshot);
    }
}
