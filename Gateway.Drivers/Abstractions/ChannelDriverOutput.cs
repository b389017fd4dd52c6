using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Gateway.Drivers.Abstractions;

/// <summary>
/// The bounded queue between drivers and <see cref="DriverOutputPump"/>. Full policy: wait
/// (back-pressure), counted in <see cref="FullWaits"/>; see <see cref="IDriverOutput"/>.
/// </summary>
internal sealed class ChannelDriverOutput : IDriverOutput
{
    private readonly Channel<DriverRecord> _channel;
    private long _fullWaits;

    public ChannelDriverOutput(IOptions<DriverOutputOptions> options)
    {
        var o = options.Value;
        _channel = Channel.CreateBounded<DriverRecord>(new BoundedChannelOptions(o.ReadingCapacity + o.EventCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
    }

    public ChannelReader<DriverRecord> Reader => _channel.Reader;

    /// <summary>How often a publisher found the queue full and had to wait for the store.</summary>
    public long FullWaits => Interlocked.Read(ref _fullWaits);

    public ValueTask PublishAsync(Reading reading, CancellationToken cancellationToken) =>
        Write(new DriverRecord(reading, null), cancellationToken);

    public ValueTask PublishAsync(GatewayEvent driverEvent, CancellationToken cancellationToken) =>
        Write(new DriverRecord(default, driverEvent), cancellationToken);

    private ValueTask Write(DriverRecord record, CancellationToken cancellationToken)
    {
        if (_channel.Writer.TryWrite(record))
        {
            return ValueTask.CompletedTask;
        }
        Interlocked.Increment(ref _fullWaits);
        return _channel.Writer.WriteAsync(record, cancellationToken);
    }
}
