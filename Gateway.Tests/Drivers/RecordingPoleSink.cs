using System.Collections.Concurrent;
using Gateway.Drivers.Pole;

namespace Gateway.Tests.Drivers;

/// <summary>An <see cref="IPoleSensorSink"/> that keeps everything and lets a test wait for it.</summary>
internal sealed class RecordingPoleSink : IPoleSensorSink
{
    private readonly ConcurrentQueue<PoleReading> _readings = new();
    private readonly ConcurrentQueue<PoleEvent> _events = new();
    private readonly ConcurrentQueue<PoleTimeFix> _timeFixes = new();
    private readonly SemaphoreSlim _signal = new(0);

    public IReadOnlyList<PoleReading> Readings => [.. _readings];

    public IReadOnlyList<PoleEvent> Events => [.. _events];

    public IReadOnlyList<PoleTimeFix> TimeFixes => [.. _timeFixes];

    public IReadOnlyList<PoleReading> Of(string point) => [.. _readings.Where(r => r.Point == point)];

    public ValueTask ReadingAsync(PoleReading reading, CancellationToken cancellationToken)
    {
        _readings.Enqueue(reading);
        _signal.Release();
        return ValueTask.CompletedTask;
    }

    public ValueTask EventAsync(PoleEvent driverEvent, CancellationToken cancellationToken)
    {
        _events.Enqueue(driverEvent);
        _signal.Release();
        return ValueTask.CompletedTask;
    }

    public ValueTask TimeFixAsync(PoleTimeFix fix, CancellationToken cancellationToken)
    {
        _timeFixes.Enqueue(fix);
        _signal.Release();
        return ValueTask.CompletedTask;
    }

    /// <summary>Waits (real time, at most <paramref name="timeout"/>) until <paramref name="condition"/> holds.</summary>
    public async Task WaitUntilAsync(Func<RecordingPoleSink, bool> condition, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (!condition(this))
        {
            try
            {
                await _signal.WaitAsync(TimeSpan.FromMilliseconds(50), cts.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"condition not met; readings: {string.Join(", ", _readings.Select(r => $"{r.Point}={r.Value}"))}; events: {_events.Count}");
            }
        }
    }
}
