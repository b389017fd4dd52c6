using System.Globalization;

namespace Gateway.Contracts;

/// <summary>
/// A measured value without boxing: a bool, a signed or unsigned 64-bit integer (kept exact, a
/// u64 meter total does not fit a double), a finite double, or no value. Drivers publish
/// thousands per second, so this is a 16-byte struct and never allocates.
/// </summary>
/// <remarks>
/// A non-finite double becomes <see cref="None"/>: JSON has no NaN or infinity, and a meter that
/// writes NaN into a float register means "not available". Deciding it here, once, means no layer
/// behind the driver ever has to carry NaN as a stand-in for "no value".
/// </remarks>
public readonly record struct ReadingValue
{
    private readonly ulong _bits;

    private ReadingValue(ReadingValueKind kind, ulong bits)
    {
        Kind = kind;
        _bits = bits;
    }

    public ReadingValueKind Kind { get; }

    public bool HasValue => Kind != ReadingValueKind.None;

    public static ReadingValue None => default;

    public static ReadingValue FromBoolean(bool value) => new(ReadingValueKind.Boolean, value ? 1UL : 0UL);

    public static ReadingValue FromInt64(long value) => new(ReadingValueKind.Int64, unchecked((ulong)value));

    public static ReadingValue FromUInt64(ulong value) => new(ReadingValueKind.UInt64, value);

    /// <summary>The double, or <see cref="None"/> when it is NaN or ±∞ (see remarks of the type).</summary>
    public static ReadingValue FromDouble(double value) =>
        double.IsFinite(value) ? new(ReadingValueKind.Double, BitConverter.DoubleToUInt64Bits(value)) : None;

    public static implicit operator ReadingValue(bool value) => FromBoolean(value);

    public static implicit operator ReadingValue(long value) => FromInt64(value);

    public static implicit operator ReadingValue(ulong value) => FromUInt64(value);

    public static implicit operator ReadingValue(double value) => FromDouble(value);

    public bool AsBoolean() => Kind switch
    {
        ReadingValueKind.Boolean or ReadingValueKind.Int64 or ReadingValueKind.UInt64 => _bits != 0,
        ReadingValueKind.Double => AsDouble() != 0,
        _ => throw NoValue(),
    };

    public long AsInt64() => Kind switch
    {
        ReadingValueKind.Boolean or ReadingValueKind.Int64 => unchecked((long)_bits),
        ReadingValueKind.UInt64 => checked((long)_bits),
        ReadingValueKind.Double => checked((long)AsDouble()),
        _ => throw NoValue(),
    };

    public ulong AsUInt64() => Kind switch
    {
        ReadingValueKind.Boolean or ReadingValueKind.UInt64 => _bits,
        ReadingValueKind.Int64 => checked((ulong)unchecked((long)_bits)),
        ReadingValueKind.Double => checked((ulong)AsDouble()),
        _ => throw NoValue(),
    };

    public double AsDouble() => Kind switch
    {
        ReadingValueKind.Boolean => _bits,
        ReadingValueKind.Int64 => unchecked((long)_bits),
        ReadingValueKind.UInt64 => _bits,
        ReadingValueKind.Double => BitConverter.UInt64BitsToDouble(_bits),
        _ => throw NoValue(),
    };

    /// <summary>The value as JSON text (<c>true</c>, <c>42</c>, <c>18446744073709551615</c>, <c>1.5</c>, <c>null</c>).</summary>
    public override string ToString() => Kind switch
    {
        ReadingValueKind.None => "null",
        ReadingValueKind.Boolean => _bits != 0 ? "true" : "false",
        ReadingValueKind.Int64 => unchecked((long)_bits).ToString(CultureInfo.InvariantCulture),
        ReadingValueKind.UInt64 => _bits.ToString(CultureInfo.InvariantCulture),
        _ => AsDouble().ToString("R", CultureInfo.InvariantCulture),
    };

    private static InvalidOperationException NoValue() => new("the reading has no value");
}
