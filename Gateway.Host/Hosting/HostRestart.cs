using Gateway.Host.ConfigApply;
using Microsoft.Extensions.Hosting;

namespace Gateway.Host.Hosting;

/// <summary>
/// A request to stop this host and build a new one from the configuration file, in the same
/// process (the CLI's run loop does it): for a change the components cannot take live (the node id,
/// the store's path, the uplink, the web server). The stop waits <see cref="Grace"/> on the clock so
/// that the reply announcing it (config/set, the web page) leaves first.
/// </summary>
internal sealed class HostRestart(IHostApplicationLifetime lifetime, TimeProvider time) : IDisposable
{
    internal static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    private ITimer? _timer;
    private int _requested;

    public bool Requested => Volatile.Read(ref _requested) == 1;

    /// <summary>The apply that asked for it: the next host checks its health and rolls it back if needed.</summary>
    public PendingConfigApply? Pending { get; private set; }

    public void Request(PendingConfigApply? pending)
    {
        if (Interlocked.Exchange(ref _requested, 1) == 1)
        {
            return;
        }
        Pending = pending;
        _timer = time.CreateTimer(_ => lifetime.StopApplication(), null, Grace, Timeout.InfiniteTimeSpan);
    }

    public void Dispose() => _timer?.Dispose();
}
