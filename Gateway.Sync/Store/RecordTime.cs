namespace Gateway.Sync.Store;

/// <summary>
/// When a stored record was measured. <see cref="Timestamp"/> is null while the wall clock was
/// not trusted at measurement and has not been fixed since (SPEC section 3: never 1970); then
/// <see cref="BootId"/> and <see cref="UptimeMilliseconds"/> say when it was.
/// </summary>
public readonly record struct RecordTime(DateTimeOffset? Timestamp, string? BootId, long? UptimeMilliseconds, DateTimeOffset? StoredAt)
{
    public bool IsSynchronized => Timestamp is not null;
}
