namespace Gateway.Drivers.I2c;

/// <summary>
/// One target address on an I2C bus. Transfers are short, bounded kernel calls (a few bytes at
/// 100–400 kHz), so they are synchronous; drivers pace them with async delays.
/// </summary>
public interface II2cDevice : IDisposable
{
    int Bus { get; }

    int Address { get; }

    /// <summary>Writes <paramref name="write"/> then, after a repeated START, reads <paramref name="read"/>.</summary>
    void WriteRead(ReadOnlySpan<byte> write, Span<byte> read);

    void Write(ReadOnlySpan<byte> write);
}
