using System.Buffers.Binary;

namespace Gateway.Drivers.Sensors;

/// <summary>
/// One Plantower PMS5003 data frame (PMS5003 data manual, "Appendix I: transport protocol — active
/// mode"): 0x42 0x4D, frame length 28 (big-endian), 13 big-endian data words, then a big-endian
/// checksum = the sum of all 30 preceding bytes. Concentrations are µg/m³; "CF=1" values are for
/// factory calibration, the "atmospheric environment" ones (words 4–6) are what SPEC reports.
/// </summary>
internal readonly record struct Pms5003Frame(
    ushort Pm1_0Cf1, ushort Pm2_5Cf1, ushort Pm10Cf1,
    ushort Pm1_0Atmospheric, ushort Pm2_5Atmospheric, ushort Pm10Atmospheric,
    ushort Particles0_3, ushort Particles0_5, ushort Particles1_0, ushort Particles2_5, ushort Particles5_0, ushort Particles10)
{
    public const int Length = 32;
    public const byte Start1 = 0x42;
    public const byte Start2 = 0x4D;
    private const int FrameLengthField = 28;

    /// <summary>Parses exactly one frame; false on a bad start, length field or checksum.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out Pms5003Frame frame)
    {
        frame = default;
        if (bytes.Length < Length || bytes[0] != Start1 || bytes[1] != Start2
            || BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]) != FrameLengthField)
        {
            return false;
        }
        var sum = 0;
        foreach (var b in bytes[..30])
        {
            sum += b;
        }
        if ((ushort)sum != BinaryPrimitives.ReadUInt16BigEndian(bytes[30..]))
        {
            return false;
        }
        var data = bytes[4..];
        frame = new Pms5003Frame(Word(data, 0), Word(data, 1), Word(data, 2), Word(data, 3), Word(data, 4), Word(data, 5),
            Word(data, 6), Word(data, 7), Word(data, 8), Word(data, 9), Word(data, 10), Word(data, 11));
        return true;
    }

    private static ushort Word(ReadOnlySpan<byte> data, int index) => BinaryPrimitives.ReadUInt16BigEndian(data[(2 * index)..]);

    /// <summary>Writes this frame with its checksum (the simulator's and the tests' encoder).</summary>
    public void Write(Span<byte> bytes)
    {
        bytes[0] = Start1;
        bytes[1] = Start2;
        BinaryPrimitives.WriteUInt16BigEndian(bytes[2..], FrameLengthField);
        ReadOnlySpan<ushort> words = [Pm1_0Cf1, Pm2_5Cf1, Pm10Cf1, Pm1_0Atmospheric, Pm2_5Atmospheric, Pm10Atmospheric,
            Particles0_3, Particles0_5, Particles1_0, Particles2_5, Particles5_0, Particles10, 0];
        for (var i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(bytes[(4 + (2 * i))..], words[i]);
        }
        var sum = 0;
        foreach (var b in bytes[..30])
        {
            sum += b;
        }
        BinaryPrimitives.WriteUInt16BigEndian(bytes[30..], (ushort)sum);
    }
}
