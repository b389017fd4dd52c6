namespace Gateway.Sync.Store;

/// <summary>What a <see cref="ReadingValue"/> holds. The numeric values are stored on disk: never renumber.</summary>
public enum ReadingValueKind
{
    Double = 0,
    Integer = 1,
    Boolean = 2,
    Text = 3,
}
