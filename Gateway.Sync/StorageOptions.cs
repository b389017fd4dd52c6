namespace Gateway.Sync;

/// <summary>The <c>storage</c> section: the node's durable store (SPEC sections 3 and 4).</summary>
public sealed class StorageOptions
{
    public string Path { get; set; } = "data/buffer.db";

    /// <summary>Size budget of the store on disk; oldest telemetry is dropped (and reported) beyond it.</summary>
    public double MaxMegabytes { get; set; } = 256;

    /// <summary>
    /// <c>fsync</c> (default): a record is on stable storage before ingest returns. <c>relaxed</c>:
    /// ingest returns once committed; a power cut may lose the last second of records (a process
    /// crash does not), seqs stay unique either way.
    /// </summary>
    public string Durability { get; set; } = "fsync";

    /// <summary>Wall-clock time before this instant is not trusted (a pole without RTC boots at 1970).</summary>
    public DateTimeOffset ClockFloor { get; set; } = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>When true, time is trusted only after a time source (NTP, GPS) reported synchronisation.</summary>
    public bool RequireTimeSync { get; set; }

    /// <summary>
    /// How long a record measured before time was known waits on the node for a time source (GPS,
    /// NTP) to date it; after that it is sent as <c>"clock":"unsynced"</c> (SPEC section 3).
    /// 0 sends such records at once.
    /// </summary>
    public double ClockHoldSeconds { get; set; } = DefaultClockHoldSeconds;

    public const double DefaultClockHoldSeconds = 600;

    /// <summary>Longest <see cref="ClockHoldSeconds"/>: a day; the store would fill long before a longer hold ends on a busy pole.</summary>
    public const double MaxClockHoldSeconds = 86400;

    /// <summary>Acknowledgements of delivered records are written in batches at most this often (flash wear).</summary>
    public double AckFlushSeconds { get; set; } = 2;
}
