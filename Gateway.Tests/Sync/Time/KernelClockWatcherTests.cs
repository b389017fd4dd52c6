using Gateway.Sync.Store;
using Gateway.Sync.Time;
using Gateway.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sync.Time;

public sealed class KernelClockWatcherTests
{
    private sealed class ScriptedKernel : IKernelClock
    {
        public TimeSpan? Error { get; set; } = TimeSpan.FromSeconds(16);

        public TimeSpan? MaximumError() => Error;
    }

    [Fact]
    public async Task The_system_clock_is_vouched_for_while_an_NTP_daemon_keeps_the_kernel_s_error_small()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 20, 0, 0, TimeSpan.Zero));
        var clock = new ClockSync(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), requireTimeSync: true, time);
        var kernel = new ScriptedKernel();
        var log = new CapturingLogger<KernelClockWatcher>();
        using var watcher = new KernelClockWatcher(kernel, clock, time, log);
        await watcher.StartAsync(CancellationToken.None);

        Assert.False(clock.IsSynchronized); // 16 s: what the kernel says before any daemon set the clock

        kernel.Error = TimeSpan.FromMilliseconds(12);
        time.Advance(KernelClockWatcher.Interval);
        await WaitForAsync(() => clock.IsSynchronized);

        kernel.Error = TimeSpan.FromSeconds(16);
        time.Advance(KernelClockWatcher.Interval);
        await WaitForAsync(() => !clock.IsSynchronized);
        await watcher.StopAsync(CancellationToken.None);

        Assert.Single(log.Entries, e => e.Message.Contains("synchronised by an NTP daemon (maximum error 12 ms)", StringComparison.Ordinal));
        Assert.Single(log.Entries, e => e.Message.Contains("no longer reports", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unreadable_kernel_clock_is_said_once_and_changes_nothing()
    {
        var time = new FakeTimeProvider();
        var clock = new ClockSync(DateTimeOffset.UnixEpoch, requireTimeSync: true, time);
        var log = new CapturingLogger<KernelClockWatcher>();
        using var watcher = new KernelClockWatcher(new ScriptedKernel { Error = null }, clock, time, log);

        watcher.Check();
        watcher.Check();

        Assert.False(clock.IsSynchronized);
        Assert.Single(log.Entries, e => e.Message.Contains("adjtimex(2) cannot be read", StringComparison.Ordinal));
    }

    [Fact]
    public void This_machine_s_adjtimex_reads_as_a_maximum_error()
    {
        // Whatever this machine's daemon does, the kernel keeps maxerror within 0..16 s (NTP_PHASE_LIMIT).
        var error = new LinuxKernelClock().MaximumError();
        Assert.NotNull(error);
        Assert.InRange(error.Value, TimeSpan.Zero, TimeSpan.FromSeconds(16));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 3000 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition());
    }
}
