using Gateway.Drivers.Abstractions;

namespace Gateway.Bench.Modbus;

/// <summary>
/// Counts what drivers publish (the store is not part of the Modbus measurement). Given the
/// devices, it also times each poll's last read of a <see cref="BenchMeter"/>: from the readings
/// of its first read to those of its last, i.e. one whole transaction (send, answer, checks) plus
/// the first read's publishing, taken from the readings' own monotonic timestamps — so the driver
/// needs no hook, and recording allocates nothing (array preallocated, dictionary only read).
/// </summary>
public sealed class CountingDriverOutput : IDriverOutput
{
    private readonly Dictionary<string, long[]> _firstReadAt;
    private readonly long[] _latencyTicks;
    private long _good;
    private long _bad;
    private long _events;
    private long _latencies;
    private volatile bool _recording;

    public CountingDriverOutput()
        : this([], 0)
    {
    }

    public CountingDriverOutput(IEnumerable<string> devices, int latencyCapacity)
    {
        _firstReadAt = devices.ToDictionary(d => d, _ => new long[1], StringComparer.Ordinal);
        _latencyTicks = new long[latencyCapacity];
    }

    public long Good => Interlocked.Read(ref _good);

    public long Bad => Interlocked.Read(ref _bad);

    public long Events => Interlocked.Read(ref _events);

    /// <summary>Latencies are kept only while recording (the measured window).</summary>
    public bool Recording
    {
        get => _recording;
        set => _recording = value;
    }

    /// <summary>The recorded last-read latencies, in <see cref="TimeProvider.TimestampFrequency"/> ticks, sorted.</summary>
    public long[] SortedLatencyTicks()
    {
        var recorded = _latencyTicks.AsSpan(0, (int)Math.Min(Interlocked.Read(ref _latencies), _latencyTicks.Length)).ToArray();
        Array.Sort(recorded);
        return recorded;
    }

    public ValueTask PublishAsync(Reading reading, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref reading.Quality == ReadingQuality.Good ? ref _good : ref _bad);
        if (_recording && reading.Quality == ReadingQuality.Good && _firstReadAt.TryGetValue(reading.Device, out var firstReadAt))
        {
            // A device's readings come from its link's single loop, so its slot has one writer at a time.
            if (reading.Point == BenchMeter.FirstPointOfFirstRead)
            {
                firstReadAt[0] = reading.Timestamp;
            }
            else if (reading.Point == BenchMeter.FirstPointOfLastRead && firstReadAt[0] != 0)
            {
                var slot = Interlocked.Increment(ref _latencies) - 1;
                if (slot < _latencyTicks.Length)
                {
                    _latencyTicks[slot] = reading.Timestamp - firstReadAt[0];
                }
                firstReadAt[0] = 0;
            }
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask PublishAsync(GatewayEvent driverEvent, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _events);
        return ValueTask.CompletedTask;
    }
}
