using System.Threading.Channels;

namespace Gateway.Contracts;

/// <summary>
/// The one bounded queue from the producers (drivers) to the store's writer, which drains it
/// straight into its transactions: the queue's order is the order of seqs. Full policy: wait
/// (back-pressure, never loss in memory), counted in <see cref="FullWaits"/>. Many writers, one
/// reader (the store). Lives here so that Drivers and Sync share it without knowing each other;
/// the Host registers one instance for both sides.
/// </summary>
public sealed class IngestQueue
{
    private readonly Channel<IngestRecord> _channel;
    private long _fullWaits;

    public IngestQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _channel = Channel.CreateBounded<IngestRecord>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
    }

    public int Capacity { get; }

    /// <summary>For the store's writer only (the single reader).</summary>
    public ChannelReader<IngestRecord> Reader => _channel.Reader;

    /// <summary>How often a producer found the queue full and had to wait for the store.</summary>
    public long FullWaits => Interlocked.Read(ref _fullWaits);

    /// <summary>Completes synchronously (without allocating) while there is room; waits while the queue is full.</summary>
    public ValueTask PublishAsync(Reading reading, CancellationToken cancellationToken) =>
        Write(new IngestRecord(reading, null), cancellationToken);

    public ValueTask PublishAsync(GatewayEvent newEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(newEvent);
        return Write(new IngestRecord(default, newEvent), cancellationToken);
    }

    private ValueTask Write(IngestRecord record, CancellationToken cancellationToken)
    {
        if (_channel.Writer.TryWrite(record))
        {
            return ValueTask.CompletedTask;
        }
        Interlocked.Increment(ref _fullWaits);
        return _channel.Writer.WriteAsync(record, cancellationToken);
    }
}
