namespace Gateway.Drivers.Abstractions;

/// <summary>Which field of a <see cref="ReadingValue"/> holds the value.</summary>
public enum ReadingValueKind : byte
{
    /// <summary>No value (a bad reading).</summary>
    None,
    Boolean,
    Int64,
    UInt64,
    Double,
}
