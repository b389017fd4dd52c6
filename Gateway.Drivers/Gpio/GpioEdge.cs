namespace Gateway.Drivers.Gpio;

/// <summary>
/// One edge of an input line: <paramref name="Active"/> is the logical level after the edge
/// (active-low already applied) and <paramref name="TimestampNs"/> the chip's monotonic time of the
/// edge in nanoseconds (CLOCK_MONOTONIC for a kernel chip, the same clock as
/// <see cref="TimeProvider.System"/>'s timestamps).
/// </summary>
public readonly record struct GpioEdge(int Line, bool Active, long TimestampNs);
