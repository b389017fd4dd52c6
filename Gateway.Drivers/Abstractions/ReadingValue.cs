using System.Globalization;

namespace Gateway.Drivers.Abstractions;

/// <summary>
/// A measured value without boxing: a bool, a signed or unsigned 64-bit integer (kept exact, a
/// u64 meter total does not fit a double) or a double. Drivers publish thousands per second, so
/// this is a struct and never allocates.
/// </summary>
public readonly record struct ReadingValue
{
    private readonly ulong _bits;

    private ReadingValue(ReadingValueKind kind, ulong bits)
    {
        Kind = kind;
        _bits = bits;
    }

    public ReadingValueKind Kind { get; }

    public static ReadingValue None => default;

    public static ReadingValue FromBoolean(bool value) => new(ReadingValueKind.Boolean, value ? 1UL : 0UL);

    public static ReadingValue FromInt64(long value) => new(ReadingValueKind.Int64, unchecked((ulong)value));

    public static ReadingValue FromUInt64(ulong value) => new(ReadingValueKind.UInt64, value);

    public static ReadingValue FromDouble(double value) => new(ReadingValueKind.Double, BitConverter.DoubleToUInt64Bits(value));

    public bool AsBoolean() => Kind switch
    {
        ReadingValueKind.Boolean or ReadingValueKind.Int64 or ReadingValueKind.UInt64 => _bits != 0,
        ReadingValueKind.Double => AsDouble() != 0,
        _ => throw new InvalidOperationException("the reading has no value"),
    };

    public long AsInt64() => Kind switch
    {
        ReadingValueKind.Boolean or ReadingValueKind.Int64 => unchecked((long)_bits),
        ReadingValueKind.UInt64 => checked((long)_bits),
        ReadingValueKind.Double => checked((long)AsDouble()),
        _ => throw new InvalidOperationException("the reading has no value"),
    };

    public double AsDouble() => Kind switch
    {
        ReadingValueKind.Boolean => _bits,
        ReadingValueKind.Int64 => unchecked((long)_bits),
        ReadingValueKind.UInt64 => _bits,
        ReadingValueKind.Double => BitConverter.UInt64BitsToDouble(_bits),
        _ => throw new InvalidOperationException("the reading has no value"),
    };

    public ulong AsUInt64() => Kind switch
    {
        ReadingValueKind.Boolean or ReadingValueKind.UInt64 => _bits,
        ReadingValueKind.Int64 => checked((ulong)unchecked((long)_bits)),
        ReadingValueKind.Double => checked((ulong)AsDouble()),
        _ => throw new InvalidOperationException("the reading has no value"),
    };

    /// <summary>The value as JSON text (<c>true</c>, <c>42</c>, <c>1.5</c>, <c>null</c>).</summary>
    public override string ToString() => Kind switch
    {
        ReadingValueKind.None => "null",
        ReadingValueKind.Boolean => _bits != 0 ? "true" : "false",
        ReadingValueKind.Int64 => unchecked((long)_bits).ToString(CultureInfo.InvariantCulture),
        ReadingValueKind.UInt64 => _bits.ToString(CultureInfo.InvariantCulture),
        _ => AsDouble().ToString("R", CultureInfo.InvariantCulture),
    };
}
