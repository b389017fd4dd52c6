namespace Gateway.Drivers.Abstractions;

/// <summary>
/// Something a driver noticed (SPEC section 3, EVENT, before the store gives it its <c>seq</c>):
/// <see cref="Type"/> such as <c>device.offline</c>, <c>device.online</c>, <c>gpio.changed</c>;
/// <see cref="Source"/> is the device id; <see cref="Data"/> becomes the event's <c>data</c> object.
/// </summary>
public sealed record DriverEvent(
    string Type,
    string Source,
    IReadOnlyDictionary<string, object?> Data,
    DateTimeOffset OccurredAt,
    long Timestamp);
