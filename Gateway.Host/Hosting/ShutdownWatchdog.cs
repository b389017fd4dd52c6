using Gateway.Host.Configuration;
using Gateway.Host.Interop;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>
/// Makes the shutdown deadline hard. The generic host cancels the stop token after
/// <c>host.shutdownSeconds</c>, but a component stuck in a blocking call would still keep the
/// process alive until systemd's SIGKILL. Once stopping begins this arms a timer; if the process
/// is still here a grace period after the deadline, it exits at once. That is safe because the
/// store only ever depends on what is already committed to disk.
/// </summary>
internal sealed class ShutdownWatchdog : IHostedService, IDisposable
{
    public const int DeadlineExitCode = 3;
    internal static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly ILogger<ShutdownWatchdog> _logger;
    private readonly Action<int> _exit;
    private readonly TimeSpan _deadline;
    private CancellationTokenRegistration _registration;
    private ITimer? _timer;

    public ShutdownWatchdog(IHostApplicationLifetime lifetime, TimeProvider time, ILogger<ShutdownWatchdog> logger, GatewayOptions options)
        : this(lifetime, time, logger, TimeSpan.FromSeconds(options.Host.ShutdownSeconds), HardExit)
    {
    }

    internal ShutdownWatchdog(IHostApplicationLifetime lifetime, TimeProvider time, ILogger<ShutdownWatchdog> logger, TimeSpan deadline, Action<int> exit)
    {
        _lifetime = lifetime;
        _time = time;
        _logger = logger;
        _deadline = deadline;
        _exit = exit;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = _lifetime.ApplicationStopping.Register(Arm);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Arm()
    {
        Log.Stopping(_logger, _deadline.TotalSeconds);
        _timer = _time.CreateTimer(_ => Fire(), null, _deadline + Grace, Timeout.InfiniteTimeSpan);
    }

    private void Fire()
    {
        Log.ShutdownDeadlineExceeded(_logger, _deadline.TotalSeconds, DeadlineExitCode);
        // The console logger writes from a queue that a hard exit would cut off.
        Console.Error.WriteLine($"edge-gateway: shutdown deadline of {_deadline.TotalSeconds} s exceeded; exiting with code {DeadlineExitCode}");
        _exit(DeadlineExitCode);
    }

    public void Dispose()
    {
        _registration.Dispose();
        _timer?.Dispose();
    }

    private static void HardExit(int code)
    {
        if (OperatingSystem.IsLinux())
        {
            // _exit(2): no finalizers, no ProcessExit handlers that could wait on the stuck host.
            Libc.Exit(code);
        }
        Environment.Exit(code);
    }
}
