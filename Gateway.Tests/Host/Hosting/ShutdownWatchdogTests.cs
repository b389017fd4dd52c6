using Gateway.Host.Hosting;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Host.Hosting;

public class ShutdownWatchdogTests
{
    [Fact]
    public async Task Exits_hard_only_when_a_stop_overruns_its_deadline()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var lifetime = new FakeLifetime();
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
        using var lifetime = new FakeLifetime();
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
