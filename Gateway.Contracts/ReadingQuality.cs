namespace Gateway.Contracts;

/// <summary>Quality of one reading (SPEC section 3, READING.quality).</summary>
public enum ReadingQuality : byte
{
    Good,
    Bad,
    Uncertain,
}
