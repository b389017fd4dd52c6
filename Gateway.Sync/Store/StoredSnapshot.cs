namespace Gateway.Sync.Store;

/// <summary>An evidence snapshot: JPEG bytes published under <c>snapshots/{EventSeq}</c>.</summary>
public sealed record StoredSnapshot(long EventSeq, ReadOnlyMemory<byte> Jpeg);
