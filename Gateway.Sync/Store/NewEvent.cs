namespace Gateway.Sync.Store;

/// <summary>
/// An event to store (SPEC section 3 EVENT). <paramref name="DataJson"/> is the <c>data</c>
/// object as UTF-8 JSON text; an optional <paramref name="Snapshot"/> (JPEG) is stored in the
/// same transaction and published under <c>snapshots/{seq}</c>.
/// </summary>
public sealed record NewEvent(
    string Type,
    string Source,
    string DataJson,
    DateTimeOffset MeasuredAt,
    long MonotonicTimestamp,
    ReadOnlyMemory<byte> Snapshot = default)
{
    /// <summary>An event that happened now according to <paramref name="time"/>.</summary>
    public static NewEvent Now(TimeProvider time, string type, string source, string dataJson = "{}", ReadOnlyMemory<byte> snapshot = default)
    {
        ArgumentNullException.ThrowIfNull(time);
        return new NewEvent(type, source, dataJson, time.GetUtcNow(), time.GetTimestamp(), snapshot);
    }
}
