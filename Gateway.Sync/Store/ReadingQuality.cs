namespace Gateway.Sync.Store;

/// <summary>SPEC section 3 <c>quality</c> of a READING. The numeric values are stored on disk: never renumber.</summary>
public enum ReadingQuality
{
    Good = 0,
    Bad = 1,
    Uncertain = 2,
}
