using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Gateway.Sync.Store;

/// <summary>
/// The SPEC section 3 JSON of stored records, shared by the MQTT forwarder and anything that
/// shows records. A record that could not be dated (time not known at measurement, nor since) carries <c>"clock":"unsynced"</c>,
/// <c>"ts":null</c> and its boot id and uptime: never a 1970 date.
/// </summary>
public static class RecordJson
{
    /// <summary>One READING object.</summary>
    public static void WriteReading(Utf8JsonWriter json, StoredReading reading)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(reading);
        json.WriteStartObject();
        json.WriteNumber("seq", reading.Seq);
        json.WriteString("device", reading.Device);
        json.WriteString("point", reading.Point);
        WriteTime(json, reading.Time);
        json.WritePropertyName("value");
        WriteValue(json, reading.Value);
        if (reading.Unit is not null)
        {
            json.WriteString("unit", reading.Unit);
        }
        json.WriteString("quality", QualityText(reading.Quality));
        if (reading.QualityReason is not null)
        {
            json.WriteString("reason", reading.QualityReason);
        }
        json.WriteEndObject();
    }

    /// <summary>
    /// A value as its exact JSON: a u64 as the integer it is (18446744073709551615, not
    /// 1.8446744073709552E+19), no value as <c>null</c> (the reading's quality and reason say why).
    /// </summary>
    public static void WriteValue(Utf8JsonWriter json, ReadingValue value)
    {
        ArgumentNullException.ThrowIfNull(json);
        switch (value.Kind)
        {
            case ReadingValueKind.Double:
                json.WriteNumberValue(value.AsDouble());
                break;
            case ReadingValueKind.Int64:
                json.WriteNumberValue(value.AsInt64());
                break;
            case ReadingValueKind.UInt64:
                json.WriteNumberValue(value.AsUInt64());
                break;
            case ReadingValueKind.Boolean:
                json.WriteBooleanValue(value.AsBoolean());
                break;
            default:
                json.WriteNullValue();
                break;
        }
    }

    /// <summary>The telemetry payload <c>{"v":1,"node":…,"readings":[…]}</c>.</summary>
    public static byte[] TelemetryPayload(string nodeId, IEnumerable<StoredReading> readings)
    {
        ArgumentNullException.ThrowIfNull(readings);
        return Envelope(nodeId, json =>
        {
            json.WriteStartArray("readings");
            foreach (var reading in readings)
            {
                WriteReading(json, reading);
            }
            json.WriteEndArray();
        });
    }

    /// <summary>One EVENT <c>{"v":1,"node":…,"seq":N,"type":…,"ts":…,"source":…,"data":{…}}</c>.</summary>
    public static byte[] EventPayload(string nodeId, StoredEvent storedEvent)
    {
        ArgumentNullException.ThrowIfNull(storedEvent);
        return Envelope(nodeId, json =>
        {
            json.WriteNumber("seq", storedEvent.Seq);
            json.WriteString("type", storedEvent.Type);
            WriteTime(json, storedEvent.Time);
            json.WriteString("source", storedEvent.Source);
            json.WritePropertyName("data");
            json.WriteRawValue(storedEvent.DataJson, skipInputValidation: false);
            if (storedEvent.HasSnapshot)
            {
                json.WriteBoolean("snapshot", true);
            }
        });
    }

    /// <summary>
    /// How every payload is written: non-ASCII text (°C, 立方米, a Chinese device name) stays plain
    /// UTF-8 instead of <c>\u00B0</c> escapes; quotes, backslashes and control characters are still
    /// escaped, so the JSON is valid. (The HTML-safe default is for web pages, not MQTT payloads.)
    /// </summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The same escaping for JSON built with the serializer (event data, command replies).</summary>
    public static JsonSerializerOptions SerializerOptions => GatewayEvent.DataSerializerOptions;

    // {"v":1,"node":…, <body>}
    private static byte[] Envelope(string nodeId, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("v", 1);
            json.WriteString("node", nodeId);
            body(json);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>ISO-8601 UTC with milliseconds, e.g. <c>2026-11-21T05:43:36.123Z</c>.</summary>
    public static string FormatTimestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string QualityText(ReadingQuality quality) => quality switch
    {
        ReadingQuality.Good => "good",
        ReadingQuality.Bad => "bad",
        _ => "uncertain",
    };

    private static void WriteTime(Utf8JsonWriter json, RecordTime time)
    {
        if (time.Timestamp is { } ts)
        {
            json.WriteString("ts", FormatTimestamp(ts));
            return;
        }
        json.WriteNull("ts");
        json.WriteString("clock", "unsynced");
        if (time.BootId is not null)
        {
            json.WriteString("boot", time.BootId);
        }
        if (time.UptimeMilliseconds is { } uptime)
        {
            json.WriteNumber("uptimeMs", uptime);
        }
    }
}
