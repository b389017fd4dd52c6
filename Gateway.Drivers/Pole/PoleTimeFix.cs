namespace Gateway.Drivers.Pole;

/// <summary>
/// A UTC date and time received from a GNSS receiver (NMEA RMC with status A), with the local
/// clock's view at the moment the sentence arrived. The Host feeds it to the store's
/// clock-validity logic: <c>Utc - LocalClockAtReceipt</c> is the local clock's error, and
/// <paramref name="MonotonicTimestamp"/> ties the fix to readings measured before the clock was set.
/// </summary>
public sealed record PoleTimeFix(
    string Source,
    DateTimeOffset Utc,
    DateTimeOffset LocalClockAtReceipt,
    long MonotonicTimestamp);
