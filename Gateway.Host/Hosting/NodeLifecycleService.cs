using Gateway.Host.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>Announces what this node runs when it starts, and how long a stop took when it ends.</summary>
internal sealed class NodeLifecycleService : IHostedService, IDisposable
{
    private readonly GatewayOptions _options;
    private readonly GatewayRunInfo _run;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<NodeLifecycleService> _logger;
    private readonly TimeProvider _time;
    private CancellationTokenRegistration _stopping;
    private CancellationTokenRegistration _stopped;
    private long _stopStarted;

    public NodeLifecycleService(GatewayOptions options, GatewayRunInfo run, IHostApplicationLifetime lifetime, ILogger<NodeLifecycleService> logger, TimeProvider time)
    {
        _options = options;
        _run = run;
        _lifetime = lifetime;
        _logger = logger;
        _time = time;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Log.Starting(_logger, GatewayRunInfo.Version, _options.Node.Id, _options.Node.Site ?? "-", _run.ConfigPath,
            _options.Devices.Count, _options.Buses.Count, _options.Cameras.Count, Path.GetFullPath(_options.Storage.Path));
        foreach (var warning in _run.Warnings)
        {
            Log.ConfigWarning(_logger, warning.ToString());
        }
        _stopping = _lifetime.ApplicationStopping.Register(() => _stopStarted = _time.GetTimestamp());
        _stopped = _lifetime.ApplicationStopped.Register(() =>
            Log.Stopped(_logger, (long)_time.GetElapsedTime(_stopStarted).TotalMilliseconds));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _stopping.Dispose();
        _stopped.Dispose();
    }
}
