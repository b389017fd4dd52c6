using System.Text.Json.Nodes;

namespace Gateway.Sync.Store;

/// <summary>
/// The time fields inside an event's data (<see cref="GatewayEvent.DataTimes"/>) dated like the event
/// itself (SPEC section 3): from the same clock decision at insert, or, when time was not known then,
/// kept as null plus <c>…UptimeMs</c> and dated by <see cref="ClockFixUp"/> with the offset that dates the row.
/// </summary>
internal static class EventDataTimes
{
    private const string UptimeSuffix = "UptimeMs";

    /// <summary>The data to store: each time field as ISO-8601 from <paramref name="eventTime"/>, or null with its uptime when that is not known.</summary>
    public static string Date(GatewayEvent e, DateTimeOffset? eventTime, StoreContext store)
    {
        if (e.DataTimes is not { Count: > 0 } fields || JsonNode.Parse(e.DataJson) is not JsonObject data)
        {
            return e.DataJson;
        }
        foreach (var (name, timestamp) in fields)
        {
            if (eventTime is { } known)
            {
                var time = known - store.Time.GetElapsedTime(timestamp, e.Timestamp);
                data[name] = time >= store.Clock.Floor ? RecordJson.FormatTimestamp(time) : null;
            }
            else
            {
                data[name] = null;
                data[UptimeName(name)] = RecordRow.MonotonicMilliseconds(store.Time, timestamp);
            }
        }
        return data.ToJsonString(GatewayEvent.DataSerializerOptions);
    }

    /// <summary>The data with every undated time field dated (uptime + <paramref name="offsetMs"/>, not before the floor), or null when nothing changed.</summary>
    public static string? Fix(string dataJson, long offsetMs, DateTimeOffset floor)
    {
        if (JsonNode.Parse(dataJson) is not JsonObject data)
        {
            return null;
        }
        var changed = false;
        foreach (var (name, value) in data.ToList())
        {
            var field = name.EndsWith(UptimeSuffix, StringComparison.Ordinal) ? name[..^UptimeSuffix.Length] + "Ts" : null;
            if (field is null || value is not JsonValue uptime || !uptime.TryGetValue<long>(out var ms)
                || !data.TryGetPropertyValue(field, out var current) || current is not null)
            {
                continue;
            }
            var time = RecordRow.FromUnixMilliseconds(ms + offsetMs);
            if (time >= floor)
            {
                data[field] = RecordJson.FormatTimestamp(time);
                data.Remove(name);
                changed = true;
            }
        }
        return changed ? data.ToJsonString(GatewayEvent.DataSerializerOptions) : null;
    }

    private static string UptimeName(string field) =>
        (field.EndsWith("Ts", StringComparison.Ordinal) ? field[..^2] : field) + UptimeSuffix;
}
