namespace Gateway.Drivers.Pole;

/// <summary>
/// One reading as a pole driver produces it. <paramref name="Value"/> is a <see cref="bool"/>,
/// <see cref="long"/> or <see cref="double"/>, or null when the quality is bad. <paramref name="MeasuredAt"/> comes from
/// <see cref="TimeProvider.GetUtcNow"/> (may be 1970 before the clock is valid) and
/// <paramref name="MonotonicTimestamp"/> from <see cref="TimeProvider.GetTimestamp"/>, so the
/// store can correct the wall time once the clock is known (SPEC section 3, <c>ts</c>).
/// </summary>
public sealed record PoleReading(
    string Device,
    string Point,
    object? Value,
    string? Unit,
    PoleQuality Quality,
    string? QualityReason,
    DateTimeOffset MeasuredAt,
    long MonotonicTimestamp);
