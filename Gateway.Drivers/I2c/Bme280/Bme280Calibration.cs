using System.Buffers.Binary;

namespace Gateway.Drivers.I2c.Bme280;

/// <summary>
/// The trimming parameters of one BME280 (datasheet section 4.2.2, table 16): 26 bytes from
/// 0x88 (dig_T1 … dig_P9, then dig_H1 at 0xA1) and 7 bytes from 0xE1 (dig_H2 … dig_H6), all
/// little-endian; dig_H4 and dig_H5 are 12-bit values sharing register 0xE5.
/// </summary>
internal readonly record struct Bme280Calibration(
    ushort T1, short T2, short T3,
    ushort P1, short P2, short P3, short P4, short P5, short P6, short P7, short P8, short P9,
    byte H1, short H2, byte H3, short H4, short H5, sbyte H6)
{
    public const int BlockTpLength = 26;
    public const int BlockHLength = 7;

    public static bool TryParse(ReadOnlySpan<byte> blockTp, ReadOnlySpan<byte> blockH, out Bme280Calibration calibration)
    {
        calibration = default;
        if (blockTp.Length < BlockTpLength || blockH.Length < BlockHLength)
        {
            return false;
        }
        calibration = new Bme280Calibration(
            T1: BinaryPrimitives.ReadUInt16LittleEndian(blockTp),
            T2: S(blockTp, 2),
            T3: S(blockTp, 4),
            P1: BinaryPrimitives.ReadUInt16LittleEndian(blockTp[6..]),
            P2: S(blockTp, 8), P3: S(blockTp, 10), P4: S(blockTp, 12), P5: S(blockTp, 14), P6: S(blockTp, 16), P7: S(blockTp, 18), P8: S(blockTp, 20), P9: S(blockTp, 22),
            H1: blockTp[25],
            H2: BinaryPrimitives.ReadInt16LittleEndian(blockH),
            H3: blockH[2],
            // 0xE4 holds H4[11:4] and 0xE5[3:0] H4[3:0]; 0xE6 holds H5[11:4] and 0xE5[7:4] H5[3:0].
            // The high byte is signed, as in Bosch's reference driver.
            H4: (short)(((sbyte)blockH[3] * 16) | (blockH[4] & 0x0F)),
            H5: (short)(((sbyte)blockH[5] * 16) | (blockH[4] >> 4)),
            H6: (sbyte)blockH[6]);
        return !(calibration.T1 == 0 || calibration.P1 == 0);
    }

    private static short S(ReadOnlySpan<byte> block, int offset) => BinaryPrimitives.ReadInt16LittleEndian(block[offset..]);

    /// <summary>The register bytes of this calibration (what a chip would hold) — for the simulator.</summary>
    public void Write(Span<byte> blockTp, Span<byte> blockH)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(blockTp, T1);
        BinaryPrimitives.WriteInt16LittleEndian(blockTp[2..], T2);
        BinaryPrimitives.WriteInt16LittleEndian(blockTp[4..], T3);
        BinaryPrimitives.WriteUInt16LittleEndian(blockTp[6..], P1);
        ReadOnlySpan<short> p = [P2, P3, P4, P5, P6, P7, P8, P9];
        for (var i = 0; i < p.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(blockTp[(8 + (2 * i))..], p[i]);
        }
        blockTp[24] = 0;
        blockTp[25] = H1;
        BinaryPrimitives.WriteInt16LittleEndian(blockH, H2);
        blockH[2] = H3;
        blockH[3] = (byte)(H4 >> 4);
        blockH[4] = (byte)((H4 & 0x0F) | ((H5 & 0x0F) << 4));
        blockH[5] = (byte)(H5 >> 4);
        blockH[6] = (byte)H6;
    }
}
