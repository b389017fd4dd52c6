using Gateway.Host.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Host.Hosting;

public class ShutdownWatchdogTests
{
    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationTokenSource Stopping { get; } = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => Stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => Stopping.Cancel();
    }

    [Fact]
    public async Task Exits_hard_only_when_a_stop_overruns_its_deadline()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var lifetime = new Lifetime();
        var exits = new List<int>();
        using var watchdog = new ShutdownWatchdog(lifetime, time, NullLogger<ShutdownWatchdog>.Instance, TimeSpan.FromSeconds(10), exits.Add);
        await watchdog.StartAsync(CancellationToken.None);

        time.Advance(TimeSpan.FromHours(1));
        Assert.Empty(exits); // not armed while running

        lifetime.StopApplication();
        time.Advance(TimeSpan.FromSeconds(10) + ShutdownWatchdog.Grace - TimeSpan.FromMilliseconds(1));
        Assert.Empty(exits);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([ShutdownWatchdog.DeadlineExitCode], exits);
    }

    [Fact]
    public async Task A_stop_that_completes_disarms_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var lifetime = new Lifetime();
        var exits = new List<int>();
        var watchdog = new ShutdownWatchdog(lifetime, time, NullLogger<ShutdownWatchdog>.Instance, TimeSpan.FromSeconds(10), exits.Add);
        await watchdog.StartAsync(CancellationToken.None);

        lifetime.StopApplication();
        time.Advance(TimeSpan.FromSeconds(3));
        watchdog.Dispose(); // the host disposes its services once every StopAsync has returned
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Empty(exits);
    }
}
