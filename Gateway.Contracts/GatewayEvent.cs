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

    /// <summary>
    /// Called with the seq the store gave this event, once the transaction holding it has committed:
    /// how a producer learns the seq a later event must name (<c>crowd.dispersed</c>'s
    /// <c>gatheringSeq</c>, <c>litter.cleared</c>'s <c>detectedSeq</c>) without the store having to
    /// understand event data. Runs on the store's writer: keep it short. Not called for an event that
    /// was never stored; an exception it throws is logged and does not disturb the writer.
    /// </summary>
    public Action<long>? Stored { get; init; }

    /// <summary>
    /// Fields of the data that hold a time (<c>sinceTs</c>, <c>firstSeenTs</c>), each with the
    /// <see cref="Timestamp"/>-clock timestamp of that moment. The store dates them as it dates the
    /// event (SPEC section 3: never 1970): while time is not known the field is null and
    /// <c>&lt;name without Ts&gt;UptimeMs</c> holds the moment's uptime, until the store dates the event's boot.
    /// </summary>
    public IReadOnlyDictionary<string, long>? DataTimes { get; init; }

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
