namespace Gateway.Sync.Store;

/// <summary>An event as the forwarder reads it back; <see cref="HasSnapshot"/> when a snapshot waits under its seq.</summary>
public sealed record StoredEvent(long Seq, string Type, string Source, string DataJson, RecordTime Time, bool HasSnapshot);
