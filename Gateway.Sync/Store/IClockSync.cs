namespace Gateway.Sync.Store;

/// <summary>
/// Whether the node's wall clock can be trusted (SPEC section 3). Time sources (NTP watcher, a
/// GPS driver through the host) report here; the store asks <see cref="IsTrusted"/> for each
/// record and fixes the timestamps of untrusted ones once time is trusted.
/// </summary>
public interface IClockSync
{
    /// <summary>True once a time source reported synchronisation (and not lost since).</summary>
    bool IsSynchronized { get; }

    /// <summary>A wall-clock reading is trusted when it is past <c>storage.clockFloor</c> and, if <c>storage.requireTimeSync</c>, the clock is synchronised.</summary>
    bool IsTrusted(DateTimeOffset wallClock);

    void ReportSynchronized(string source);

    void ReportLost(string source);

    /// <summary>Raised after <see cref="ReportSynchronized"/> (on the reporter's thread; keep handlers short).</summary>
    event EventHandler? Synchronized;
}
