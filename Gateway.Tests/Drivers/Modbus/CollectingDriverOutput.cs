using Gateway.Drivers.Abstractions;

namespace Gateway.Tests.Drivers.Modbus;

/// <summary>An <see cref="IDriverOutput"/> that keeps everything, for assertions.</summary>
public sealed class CollectingDriverOutput : IDriverOutput
{
    private readonly object _gate = new();
    private readonly List<Reading> _readings = [];
    private readonly List<DriverEvent> _events = [];

    public ValueTask PublishAsync(Reading reading, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _readings.Add(reading);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask PublishAsync(DriverEvent driverEvent, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _events.Add(driverEvent);
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

    public DriverEvent[] Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>The newest reading of each (device, point).</summary>
    public Dictionary<(string Device, string Point), Reading> Latest() =>
        Readings.GroupBy(r => (r.Device, r.Point)).ToDictionary(g => g.Key, g => g.Last());

    /// <summary>Waits (polling every 20 ms) until <paramref name="condition"/> holds; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<CollectingDriverOutput, bool> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!condition(this))
        {
            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"timed out waiting for {what}; {Readings.Length} readings, events: {string.Join(", ", Events.Select(e => $"{e.Type}({e.Source})"))}");
            }
            await Task.Delay(20, CancellationToken.None);
        }
    }
}
