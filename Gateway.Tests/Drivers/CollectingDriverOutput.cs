using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Pole;

namespace Gateway.Tests.Drivers;

/// <summary>
/// Keeps everything drivers produce, for assertions: readings and events published to it as the
/// drivers' <see cref="IDriverOutput"/> or taken from the real <see cref="IngestQueue"/> by
/// <see cref="IngestQueueCollector"/>, and GNSS time fixes as <see cref="ITimeFixSink"/>.
/// </summary>
public sealed class CollectingDriverOutput : IDriverOutput, ITimeFixSink
{
    private readonly object _gate = new();
    private readonly List<Reading> _readings = [];
    private readonly List<GatewayEvent> _events = [];
    private readonly List<PoleTimeFix> _timeFixes = [];

    public ValueTask PublishAsync(Reading reading, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _readings.Add(reading);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask PublishAsync(GatewayEvent driverEvent, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _events.Add(driverEvent);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask TimeFixAsync(PoleTimeFix fix, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _timeFixes.Add(fix);
        }
        return ValueTask.CompletedTask;
    }

    public Reading[] Readings
    {
        get
        {
            lock (_gate)
            {
                return [.. _readings];
            }
        }
    }

    public GatewayEvent[] Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public PoleTimeFix[] TimeFixes
    {
        get
        {
            lock (_gate)
            {
                return [.. _timeFixes];
            }
        }
    }

    /// <summary>The readings of <paramref name="point"/> (of any device), in order.</summary>
    public Reading[] Of(string point) => [.. Readings.Where(r => r.Point == point)];

    /// <summary>The newest reading of each (device, point).</summary>
    public Dictionary<(string Device, string Point), Reading> Latest() =>
        Readings.GroupBy(r => (r.Device, r.Point)).ToDictionary(g => g.Key, g => g.Last());

    /// <summary>Waits (polling every 20 ms) until <paramref name="condition"/> holds; fails with <paramref name="what"/> after <paramref name="timeout"/> (default 10 s).</summary>
    public async Task WaitUntilAsync(Func<CollectingDriverOutput, bool> condition, TimeSpan? timeout = null, string what = "the condition")
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (!condition(this))
        {
            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"timed out waiting for {what}; readings: {string.Join(", ", Readings.Select(r => $"{r.Device}.{r.Point}={r.Value}"))}; events: {string.Join(", ", Events.Select(e => $"{e.Type}({e.Source})"))}");
            }
            await Task.Delay(20, CancellationToken.None);
        }
    }
}
