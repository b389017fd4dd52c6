namespace Gateway.Drivers.Sensors;

/// <summary>
/// Cuts a byte stream into NMEA lines (ending in LF, CR dropped). Bytes before a <c>$</c> are
/// noise and dropped; a line longer than any sentence can be is dropped whole, so noise without
/// line ends never grows memory past <see cref="Capacity"/>.
/// </summary>
internal sealed class NmeaLineBuffer
{
    public const int Capacity = 128;
    private readonly byte[] _line = new byte[Capacity];
    private int _length;
    private bool _overflow;

    /// <summary>Lines dropped for being too long (noise or a lost line end).</summary>
    public long Overflows { get; private set; }

    /// <summary>Feeds bytes; calls <paramref name="onLine"/> for every complete line starting with <c>$</c>.</summary>
    public void Append(ReadOnlySpan<byte> bytes, Action<ReadOnlySpan<byte>> onLine)
    {
        foreach (var b in bytes)
        {
            if (b == (byte)'\n')
            {
                var line = _line.AsSpan(0, _length);
                if (!_overflow && line.Length > 0)
                {
                    if (line[^1] == (byte)'\r')
                    {
                        line = line[..^1];
                    }
                    var start = line.IndexOf((byte)'$');
                    if (start >= 0)
                    {
                        onLine(line[start..]);
                    }
                }
                _length = 0;
                _overflow = false;
            }
            else if (b == (byte)'$' && !_overflow)
            {
                // A new sentence start: whatever came before it on this line was noise.
                _length = 0;
                _line[_length++] = b;
            }
            else if (_length < Capacity)
            {
                _line[_length++] = b;
            }
            else if (!_overflow)
            {
                _overflow = true;
                Overflows++;
            }
        }
    }
}
