namespace Gateway.Sync.Store;

/// <summary>A reading as the forwarder reads it back, with its <see cref="Seq"/>.</summary>
public sealed record StoredReading(
    long Seq,
    string Device,
    string Point,
    ReadingValue Value,
    string? Unit,
    ReadingQuality Quality,
    string? QualityReason,
    RecordTime Time);
