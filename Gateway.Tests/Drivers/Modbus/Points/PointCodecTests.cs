using Gateway.Drivers;
using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Modbus.Points;
using Gateway.Tests.Drivers.Modbus.Protocol;

namespace Gateway.Tests.Drivers.Modbus.Points;

public class PointCodecTests
{
    // 0x42F6E979 = 123.456f; 0x405EDD2F1A9FBE77 = 123.456 (double).
    [Theory]
    [InlineData("f32", "ABCD", "42 F6 E9 79")]
    [InlineData("f32", "CDAB", "E9 79 42 F6")]
    [InlineData("f32", "BADC", "F6 42 79 E9")]
    [InlineData("f32", "DCBA", "79 E9 F6 42")]
    public void F32_decodes_in_all_four_orders(string type, string order, string wire)
    {
        var value = PointCodec.DecodeRegisters(Point(type, order), Hex.Parse(wire));
        Assert.Equal(ReadingValueKind.Double, value.Kind);
        Assert.Equal(123.456f, (float)value.AsDouble());
    }

    [Theory]
    [InlineData("ABCD", "40 5E DD 2F 1A 9F BE 77")]
    [InlineData("CDAB", "BE 77 1A 9F DD 2F 40 5E")]
    [InlineData("BADC", "5E 40 2F DD 9F 1A 77 BE")]
    [InlineData("DCBA", "77 BE 9F 1A 2F DD 5E 40")]
    public void F64_decodes_in_all_four_orders(string order, string wire) =>
        Assert.Equal(123.456, PointCodec.DecodeRegisters(Point("f64", order), Hex.Parse(wire)).AsDouble());

    [Theory]
    [InlineData("u16", "ABCD", "FF FE", 65534L)]
    [InlineData("u16", "BADC", "FE FF", 65534L)]
    [InlineData("i16", "ABCD", "FF FE", -2L)]
    [InlineData("i16", "DCBA", "FE FF", -2L)]
    [InlineData("u32", "ABCD", "00 01 E2 40", 123456L)]
    [InlineData("u32", "CDAB", "E2 40 00 01", 123456L)]
    [InlineData("i32", "ABCD", "FF FE 1D C0", -123456L)]
    [InlineData("i32", "CDAB", "1D C0 FF FE", -123456L)]
    [InlineData("i32", "BADC", "FE FF C0 1D", -123456L)]
    [InlineData("i32", "DCBA", "C0 1D FE FF", -123456L)]
    [InlineData("i64", "ABCD", "FF FF FF FF FF FE 1D C0", -123456L)]
    [InlineData("i64", "CDAB", "1D C0 FF FE FF FF FF FF", -123456L)]
    public void Integers_decode_exactly(string type, string order, string wire, long expected)
    {
        var value = PointCodec.DecodeRegisters(Point(type, order), Hex.Parse(wire));
        Assert.Equal(expected, value.AsInt64());
        Assert.NotEqual(ReadingValueKind.Double, value.Kind);
    }

    [Theory]
    [InlineData("f32", 1.0, 0.0, "41 50 AB 17", "13.04177")] // 13.04177f, not 13.041769981384277
    [InlineData("f32", 1.0, 0.0, "3D CC CC CD", "0.1")]
    [InlineData("f32", 0.1, 0.0, "42 F6 E9 79", "12.3456")]
    [InlineData("u16", 0.1, 0.0, "00 03", "0.3")] // not 0.30000000000000004
    [InlineData("i16", 0.01, -0.1, "FF F9", "-0.17")]
    [InlineData("u32", 0.001, 0.0, "00 01 E2 40", "123.456")]
    [InlineData("u64", 0.001, 0.0, "00 00 00 00 00 01 E2 40", "123.456")]
    [InlineData("f32", 1.0, 0.0, "0D 8B 61 6B", "8.589989E-31")] // below decimal's range: the float's own value, not 0
    [InlineData("f64", 1.0, 0.5, "40 93 4A 45 84 FD 0F DF", "1235.0678901234567")] // f64: the register's exact double
    public void Values_reach_the_payload_without_binary_noise(string type, double scale, double offset, string wire, string expected)
    {
        Assert.Equal(expected, PointCodec.DecodeRegisters(Point(type, "ABCD", scale, offset), Hex.Parse(wire)).ToString());
    }

    [Fact]
    public void Decoding_allocates_nothing_also_for_float32_and_scaled_points()
    {
        var f32 = Point("f32", "CDAB", scale: 0.1, offset: 2);
        var u16 = Point("u16", "ABCD", scale: 0.1);
        var plain = Point("f32", "ABCD");
        var wire = Hex.Parse("41 50 AB 17");
        var sum = 0.0;
        for (var i = 0; i < 100; i++)
        {
            sum += PointCodec.DecodeRegisters(f32, wire).AsDouble() + PointCodec.DecodeRegisters(u16, wire).AsDouble() + PointCodec.DecodeRegisters(plain, wire).AsDouble();
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            sum += PointCodec.DecodeRegisters(f32, wire).AsDouble() + PointCodec.DecodeRegisters(u16, wire).AsDouble() + PointCodec.DecodeRegisters(plain, wire).AsDouble();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(sum > 0);
    }

    [Fact]
    public void U64_beyond_double_precision_stays_exact()
    {
        var value = PointCodec.DecodeRegisters(Point("u64", "ABCD"), Hex.Parse("FF FF FF FF FF FF FF FF"));
        Assert.Equal(ReadingValueKind.UInt64, value.Kind);
        Assert.Equal(ulong.MaxValue, value.AsUInt64());
        Assert.Equal("18446744073709551615", value.ToString());
    }

    [Theory]
    [InlineData("f32", "7F C0 00 00")]
    [InlineData("f32", "7F 80 00 00")]
    [InlineData("f32", "FF 80 00 00")]
    [InlineData("f64", "7F F8 00 00 00 00 00 00")]
    public void A_nan_or_infinite_register_decodes_to_no_value(string type, string wire)
    {
        var value = PointCodec.DecodeRegisters(Point(type, "ABCD", scale: 2), Hex.Parse(wire));
        Assert.Equal(ReadingValueKind.None, value.Kind);
        Assert.Equal("null", value.ToString());
    }

    [Fact]
    public void Scale_and_offset_apply_to_the_raw_value()
    {
        var point = Point("i16", "ABCD", scale: 0.1, offset: -40);
        var value = PointCodec.DecodeRegisters(point, Hex.Parse("01 F4")); // 500
        Assert.Equal(10.0, value.AsDouble(), 9);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    [InlineData(15, true)]
    public void Bit_points_read_one_bit_of_the_register(int bit, bool expected)
    {
        var value = PointCodec.DecodeRegisters(Point("bool", "ABCD", bit: bit), Hex.Parse("80 05"));
        Assert.Equal(ReadingValueKind.Boolean, value.Kind);
        Assert.Equal(expected, value.AsBoolean());
    }

    [Fact]
    public void Bit_of_a_u32_counts_from_the_least_significant_bit_of_the_value()
    {
        var point = Point("u32", "CDAB", bit: 17);
        Assert.True(PointCodec.DecodeRegisters(point, Hex.Parse("00 00 00 02")).AsBoolean());
        Assert.False(PointCodec.DecodeRegisters(point, Hex.Parse("00 02 00 00")).AsBoolean());
    }

    [Fact]
    public void Packed_bits_are_least_significant_first()
    {
        var packed = Hex.Parse("CD 01"); // coils 20..29 of the specification example
        bool[] expected = [true, false, true, true, false, false, true, true, true, false];
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], PointCodec.ReadPackedBit(packed, i));
        }
    }

    [Fact]
    public void Property_encode_then_decode_returns_the_value_for_every_type_and_order()
    {
        var random = new Random(11);
        string[] types = ["u16", "i16", "u32", "i32", "f32", "u64", "i64", "f64"];
        string[] orders = ["ABCD", "CDAB", "BADC", "DCBA"];
        var buffer = new byte[8];
        for (var i = 0; i < 10_000; i++)
        {
            var type = types[random.Next(types.Length)];
            var point = Point(type, orders[random.Next(orders.Length)], scale: random.Next(2) == 0 ? 1 : 0.5);
            double value = type switch
            {
                "u16" => random.Next(0, 65536),
                "i16" => random.Next(-32768, 32768),
                "u32" => (uint)random.NextInt64(0, uint.MaxValue),
                "i32" => random.Next(int.MinValue, int.MaxValue),
                "u64" or "i64" => random.NextInt64(0, 1L << 50),
                "f32" => (float)((random.NextDouble() - 0.5) * 1e6),
                _ => (random.NextDouble() - 0.5) * 1e12,
            } * point.Scale;
            Assert.True(PointCodec.TryEncodeRegisters(point, value, buffer), $"{type} {value}");
            var decoded = PointCodec.DecodeRegisters(point, buffer.AsSpan(0, point.Width * 2));
            if (type == "f32")
            {
                // widened through its shortest decimal form: the same float, not the same double
                Assert.Equal((float)value, (float)decoded.AsDouble());
            }
            else
            {
                Assert.Equal(value, decoded.AsDouble());
            }
        }
    }

    [Theory]
    [InlineData("u16", 65536)]
    [InlineData("u16", -1)]
    [InlineData("i16", 40000)]
    [InlineData("u32", -5)]
    public void Values_that_do_not_fit_are_not_encoded(string type, double value) =>
        Assert.False(PointCodec.TryEncodeRegisters(Point(type, "ABCD"), value, new byte[8]));

    private static ModbusPoint Point(string type, string order, double scale = 1, double offset = 0, int? bit = null) =>
        ModbusPoint.FromOptions(new PointOptions { Name = "p", Table = "holding", Type = type, Order = order, Scale = scale, Offset = offset, Bit = bit });
}
