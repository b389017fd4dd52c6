namespace Gateway.Drivers.Modbus.Protocol;

/// <summary>
/// Inter-character (t1.5) and inter-frame (t3.5) times (Modbus over Serial Line v1.02, section
/// 2.5.1.1): 1.5 and 3.5 character times of 11 bits; above 19,200 baud the fixed 750 µs and
/// 1.750 ms.
/// </summary>
public readonly record struct RtuTiming(TimeSpan T15, TimeSpan T35)
{
    public static RtuTiming ForBaud(int baud)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(baud);
        if (baud > 19_200)
        {
            return new RtuTiming(TimeSpan.FromMicroseconds(750), TimeSpan.FromMicroseconds(1750));
        }
        var character = 11.0 / baud;
        return new RtuTiming(TimeSpan.FromSeconds(1.5 * character), TimeSpan.FromSeconds(3.5 * character));
    }

    /// <summary>Time to transmit <paramref name="bytes"/> characters of 11 bits at <paramref name="baud"/>.</summary>
    public static TimeSpan TransmitTime(int bytes, int baud) => TimeSpan.FromSeconds(bytes * 11.0 / baud);
}
