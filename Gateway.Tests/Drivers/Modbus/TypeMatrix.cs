using System.Buffers.Binary;
using Gateway.Drivers;

namespace Gateway.Tests.Drivers.Modbus;

/// <summary>
/// Every point type in every byte/word order, plus scaling, bit fields, the input, coil and
/// discrete tables, laid out in a server's tables. The wire bytes are built here independently of
/// the gateway's codec: the big-endian value A B C D… permuted by an explicit index map per order.
/// </summary>
public static class TypeMatrix
{
    public static readonly string[] Orders = ["ABCD", "CDAB", "BADC", "DCBA"];

    public static readonly (string Type, double Value, string Text)[] Values =
    [
        ("u16", 51234, "51234"),
        ("i16", -12345, "-12345"),
        ("u32", 3123456789, "3123456789"),
        ("i32", -123456789, "-123456789"),
        ("f32", -1234.5, "-1234.5"),
        ("u64", 0, "12345678901234567890"),
        ("i64", 0, "-1234567890123456789"),
        ("f64", -98765.4321, "-98765.4321"),
    ];

    private static readonly Dictionary<(int Bytes, string Order), int[]> Permutations = new()
    {
        [(2, "ABCD")] = [0, 1], [(2, "CDAB")] = [0, 1], [(2, "BADC")] = [1, 0], [(2, "DCBA")] = [1, 0],
        [(4, "ABCD")] = [0, 1, 2, 3], [(4, "CDAB")] = [2, 3, 0, 1], [(4, "BADC")] = [1, 0, 3, 2], [(4, "DCBA")] = [3, 2, 1, 0],
        [(8, "ABCD")] = [0, 1, 2, 3, 4, 5, 6, 7], [(8, "CDAB")] = [6, 7, 4, 5, 2, 3, 0, 1],
        [(8, "BADC")] = [1, 0, 3, 2, 5, 4, 7, 6], [(8, "DCBA")] = [7, 6, 5, 4, 3, 2, 1, 0],
    };

    /// <summary>Points and the expected reading text (ReadingValue.ToString()) of each.</summary>
    public static (List<PointOptions> Points, Dictionary<string, string> Expected, ModbusTables Tables) Build()
    {
        var holding = new ushort[210];
        var input = new ushort[10];
        var points = new List<PointOptions>();
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        var address = 0;
        foreach (var order in Orders)
        {
            foreach (var (type, value, text) in Values)
            {
                var big = BigEndian(type, value);
                var wire = Permutations[(big.Length, order)].Select(i => big[i]).ToArray();
                for (var r = 0; r < wire.Length / 2; r++)
                {
                    holding[address + r] = BinaryPrimitives.ReadUInt16BigEndian(wire.AsSpan(r * 2));
                }
                var name = $"{type}_{order}";
                points.Add(new PointOptions { Name = name, Table = "holding", Address = address, Type = type, Order = order });
                expected[name] = text;
                address += wire.Length / 2;
            }
        }
        holding[address] = 500;
        points.Add(new PointOptions { Name = "scaled", Table = "holding", Address = address, Type = "i16", Scale = 0.1, Offset = -40, Unit = "°C" });
        expected["scaled"] = "10";
        holding[address + 1] = 0x8005;
        points.Add(new PointOptions { Name = "bit0", Table = "holding", Address = address + 1, Type = "bool", Bit = 0 });
        points.Add(new PointOptions { Name = "bit1", Table = "holding", Address = address + 1, Type = "bool", Bit = 1 });
        points.Add(new PointOptions { Name = "bit15", Table = "holding", Address = address + 1, Type = "bool", Bit = 15 });
        expected["bit0"] = "true";
        expected["bit1"] = "false";
        expected["bit15"] = "true";
        holding[200] = 4242;
        points.Add(new PointOptions { Name = "far", Table = "holding", Address = 200 });
        expected["far"] = "4242";
        input[3] = 0xFFFF;
        points.Add(new PointOptions { Name = "in_i16", Table = "input", Address = 3, Type = "i16" });
        expected["in_i16"] = "-1";
        bool[] coils = [false, true, false, true, true];
        bool[] discrete = [true, false, false, false, false, false, false, false, false, true];
        points.Add(new PointOptions { Name = "coil1", Table = "coil", Address = 1 });
        points.Add(new PointOptions { Name = "coil2", Table = "coil", Address = 2 });
        points.Add(new PointOptions { Name = "di0", Table = "discrete", Address = 0 });
        points.Add(new PointOptions { Name = "di9", Table = "discrete", Address = 9 });
        expected["coil1"] = "true";
        expected["coil2"] = "false";
        expected["di0"] = "true";
        expected["di9"] = "true";
        return (points, expected, new ModbusTables(holding, input, coils, discrete));
    }

    private static byte[] BigEndian(string type, double value)
    {
        switch (type)
        {
            case "u16": { var b = new byte[2]; BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)value); return b; }
            case "i16": { var b = new byte[2]; BinaryPrimitives.WriteInt16BigEndian(b, (short)value); return b; }
            case "u32": { var b = new byte[4]; BinaryPrimitives.WriteUInt32BigEndian(b, (uint)value); return b; }
            case "i32": { var b = new byte[4]; BinaryPrimitives.WriteInt32BigEndian(b, (int)value); return b; }
            case "f32": { var b = new byte[4]; BinaryPrimitives.WriteSingleBigEndian(b, (float)value); return b; }
            case "u64": { var b = new byte[8]; BinaryPrimitives.WriteUInt64BigEndian(b, 12345678901234567890UL); return b; }
            case "i64": { var b = new byte[8]; BinaryPrimitives.WriteInt64BigEndian(b, -1234567890123456789L); return b; }
            default: { var b = new byte[8]; BinaryPrimitives.WriteDoubleBigEndian(b, value); return b; }
        }
    }
}
