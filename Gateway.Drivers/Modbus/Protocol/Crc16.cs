namespace Gateway.Drivers.Modbus.Protocol;

/// <summary>
/// CRC-16/MODBUS (polynomial 0xA001 reflected, initial 0xFFFF; Modbus over Serial Line v1.02,
/// section 6.2.2). Sent low byte first.
/// </summary>
public static class Crc16
{
    private static readonly ushort[] Table = BuildTable();

    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        ushort crc = 0xFFFF;
        foreach (var b in data)
        {
            crc = (ushort)((crc >> 8) ^ Table[(crc ^ b) & 0xFF]);
        }
        return crc;
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var value = (ushort)i;
            for (var bit = 0; bit < 8; bit++)
            {
                value = (value & 1) != 0 ? (ushort)((value >> 1) ^ 0xA001) : (ushort)(value >> 1);
            }
            table[i] = value;
        }
        return table;
    }
}
