namespace Gateway.Sync.Store;

/// <summary>
/// A reading a driver hands to the store. <paramref name="MeasuredAt"/> is the wall clock and
/// <paramref name="MonotonicTimestamp"/> the <see cref="TimeProvider.GetTimestamp"/> of the same
/// <see cref="TimeProvider"/> the store uses, both taken at measurement; the store keeps the
/// monotonic one when the wall clock is not trusted yet (SPEC section 3).
/// </summary>
public readonly record struct NewReading(
    string Device,
    string Point,
    ReadingValue Value,
    string? Unit,
    ReadingQuality Quality,
    string? QualityReason,
    DateTimeOffset MeasuredAt,
    long MonotonicTimestamp)
{
    /// <summary>A reading measured now by <paramref name="time"/>.</summary>
    public static NewReading Measure(TimeProvider time, string device, string point, ReadingValue value, string? unit = null, ReadingQuality quality = ReadingQuality.Good, string? qualityReason = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        return new NewReading(device, point, value, unit, quality, qualityReason, time.GetUtcNow(), time.GetTimestamp());
    }
}
