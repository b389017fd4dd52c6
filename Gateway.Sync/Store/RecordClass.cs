namespace Gateway.Sync.Store;

/// <summary>The forwarder's queues, each read in seq order from its own checkpoint.</summary>
public enum RecordClass
{
    /// <summary>Events: forwarded before telemetry (issue 3: priority).</summary>
    Event,

    /// <summary>Evidence snapshots, keyed by the seq of their event.</summary>
    Snapshot,

    /// <summary>Readings.</summary>
    Telemetry,
}
