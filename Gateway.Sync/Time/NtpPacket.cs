using System.Buffers.Binary;

namespace Gateway.Sync.Time;

/// <summary>
/// The 48-byte NTP header (RFC 5905 section 7.3; used as SNTPv4, RFC 4330 section 4), without
/// extension fields or MAC, which a client query neither sends nor needs.
/// </summary>
internal readonly record struct NtpPacket(
    int LeapIndicator,
    int Version,
    int Mode,
    int Stratum,
    uint RootDelay,
    uint RootDispersion,
    uint ReferenceId,
    ulong OriginateTimestamp,
    ulong ReceiveTimestamp,
    ulong TransmitTimestamp)
{
    public const int Length = 48;

    /// <summary>Mode 3: a client's request (RFC 5905 figure 10).</summary>
    public const int ClientMode = 3;

    /// <summary>Mode 4: a server's reply.</summary>
    public const int ServerMode = 4;

    /// <summary>Leap indicator 3: "clock unsynchronized" (RFC 5905 figure 9).</summary>
    public const int Unsynchronized = 3;

    /// <summary>
    /// A client request. <paramref name="nonce"/> goes in the transmit timestamp: the server
    /// returns it as the originate timestamp, so a reply that does not carry it is not ours
    /// (RFC 5905 section 8, the "bogus" check; a random value instead of the client's clock also
    /// keeps a pole at 1970 from telling the network so).
    /// </summary>
    public static void WriteRequest(Span<byte> buffer, ulong nonce)
    {
        buffer[..Length].Clear();
        buffer[0] = (byte)((4 << 3) | ClientMode); // LI 0, VN 4, mode 3
        BinaryPrimitives.WriteUInt64BigEndian(buffer[40..], nonce);
    }

    /// <summary>Parses a reply header, or null when fewer than 48 bytes arrived.</summary>
    public static NtpPacket? Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length < Length)
        {
            return null;
        }
        return new NtpPacket(
            data[0] >> 6,
            (data[0] >> 3) & 7,
            data[0] & 7,
            data[1],
            BinaryPrimitives.ReadUInt32BigEndian(data[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(data[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(data[12..]),
            BinaryPrimitives.ReadUInt64BigEndian(data[24..]),
            BinaryPrimitives.ReadUInt64BigEndian(data[32..]),
            BinaryPrimitives.ReadUInt64BigEndian(data[40..]));
    }

    /// <summary>A stratum-0 reply is a kiss-o'-death; its reference id is the ASCII code (RFC 5905 section 7.4), e.g. <c>RATE</c>, <c>DENY</c>.</summary>
    public string KissCode => string.Create(4, ReferenceId, static (span, id) =>
    {
        for (var i = 0; i < 4; i++)
        {
            var c = (char)((id >> (24 - (8 * i))) & 0xFF);
            span[i] = c is >= ' ' and <= '~' ? c : '?';
        }
    });

    /// <summary>Root delay plus root dispersion in seconds (NTP short format, 16.16).</summary>
    public double RootDistanceSeconds => (RootDelay / 2.0 + RootDispersion) / 65536.0;

    /// <summary>
    /// An NTP timestamp (32.32 seconds since 1900) as UTC. The seconds wrap in 2036 (era 1): a
    /// value with its top bit clear is read as era 1 — so this is right from 1968 to 2104
    /// (RFC 4330 section 3).
    /// </summary>
    public static DateTimeOffset ToUtc(ulong timestamp)
    {
        var seconds = (uint)(timestamp >> 32);
        var fraction = (uint)timestamp;
        var era = (seconds & 0x8000_0000u) == 0 ? Era1 : Era0;
        var ticks = era.UtcTicks + (seconds * TimeSpan.TicksPerSecond) + (long)((fraction * (double)TimeSpan.TicksPerSecond) / 4294967296.0);
        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    private static readonly DateTimeOffset Era0 = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Era1 = Era0.AddTicks(4294967296L * TimeSpan.TicksPerSecond);

    /// <summary>UTC as an NTP timestamp (for tests and a server double).</summary>
    public static ulong FromUtc(DateTimeOffset utc)
    {
        var since = utc.UtcTicks - (utc >= Era1 ? Era1 : Era0).UtcTicks;
        var seconds = (ulong)(since / TimeSpan.TicksPerSecond);
        var fraction = (ulong)((since % TimeSpan.TicksPerSecond) * 4294967296.0 / TimeSpan.TicksPerSecond);
        return (seconds << 32) | fraction;
    }
}
