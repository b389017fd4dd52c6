namespace Gateway.Inference.Analytics;

/// <summary>
/// An open litter item: reported by <c>litter.detected</c>, not yet cleared. What survives a restart
/// (<see cref="LitterStateFile"/>) is everything but <see cref="LastMatched"/>, which is monotonic time of this run.
/// </summary>
internal sealed class LitterItem
{
    public required string Id { get; init; }

    public required string Zone { get; init; }

    public required string Class { get; init; }

    public required float Score { get; init; }

    public required BoxF Box { get; init; }

    public required DateTimeOffset FirstSeen { get; init; }

    /// <summary>The seq of the <c>litter.detected</c> event; null until the store has committed it.</summary>
    public long? DetectedSeq { get; set; }

    /// <summary>
    /// The seq will never be told: the item was saved (before its event was queued) but the gateway
    /// stopped before the store said the seq. The clearing then names no <c>detectedSeq</c> (JSON null).
    /// </summary>
    public bool SeqLost { get; set; }

    /// <summary>When a litter object last overlapped the item's box (this run's monotonic timestamp); null before the first frame.</summary>
    public long? LastMatched { get; set; }
}
