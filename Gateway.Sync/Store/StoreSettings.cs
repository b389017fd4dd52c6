using System.Globalization;

namespace Gateway.Sync.Store;

/// <summary><see cref="StorageOptions"/> resolved for the store, plus seams tests use.</summary>
internal sealed record StoreSettings(string Path, long BudgetBytes, StoreDurability Durability, TimeSpan AckFlushInterval)
{
    /// <summary>Records per transaction at most (bounds the size a commit can overshoot the budget by).</summary>
    public int MaxBatchRecords { get; init; } = 2048;

    /// <summary>Queued write requests at most; producers wait beyond it (backpressure, nothing unbounded).</summary>
    public int QueueCapacity { get; init; } = 4096;

    /// <summary>Seqs reserved per high-water-mark write.</summary>
    public long SeqReserveBlock { get; init; } = 65536;

    /// <summary>Acknowledgements that trigger a flush before the interval is up.</summary>
    public int AckFlushCount { get; init; } = 8192;

    /// <summary>Seam: SQLite's own page limit, to simulate a full disk in tests.</summary>
    public long? MaxPageCount { get; init; }

    /// <summary>Seam: the machine's boot identity.</summary>
    public Func<string> BootId { get; init; } = BootIdentity.Read;

    /// <summary>Room kept for the WAL inside the budget (checkpointed and truncated at this size).</summary>
    public long WalLimitBytes => Math.Clamp(BudgetBytes / 8 / StoreSchema.PageSize * StoreSchema.PageSize, 16 * StoreSchema.PageSize, 4L << 20);

    /// <summary>The part of the budget the main file's live pages may use.</summary>
    public long DataBudgetBytes => BudgetBytes - WalLimitBytes;

    public static StoreSettings From(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var durability = options.Durability.ToLowerInvariant() switch
        {
            "fsync" => StoreDurability.Fsync,
            "relaxed" => StoreDurability.Relaxed,
            _ => throw new ArgumentException($"storage.durability: unknown value '{options.Durability}' (fsync or relaxed)", nameof(options)),
        };
        if (options.MaxMegabytes <= 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"storage.maxMegabytes must be > 0, not {options.MaxMegabytes}"), nameof(options));
        }
        return new StoreSettings(
            System.IO.Path.GetFullPath(options.Path),
            (long)(options.MaxMegabytes * 1024 * 1024),
            durability,
            TimeSpan.FromSeconds(options.AckFlushSeconds));
    }
}
