using Gateway.Drivers.Abstractions;

namespace Gateway.Bench.Modbus;

/// <summary>Counts what drivers publish (the store is not part of the Modbus measurement).</summary>
public sealed class CountingDriverOutput : IDriverOutput
{
    private long _good;
    private long _bad;
    private long _events;

    public long Good => Interlocked.Read(ref _good);

    public long Bad => Interlocked.Read(ref _bad);

    public long Events => Interlocked.Read(ref _events);

    public ValueTask PublishAsync(Reading reading, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref reading.Quality == ReadingQuality.Good ? ref _good : ref _bad);
        return ValueTask.CompletedTask;
    }

    public ValueTask PublishAsync(GatewayEvent driverEvent, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _events);
        return ValueTask.CompletedTask;
    }
}
