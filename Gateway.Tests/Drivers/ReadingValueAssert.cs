using Gateway.Drivers.Abstractions;

namespace Gateway.Tests.Drivers;

/// <summary>Reads a <see cref="ReadingValue"/> as the kind a test expects, failing when it is another kind.</summary>
internal static class ReadingValueAssert
{
    public static double ExpectDouble(this ReadingValue value)
    {
        Assert.Equal(ReadingValueKind.Double, value.Kind);
        return value.AsDouble();
    }

    public static long ExpectInt64(this ReadingValue value)
    {
        Assert.Equal(ReadingValueKind.Int64, value.Kind);
        return value.AsInt64();
    }
}
