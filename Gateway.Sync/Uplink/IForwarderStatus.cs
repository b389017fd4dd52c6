namespace Gateway.Sync.Uplink;

/// <summary>What the forwarder has done, for status replies and health.</summary>
public interface IForwarderStatus
{
    ForwarderStatus Status { get; }
}

/// <param name="DeliveredReadings">Readings acknowledged by the broker since start.</param>
/// <param name="DeliveredEvents">Events acknowledged since start.</param>
/// <param name="DeliveredSnapshots">Snapshots acknowledged since start.</param>
/// <param name="Sessions">Forwarding sessions (one per broker connection) since start.</param>
/// <param name="BacklogSeqSpan">Seqs between the oldest undelivered reading and the backlog boundary (0 when caught up).</param>
public sealed record ForwarderStatus(long DeliveredReadings, long DeliveredEvents, long DeliveredSnapshots, long Sessions, long BacklogSeqSpan);
