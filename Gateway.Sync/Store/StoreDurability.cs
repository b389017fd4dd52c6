namespace Gateway.Sync.Store;

/// <summary>When an append returns (the <c>storage.durability</c> key).</summary>
public enum StoreDurability
{
    /// <summary>After the record's commit is fsynced (SQLite WAL, synchronous=FULL).</summary>
    Fsync,

    /// <summary>After the commit; fsync happens at WAL checkpoints only (synchronous=NORMAL).</summary>
    Relaxed,
}
