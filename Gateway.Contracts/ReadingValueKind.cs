namespace Gateway.Contracts;

/// <summary>
/// Which value a <see cref="ReadingValue"/> holds. In memory only: the store keeps its own codes on
/// disk (Gateway.Sync/Store/RecordRow), so this enum may be reordered.
/// </summary>
public enum ReadingValueKind : byte
{
    /// <summary>No value (a bad reading, or a device that reported NaN); published as JSON <c>null</c>.</summary>
    None,
    Boolean,
    Int64,
    UInt64,
    Double,
}
