using Gateway.Drivers.Channels;

namespace Gateway.Tests.Drivers.Modbus.Transport;

/// <summary>
/// Wraps the channels a connector opens and counts what the master has taken in on the newest one.
/// A test on fake time compares it with <see cref="Gateway.Simulation.Modbus.SimulatedModbusServer.ConnectionBytesSent"/>: once
/// equal, every byte of the answer is in the master's hands and moving the clock to its timeout
/// cannot overtake it (which would turn a CRC error or a garbled frame into a plain timeout).
/// </summary>
internal sealed class CountingChannel(IByteChannel inner) : IByteChannel
{
    private long _taken;

    public long Taken => Interlocked.Read(ref _taken);

    /// <summary>The master has read the end of the stream (the server closed it).</summary>
    public bool Ended { get; private set; }

    /// <summary>A connector whose newest channel is reported to <paramref name="opened"/>.</summary>
    public static ByteChannelConnector Wrap(ByteChannelConnector connect, Action<CountingChannel> opened) => async cancellationToken =>
    {
        var channel = new CountingChannel(await connect(cancellationToken));
        opened(channel);
        return channel;
    };

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        Interlocked.Add(ref _taken, n);
        Ended |= n == 0;
        return n;
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => inner.WriteAsync(data, cancellationToken);

    public int DiscardInput()
    {
        var n = inner.DiscardInput();
        Interlocked.Add(ref _taken, n);
        return n;
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
