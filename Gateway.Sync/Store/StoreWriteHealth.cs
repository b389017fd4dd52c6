namespace Gateway.Sync.Store;

/// <summary>Whether the store's last commits succeeded.</summary>
public enum StoreWriteState
{
    /// <summary>The last commit succeeded (or none was tried yet).</summary>
    Ok,

    /// <summary>Commits fail with an I/O or database error: a restart of the process may cure it.</summary>
    Failing,

    /// <summary>Commits fail because the disk (or the file system's quota) is full: only free space cures it; stored records are kept.</summary>
    Full,
}

/// <summary>The store's write health as of now: state, since when, failures in a row, and the last error's message.</summary>
public sealed record StoreWriteStatus(StoreWriteState State, DateTimeOffset Since, int ConsecutiveFailures, string? LastError);

/// <summary>
/// Tracks the writer's commits (issue 11: a store that cannot write is visible and, if it stays so,
/// ends the process for systemd to restart). Thread-safe: the writer records, anyone reads.
/// </summary>
internal sealed class StoreWriteHealth(TimeProvider time)
{
    private readonly Lock _gate = new();
    private StoreWriteStatus _status = new(StoreWriteState.Ok, time.GetUtcNow(), 0, null);

    public StoreWriteStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>Records a commit that succeeded; returns the streak it ended, if any (the caller logs the recovery).</summary>
    public StoreWriteStatus? Succeeded()
    {
        lock (_gate)
        {
            if (_status.State == StoreWriteState.Ok)
            {
                return null;
            }
            var ended = _status;
            _status = new StoreWriteStatus(StoreWriteState.Ok, time.GetUtcNow(), 0, null);
            return ended;
        }
    }

    /// <summary>Records a failed commit; true when it starts a streak (the caller logs once per streak).</summary>
    public bool Failed(bool diskFull, string message)
    {
        var state = diskFull ? StoreWriteState.Full : StoreWriteState.Failing;
        lock (_gate)
        {
            var first = _status.State == StoreWriteState.Ok;
            var since = _status.State == state ? _status.Since : time.GetUtcNow();
            _status = new StoreWriteStatus(state, since, _status.ConsecutiveFailures + 1, message);
            return first;
        }
    }
}
