using Gateway.Host.Hosting;
using Gateway.Sync.Store;
using Gateway.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Host.Hosting;

/// <summary>Issue 11: a store that keeps failing ends the process with exit 70 for systemd; a full disk does not.</summary>
public sealed class StoreWriteWatchTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Two_minutes_of_failing_commits_stop_the_gateway_with_exit_70()
    {
        var time = new FakeTimeProvider(Start);
        var store = new ScriptedStore { WriteStatus = new StoreWriteStatus(StoreWriteState.Failing, Start, 3, "store x could not write: Input/output error") };
        var supervision = new ComponentSupervision(time);
        using var lifetime = new FakeLifetime();
        var log = new CapturingLogger<StoreWriteWatch>();
        using var watch = new StoreWriteWatch(store, supervision, lifetime, time, log);
        await watch.StartAsync(CancellationToken.None);

        time.Advance(StoreWriteWatch.FailingFor - StoreWriteWatch.Interval);
        await Task.Delay(50);
        Assert.Equal(0, supervision.ExitCode);
        Assert.False(lifetime.Stopping.IsCancellationRequested);

        time.Advance(StoreWriteWatch.Interval);
        for (var i = 0; i < 200 && !lifetime.Stopping.IsCancellationRequested; i++)
        {
            await Task.Delay(10);
        }
        Assert.True(lifetime.Stopping.IsCancellationRequested);
        Assert.Equal(70, supervision.ExitCode);
        var line = Assert.Single(log.Lines);
        Assert.Contains("the store failed 3 commits in a row over 120 s (last: store x could not write: Input/output error)", line, StringComparison.Ordinal);
        await watch.StopAsync(CancellationToken.None);
    }

    [Theory]
    [InlineData(StoreWriteState.Full, 50)]
    [InlineData(StoreWriteState.Failing, 2)]
    public async Task A_full_disk_or_a_single_stuck_commit_never_stops_it(StoreWriteState state, int failures)
    {
        var time = new FakeTimeProvider(Start);
        var store = new ScriptedStore { WriteStatus = new StoreWriteStatus(state, Start, failures, "x") };
        var supervision = new ComponentSupervision(time);
        using var lifetime = new FakeLifetime();
        using var watch = new StoreWriteWatch(store, supervision, lifetime, time, new CapturingLogger<StoreWriteWatch>());
        await watch.StartAsync(CancellationToken.None);

        for (var i = 0; i < 60; i++)
        {
            time.Advance(StoreWriteWatch.Interval);
        }
        await Task.Delay(50);

        Assert.False(lifetime.Stopping.IsCancellationRequested);
        Assert.Equal(0, supervision.ExitCode);
        await watch.StopAsync(CancellationToken.None);
    }

    private sealed class ScriptedStore : IRecordStore
    {
        public StoreWriteStatus WriteStatus { get; set; } = new(StoreWriteState.Ok, Start, 0, null);

        public ValueTask<long> AppendReadingAsync(Reading reading, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<SeqRange> AppendReadingsAsync(IReadOnlyList<Reading> readings, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<long> AppendEventAsync(GatewayEvent newEvent, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask AppendSnapshotAsync(long eventSeq, ReadOnlyMemory<byte> jpeg, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
