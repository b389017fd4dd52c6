using Gateway.Drivers.Abstractions;
using Microsoft.Extensions.Logging.Abstractions;
using Gateway.Tests.Support;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Drivers.Abstractions;

public class DriverOutputPumpTests
{
    [Fact]
    public async Task Records_reach_the_sink_in_order_in_batches_and_a_failing_sink_loses_nothing()
    {
        var options = Options.Create(new DriverOutputOptions { ReadingCapacity = 64, EventCapacity = 4, MaxBatch = 10 });
        var output = new ChannelDriverOutput(options);
        var sink = new FlakySink(failFirst: 2);
        using var pump = new DriverOutputPump(output, sink, options, new ImmediateDelayTimeProvider(), NullLogger<DriverOutputPump>.Instance);
        await pump.StartAsync(CancellationToken.None);

        for (var i = 0; i < 200; i++)
        {
            await output.PublishAsync(new Reading("d", $"p{i}", ReadingValue.FromInt64(i), null, ReadingQuality.Good, null, DateTimeOffset.UnixEpoch, i), CancellationToken.None);
            if (i == 100)
            {
                await output.PublishAsync(GatewayEvent.Create(DriverEventTypes.DeviceOffline, "d", new Dictionary<string, object?>(), DateTimeOffset.UnixEpoch, i), CancellationToken.None);
            }
        }
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (sink.Written.Count < 201)
        {
            await Task.Delay(10, wait.Token);
        }
        await pump.StopAsync(CancellationToken.None);

        var expected = Enumerable.Range(0, 101).Select(i => $"p{i}").Append("event").Concat(Enumerable.Range(101, 99).Select(i => $"p{i}"));
        Assert.Equal(expected, sink.Written);
        Assert.All(sink.BatchSizes, s => Assert.InRange(s, 1, 10));
        Assert.Equal(2, sink.Failures);
        Assert.True(output.FullWaits > 0, "200 readings through a queue of 68 must have waited for the sink at least once");
    }

    [Fact]
    public async Task A_failing_sink_is_said_once_per_streak_and_retried_after_1_2_4_s()
    {
        var options = Options.Create(new DriverOutputOptions { ReadingCapacity = 64, EventCapacity = 4, MaxBatch = 10 });
        var output = new ChannelDriverOutput(options);
        var sink = new FlakySink(failFirst: 3);
        var time = new TimerCountingFakeTimeProvider(DateTimeOffset.UnixEpoch);
        var log = new CapturingLogger<DriverOutputPump>();
        using var pump = new DriverOutputPump(output, sink, options, time, log);
        await pump.StartAsync(CancellationToken.None);
        await output.PublishAsync(new Reading("d", "p", ReadingValue.FromInt64(1), null, ReadingQuality.Good, null, DateTimeOffset.UnixEpoch, 0), CancellationToken.None);

        foreach (var (pause, attempts) in new[] { (1, 2), (2, 3), (4, 4) })
        {
            await time.WaitForTimersAsync(attempts - 1); // the pump waits for its retry
            Assert.Equal(attempts - 1, sink.Calls);
            time.Advance(TimeSpan.FromSeconds(pause) - TimeSpan.FromMilliseconds(1));
            await Task.Delay(20);
            Assert.Equal(attempts - 1, sink.Calls);
            time.Advance(TimeSpan.FromMilliseconds(1));
        }
        await WaitForAsync(() => sink.Written.Count == 1);
        await pump.StopAsync(CancellationToken.None);

        Assert.Equal(
            ["driver output: the store did not take 1 record(s): disk full (test); retrying with back-off, newer readings wait in memory (see 'store.writes' in status)",
             "driver output: the store takes records again (after 3 failed attempt(s))"],
            log.Lines);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 3000 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition());
    }

    private sealed class FlakySink(int failFirst) : IDriverSink
    {
        private int _calls;

        public List<string> Written { get; } = [];

        public List<int> BatchSizes { get; } = [];

        public int Calls => _calls;

        public int Failures { get; private set; }

        public ValueTask WriteReadingsAsync(ReadOnlyMemory<Reading> readings, CancellationToken cancellationToken)
        {
            if (_calls++ < failFirst)
            {
                Failures++;
                throw new IOException("disk full (test)");
            }
            BatchSizes.Add(readings.Length);
            lock (Written)
            {
                foreach (var r in readings.Span)
                {
                    Written.Add(r.Point);
                }
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask WriteEventAsync(GatewayEvent driverEvent, CancellationToken cancellationToken)
        {
            lock (Written)
            {
                Written.Add("event");
            }
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>System time, except that the pump's retry pause is zero.</summary>
    private sealed class ImmediateDelayTimeProvider : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            System.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.Zero, period);
    }
}
