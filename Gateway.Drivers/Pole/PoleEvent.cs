namespace Gateway.Drivers.Pole;

/// <summary>
/// A driver event (SPEC section 3 EVENT): <paramref name="Type"/> such as <c>gpio.changed</c>,
/// <paramref name="Source"/> = the device id, <paramref name="Data"/> = the event's data object.
/// </summary>
public sealed record PoleEvent(
    string Type,
    string Source,
    IReadOnlyDictionary<string, object?> Data,
    DateTimeOffset OccurredAt,
    long MonotonicTimestamp);
