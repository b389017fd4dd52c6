using System.Globalization;

namespace Gateway.Sync.Store;

/// <summary><see cref="StorageOptions"/> resolved for the store, plus seams tests use.</summary>
internal sealed record StoreSettings(string Path, long BudgetBytes, StoreDurability Durability, TimeSpan AckFlushInterval)
{
    /// <summary>Smallest budget: the schema, a WAL and a few batches must fit.</summary>
    public const double MinimumMegabytes = 0.25;

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

    /// <summary>Seam: an error raised in place of a commit while it returns one (a store that cannot write, in tests).</summary>
    public Func<Exception?>? CommitFault { get; init; }

    /// <summary>Seam: the machine's boot identity.</summary>
    public Func<string> BootId { get; init; } = BootIdentity.Read;

    // The budget covers every file the store owns (main file, -wal, -shm, .seq). What the main
    // file's live pages may use is the budget minus the most the other files and one batch can
    // add before the budget is enforced again, so no moment — inside a commit or a checkpoint —
    // goes over it.

    /// <summary>Estimated bytes of records per transaction at most (the writer cuts batches there).</summary>
    public long BatchReserveBytes => Math.Clamp(BudgetBytes / 16, 16L << 10, 128L << 10);

    /// <summary>Pages one batch may add: a row that does not fit beside others takes a page of its own (up to twice its bytes), plus b-tree and pointer-map pages.</summary>
    public long BatchPages => 2 * ((BatchReserveBytes + StoreSchema.PageSize - 1) / StoreSchema.PageSize) + 4;

    /// <summary>WAL pages after which it is checkpointed (auto-checkpoint).</summary>
    public long WalCheckpointPages => Math.Clamp(BudgetBytes / 8 / StoreSchema.PageSize, 16, 1024);

    /// <summary>The WAL file at its checkpoint size (each frame is a page plus a 24-byte header, after a 32-byte file header).</summary>
    public long WalCheckpointBytes => WalFileBytes(WalCheckpointPages);

    /// <summary>The largest the WAL gets: the checkpoint size plus the batch that crosses it.</summary>
    public long WalReserveBytes => WalFileBytes(WalCheckpointPages + BatchPages);

    /// <summary>The WAL index (-shm): 32 KiB per 4096 WAL frames.</summary>
    public long ShmReserveBytes => 32768 * ((WalCheckpointPages + BatchPages + 4095) / 4096);

    /// <summary>The part of the budget the main file's live pages may use.</summary>
    public long DataBudgetBytes => BudgetBytes - WalReserveBytes - ShmReserveBytes - SeqHighWaterMark.FileBytes - BatchPages * StoreSchema.PageSize;

    private static long WalFileBytes(long frames) => 32 + frames * (StoreSchema.PageSize + 24);

    public static StoreSettings From(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var durability = options.Durability.ToLowerInvariant() switch
        {
            "fsync" => StoreDurability.Fsync,
            "relaxed" => StoreDurability.Relaxed,
            _ => throw new ArgumentException($"storage.durability: unknown value '{options.Durability}' (fsync or relaxed)", nameof(options)),
        };
        if (options.MaxMegabytes < MinimumMegabytes)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"storage.maxMegabytes must be at least {MinimumMegabytes}, not {options.MaxMegabytes}"), nameof(options));
        }
        return new StoreSettings(
            System.IO.Path.GetFullPath(options.Path),
            (long)(options.MaxMegabytes * 1024 * 1024),
            durability,
            TimeSpan.FromSeconds(options.AckFlushSeconds));
    }
}
