using Gateway.Drivers.Pole;
using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Sensors;

/// <summary>
/// The read loop of a serial sensor: open the port through <see cref="ISerialPortOpener"/>, read
/// whatever bytes arrive and hand them to the protocol. The end of the stream is an error (the
/// port went away), so the service restarts the driver with back-off.
/// </summary>
internal abstract class SerialSensorDriver(DeviceOptions device, ISerialPortOpener ports, IPoleSensorSink sink, TimeProvider time, ILogger logger) : IPoleDriver
{
    private long _lastReportNs = long.MinValue;

    public string DeviceId => device.Id;

    protected DeviceOptions Device => device;

    protected IPoleSensorSink Sink => sink;

    protected TimeProvider Time => time;

    protected ILogger Logger => logger;

    protected abstract int DefaultBaud { get; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var stream = ports.Open(device.Port!, device.Baud ?? DefaultBaud);
        await using (stream.ConfigureAwait(false))
        {
            Log.PortOpened(logger, device.Type, device.Id, device.Port!);
            await RunOnStreamAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads and decodes <paramref name="stream"/> until it ends (IOException) or the token is cancelled.</summary>
    public async Task RunOnStreamAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[256];
        while (!cancellationToken.IsCancellationRequested)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException($"{device.Type} {device.Id}: port {device.Port} closed");
            }
            await OnBytesAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    protected abstract ValueTask OnBytesAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);

    /// <summary>True at most once per <c>pollMs</c> (the first time always): throttles 1 Hz sensors.</summary>
    protected bool ReportDue(int defaultPollMs)
    {
        var nowNs = PoleClock.NowNs(time);
        var periodNs = (long)(device.PollMs ?? defaultPollMs) * 1_000_000;
        if (_lastReportNs != long.MinValue && nowNs - _lastReportNs < periodNs)
        {
            return false;
        }
        _lastReportNs = nowNs;
        return true;
    }

    protected ValueTask ReportAsync(string point, object value, string? unit, CancellationToken cancellationToken) =>
        sink.ReadingAsync(new PoleReading(device.Id, point, value, unit, PoleQuality.Good, null, time.GetUtcNow(), time.GetTimestamp()), cancellationToken);
}
