using System.Buffers.Binary;
using System.Globalization;
using Gateway.Drivers.Abstractions;

namespace Gateway.Drivers.Modbus.Points;

/// <summary>
/// Turns register bytes (big-endian words as on the wire) into a point's value and back
/// (SPEC section 2: types, the four orders, scale and offset, bits). Pure and allocation-free.
/// Values carry no binary noise into the payloads: a float32 register is widened through its
/// shortest decimal form (13.04177f becomes 13.04177, not 13.041769981384277), and integer and
/// float32 values are scaled in decimal arithmetic (3 × 0.1 becomes 0.3, not 0.30000000000000004).
/// </summary>
public static class PointCodec
{
    /// <summary>
    /// Decodes a register point from its <see cref="ModbusPoint.Width"/> registers
    /// (<paramref name="registers"/> = 2 × width bytes). A bit point (<see cref="ModbusPoint.Bit"/>)
    /// yields a bool; integers with identity scaling stay exact; anything scaled is a double.
    /// </summary>
    public static ReadingValue DecodeRegisters(ModbusPoint point, ReadOnlySpan<byte> registers)
    {
        ArgumentNullException.ThrowIfNull(point);
        var width = ModbusPoint.RegistersOf(point.Type) * 2;
        if (registers.Length < width)
        {
            throw new ArgumentException($"point '{point.Name}' needs {width} bytes", nameof(registers));
        }
        Span<byte> value = stackalloc byte[8];
        ToBigEndian(registers[..width], point.Order, value[..width]);
        var raw = value[..width];

        if (point.Bit is { } bit)
        {
            var bits = width switch
            {
                2 => BinaryPrimitives.ReadUInt16BigEndian(raw),
                4 => BinaryPrimitives.ReadUInt32BigEndian(raw),
                _ => BinaryPrimitives.ReadUInt64BigEndian(raw),
            };
            return ReadingValue.FromBoolean(((bits >> bit) & 1) != 0);
        }
        return point.Type switch
        {
            PointType.U16 => Integer(point, BinaryPrimitives.ReadUInt16BigEndian(raw)),
            PointType.I16 => Integer(point, BinaryPrimitives.ReadInt16BigEndian(raw)),
            PointType.U32 => Integer(point, BinaryPrimitives.ReadUInt32BigEndian(raw)),
            PointType.I32 => Integer(point, BinaryPrimitives.ReadInt32BigEndian(raw)),
            PointType.U64 => Unsigned(point, BinaryPrimitives.ReadUInt64BigEndian(raw)),
            PointType.I64 => Integer(point, BinaryPrimitives.ReadInt64BigEndian(raw)),
            PointType.F32 => Single(point, BinaryPrimitives.ReadSingleBigEndian(raw)),
            // an f64 register already holds the exact double: scale and offset in double arithmetic
            PointType.F64 => ReadingValue.FromDouble((BinaryPrimitives.ReadDoubleBigEndian(raw) * point.Scale) + point.Offset),
            _ => throw new ArgumentException($"point '{point.Name}': a bool register point needs a bit", nameof(point)),
        };
    }

    /// <summary>Reads bit <paramref name="index"/> of coil/discrete data packed LSB first (MAP v1.1b3, 6.1).</summary>
    public static bool ReadPackedBit(ReadOnlySpan<byte> packed, int index) => ((packed[index >> 3] >> (index & 7)) & 1) != 0;

    /// <summary>
    /// Encodes an engineering value for writing: inverts scale and offset, rounds integers, checks
    /// the range. False when the value does not fit the type (nothing is written then).
    /// </summary>
    public static bool TryEncodeRegisters(ModbusPoint point, double value, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(point);
        var width = ModbusPoint.RegistersOf(point.Type) * 2;
        if (destination.Length < width || point.Bit is not null || point.IsBitTable || double.IsNaN(value))
        {
            return false;
        }
        var raw = (value - point.Offset) / point.Scale;
        Span<byte> big = stackalloc byte[8];
        switch (point.Type)
        {
            case PointType.F32:
                BinaryPrimitives.WriteSingleBigEndian(big, (float)raw);
                break;
            case PointType.F64:
                BinaryPrimitives.WriteDoubleBigEndian(big, raw);
                break;
            default:
                var rounded = Math.Round(raw, MidpointRounding.AwayFromZero);
                if (!FitsInteger(point.Type, rounded))
                {
                    return false;
                }
                switch (point.Type)
                {
                    case PointType.U16: BinaryPrimitives.WriteUInt16BigEndian(big, (ushort)rounded); break;
                    case PointType.I16: BinaryPrimitives.WriteInt16BigEndian(big, (short)rounded); break;
                    case PointType.U32: BinaryPrimitives.WriteUInt32BigEndian(big, (uint)rounded); break;
                    case PointType.I32: BinaryPrimitives.WriteInt32BigEndian(big, (int)rounded); break;
                    case PointType.U64: BinaryPrimitives.WriteUInt64BigEndian(big, (ulong)rounded); break;
                    case PointType.I64: BinaryPrimitives.WriteInt64BigEndian(big, (long)rounded); break;
                    default: return false;
                }
                break;
        }
        // The order permutations are their own inverses, so the same shuffle turns A B C D into wire order.
        ToBigEndian(big[..width], point.Order, destination[..width]);
        return true;
    }

    private static bool FitsInteger(PointType type, double v) => type switch
    {
        PointType.U16 => v is >= 0 and <= ushort.MaxValue,
        PointType.I16 => v is >= short.MinValue and <= short.MaxValue,
        PointType.U32 => v is >= 0 and <= uint.MaxValue,
        PointType.I32 => v is >= int.MinValue and <= int.MaxValue,
        PointType.U64 => v is >= 0 and < 18446744073709551616.0,
        PointType.I64 => v is >= -9223372036854775808.0 and < 9223372036854775808.0,
        _ => false,
    };

    /// <summary>
    /// Reorders <paramref name="wire"/> (n registers as received) into the big-endian value A B C D….
    /// Word permutation: CDAB and DCBA reverse the word order; BADC and DCBA swap the bytes of each word.
    /// </summary>
    internal static void ToBigEndian(ReadOnlySpan<byte> wire, WordOrder order, Span<byte> value)
    {
        var words = wire.Length / 2;
        var reverseWords = order is WordOrder.CDAB or WordOrder.DCBA;
        var swapBytes = order is WordOrder.BADC or WordOrder.DCBA;
        if (words == 1)
        {
            reverseWords = false;
        }
        for (var w = 0; w < words; w++)
        {
            var source = reverseWords ? words - 1 - w : w;
            var hi = wire[source * 2];
            var lo = wire[(source * 2) + 1];
            value[w * 2] = swapBytes ? lo : hi;
            value[(w * 2) + 1] = swapBytes ? hi : lo;
        }
    }

    private static ReadingValue Integer(ModbusPoint point, long raw) =>
        point.IsIdentityScaling ? ReadingValue.FromInt64(raw) : ReadingValue.FromDouble(Scaled(point, raw, raw));

    private static ReadingValue Unsigned(ModbusPoint point, ulong raw) =>
        point.IsIdentityScaling ? ReadingValue.FromUInt64(raw) : ReadingValue.FromDouble(Scaled(point, raw, raw));

    private static ReadingValue Single(ModbusPoint point, float raw)
    {
        // the float's shortest round-trip decimal form ("R"): what the device meant, without widening noise
        Span<char> text = stackalloc char[32];
        if (!float.IsFinite(raw) || !raw.TryFormat(text, out var length, "R", CultureInfo.InvariantCulture))
        {
            return ReadingValue.FromDouble((raw * point.Scale) + point.Offset); // NaN, ±∞
        }
        var shortest = text[..length];
        if (decimal.TryParse(shortest, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact) && (exact != 0 || raw == 0))
        {
            return ReadingValue.FromDouble(point.IsIdentityScaling ? (double)exact : Scaled(point, exact, raw));
        }
        // beyond decimal's range (above 7.9e28, or below 1e-28 where it parses as 0): in double arithmetic
        var widened = double.Parse(shortest, NumberStyles.Float, CultureInfo.InvariantCulture);
        return ReadingValue.FromDouble(point.IsIdentityScaling ? widened : (widened * point.Scale) + point.Offset);
    }

    /// <summary>
    /// raw × scale + offset in decimal arithmetic, then rounded once to a double: the double nearest
    /// the exact engineering value (scale and offset are short decimals from the configuration).
    /// </summary>
    private static double Scaled(ModbusPoint point, decimal raw, double rawAsDouble)
    {
        try
        {
            return (double)((raw * (decimal)point.Scale) + (decimal)point.Offset);
        }
        catch (OverflowException)
        {
            return (rawAsDouble * point.Scale) + point.Offset; // beyond decimal's 7.9e28
        }
    }
}
