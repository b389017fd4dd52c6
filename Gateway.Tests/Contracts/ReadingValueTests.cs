using System.Runtime.CompilerServices;

namespace Gateway.Tests.Contracts;

public sealed class ReadingValueTests
{
    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void A_non_finite_double_is_no_value(double value)
    {
        Assert.Equal(ReadingValue.None, ReadingValue.FromDouble(value));
        Assert.False(ReadingValue.FromDouble(value).HasValue);
        Assert.Equal("null", ReadingValue.FromDouble(value).ToString());
    }

    [Fact]
    public void No_value_is_the_default_and_has_no_number()
    {
        Assert.Equal(ReadingValueKind.None, default(ReadingValue).Kind);
        Assert.Throws<InvalidOperationException>(() => ReadingValue.None.AsDouble());
        Assert.Throws<InvalidOperationException>(() => ReadingValue.None.AsInt64());
    }

    [Theory]
    [InlineData(ulong.MaxValue, "18446744073709551615")]
    [InlineData(9223372036854775808UL, "9223372036854775808")]
    [InlineData(0UL, "0")]
    public void A_u64_keeps_every_bit(ulong value, string json)
    {
        var v = ReadingValue.FromUInt64(value);
        Assert.Equal((ReadingValueKind.UInt64, value, json), (v.Kind, v.AsUInt64(), v.ToString()));
        Assert.NotEqual(ReadingValue.FromInt64(unchecked((long)value)), v); // same bits, another kind
    }

    [Fact]
    public void Values_of_different_kinds_are_never_equal()
    {
        Assert.NotEqual(ReadingValue.FromInt64(1), ReadingValue.FromBoolean(true));
        Assert.NotEqual(ReadingValue.FromDouble(0), ReadingValue.None);
        Assert.Equal(ReadingValue.FromDouble(2.5), (ReadingValue)2.5);
    }

    [Fact]
    public void A_reading_is_small_and_its_value_holds_no_reference()
    {
        // Drivers publish thousands per second through a bounded channel of these: keep the value 16 bytes.
        Assert.Equal(16, Unsafe.SizeOf<ReadingValue>());
        Assert.False(RuntimeHelpers.IsReferenceOrContainsReferences<ReadingValue>());
    }
}
