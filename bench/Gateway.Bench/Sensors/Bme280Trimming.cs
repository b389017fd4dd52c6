namespace Gateway.Bench.Sensors;

/// <summary>
/// One BME280's trimming parameters (datasheet BST-BME280-DS002 table 16), written into a register
/// map by the bench itself — not through either driver's code — so that both drivers parse the
/// same bytes a chip would hold.
/// </summary>
internal sealed record Bme280Trimming(
    ushort T1, short T2, short T3,
    ushort P1, short P2, short P3, short P4, short P5, short P6, short P7, short P8, short P9,
    byte H1, short H2, byte H3, short H4, short H5, sbyte H6)
{
    /// <summary>The datasheet worked example's T/P trimming with a typical humidity trimming.</summary>
    public static Bme280Trimming Typical { get; } = new(
        27504, 26435, -1000,
        36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000,
        75, 362, 0, 313, 50, 30);

    /// <summary>Stores the trimming at 0x88…0xA1 and 0xE1…0xE7, little-endian, dig_H4/H5 as 12-bit values sharing 0xE5.</summary>
    public void WriteTo(Span<byte> registers)
    {
        ReadOnlySpan<int> words = [T1, T2, T3, P1, P2, P3, P4, P5, P6, P7, P8, P9];
        for (var i = 0; i < words.Length; i++)
        {
            registers[0x88 + (2 * i)] = (byte)words[i];
            registers[0x89 + (2 * i)] = (byte)(words[i] >> 8);
        }
        registers[0xA1] = H1;
        registers[0xE1] = (byte)H2;
        registers[0xE2] = (byte)(H2 >> 8);
        registers[0xE3] = H3;
        // 0xE4 = dig_H4[11:4], 0xE5[3:0] = dig_H4[3:0], 0xE5[7:4] = dig_H5[3:0], 0xE6 = dig_H5[11:4]
        registers[0xE4] = (byte)(H4 >> 4);
        registers[0xE5] = (byte)((H4 & 0x0F) | ((H5 & 0x0F) << 4));
        registers[0xE6] = (byte)(H5 >> 4);
        registers[0xE7] = (byte)H6;
    }
}
