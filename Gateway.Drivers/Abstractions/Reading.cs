namespace Gateway.Drivers.Abstractions;

/// <summary>
/// One measurement of one point of one device (SPEC section 3, READING, before the store gives it
/// its <c>seq</c>). <see cref="MeasuredAt"/> is the wall clock (<see cref="TimeProvider.GetUtcNow"/>),
/// which may still be 1970 on a pole without RTC; <see cref="Timestamp"/> is the monotonic
/// <see cref="TimeProvider.GetTimestamp"/> taken at the same moment so that the store can correct
/// <see cref="MeasuredAt"/> once the clock is synced.
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
    long Timestamp);
