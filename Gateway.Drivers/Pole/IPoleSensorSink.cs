namespace Gateway.Drivers.Pole;

/// <summary>
/// Where the pole sensor drivers (GPIO, I2C, serial sensors) deliver what they measure. The Host
/// implements it and adapts it to the drivers' shared output abstraction and the store; it is kept
/// deliberately tiny so that adapter stays a few lines. Implementations must be thread-safe: every
/// driver calls it from its own loop.
/// </summary>
public interface IPoleSensorSink
{
    /// <summary>One measured value of a device point (SPEC section 4 names the points).</summary>
    ValueTask ReadingAsync(PoleReading reading, CancellationToken cancellationToken);

    /// <summary>A driver event such as <c>gpio.changed</c> (SPEC section 3 EVENT).</summary>
    ValueTask EventAsync(PoleEvent driverEvent, CancellationToken cancellationToken);

    /// <summary>A trusted UTC time from a GNSS receiver configured with <c>timeSource: true</c>.</summary>
    ValueTask TimeFixAsync(PoleTimeFix fix, CancellationToken cancellationToken);
}
