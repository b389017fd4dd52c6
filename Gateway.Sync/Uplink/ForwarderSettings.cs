namespace Gateway.Sync.Uplink;

/// <summary>How the forwarder batches and paces what it sends (from the <c>mqtt</c> section).</summary>
public sealed record ForwarderSettings
{
    /// <summary>Readings per telemetry message at most.</summary>
    public int TelemetryBatchSize { get; init; } = 500;

    /// <summary>How long a partial batch of live readings waits for more before it is sent.</summary>
    public TimeSpan TelemetryBatchDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Backlog readings per second at most (cellular links); 0 = as fast as the broker acknowledges.</summary>
    public double DrainReadingsPerSecond { get; init; }

    public int EventBatch { get; init; } = 64;

    public int SnapshotBatch { get; init; } = 4;

    /// <summary>Pause after an unexpected failure (a store read) before forwarding resumes.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Pause after the broker refused a message (quota, authorisation) before it is tried again.</summary>
    public TimeSpan RejectedRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When a session ends, how long to wait for the outcomes of publishes still in flight before
    /// counting them undelivered (they are then simply sent again).
    /// </summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a record of this boot measured before time was known is held back, waiting to be
    /// dated, before it is sent as <c>"clock":"unsynced"</c> (<c>storage.clockHoldSeconds</c>).
    /// </summary>
    public TimeSpan ClockHold { get; init; } = TimeSpan.FromSeconds(StorageOptions.DefaultClockHoldSeconds);

    public static ForwarderSettings From(MqttOptions options, StorageOptions? storage = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var hold = storage?.ClockHoldSeconds ?? StorageOptions.DefaultClockHoldSeconds;
        if (!(hold is >= 0 and <= StorageOptions.MaxClockHoldSeconds))
        {
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"storage.clockHoldSeconds must be between 0 and {StorageOptions.MaxClockHoldSeconds}, not {hold}"), nameof(storage));
        }
        return new ForwarderSettings
        {
            TelemetryBatchSize = options.TelemetryBatchSize,
            TelemetryBatchDelay = TimeSpan.FromMilliseconds(options.TelemetryBatchDelayMs),
            DrainReadingsPerSecond = options.DrainReadingsPerSecond,
            ClockHold = TimeSpan.FromSeconds(hold),
        };
    }
}
