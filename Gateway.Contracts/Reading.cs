namespace Gateway.Contracts;

/// <summary>
/// One measurement of one point of one device (SPEC section 3, READING, before the store gives it
/// its <c>seq</c>): what drivers publish and what the store appends. <see cref="MeasuredAt"/> is the
/// wall clock (<see cref="TimeProvider.GetUtcNow"/>), which may still be 1970 on a pole without RTC;
/// <see cref="Timestamp"/> is the monotonic <see cref="TimeProvider.GetTimestamp"/> of the same
/// <see cref="TimeProvider"/> the store uses, taken at the same moment, so that the store can date
/// the reading once the clock is known.
/// </summary>
/// <param name="Reason">Why the quality is not good (e.g. <c>timeout</c>, <c>exception 2 (illegal data address)</c>); null when good.</param>
public readonly record struct Reading(
    string Device,
    string Point,
    ReadingValue Value,
    string? Unit,
    ReadingQuality Quality,
    string? Reason,
    DateTimeOffset MeasuredAt,
    long Timestamp)
{
    /// <summary>A reading measured now by <paramref name="time"/>.</summary>
    public static Reading Measure(TimeProvider time, string device, string point, ReadingValue value, string? unit = null, ReadingQuality quality = ReadingQuality.Good, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        return new Reading(device, point, value, unit, quality, reason, time.GetUtcNow(), time.GetTimestamp());
    }
}
