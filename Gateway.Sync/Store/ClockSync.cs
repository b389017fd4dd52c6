namespace Gateway.Sync.Store;

/// <summary>Clock trust from the configured floor and reports of time sources.</summary>
internal sealed class ClockSync(DateTimeOffset floor, bool requireTimeSync) : IClockSync
{
    private volatile bool _synchronized;

    public bool IsSynchronized => _synchronized;

    public event EventHandler? Synchronized;

    public bool IsTrusted(DateTimeOffset wallClock) => wallClock >= floor && (_synchronized || !requireTimeSync);

    public void ReportSynchronized(string source)
    {
        _synchronized = true;
        Synchronized?.Invoke(this, EventArgs.Empty);
    }

    public void ReportLost(string source) => _synchronized = false;
}
