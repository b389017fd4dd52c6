using Gateway.Drivers.Sensors;
namespace Gateway.Simulation.Sensors;

/// <summary>
/// A read-only stream that emits one message from a generator every period, paced by a
/// <see cref="TimeProvider"/> — a PMS5003 or GNSS receiver for the demo without hardware.
/// </summary>
public sealed class SimulatedSensorStream(Func<long, byte[]> message, TimeSpan period, TimeProvider time) : Stream
{
    private byte[] _pending = [];
    private int _offset;
    private long _count;

    /// <summary>A simulated PMS5003 whose PM2.5 wanders around 12 µg/m³.</summary>
    public static SimulatedSensorStream Pms5003(TimeProvider time) => new(n =>
    {
        var pm = (ushort)(10 + (n % 5));
        var frame = new byte[Pms5003Frame.Length];
        new Pms5003Frame(pm, pm, pm, (ushort)(pm - 3), pm, (ushort)(pm + 6), 1500, 450, 80, 6, 1, 0).Write(frame);
        return frame;
    }, TimeSpan.FromSeconds(1), time);

    /// <summary>A simulated GNSS receiver at a fixed position, sending GGA and RMC with the provider's UTC.</summary>
    public static SimulatedSensorStream Gnss(TimeProvider time) => new(_ =>
    {
        var now = time.GetUtcNow();
        var hms = now.ToString("HHmmss.ff", System.Globalization.CultureInfo.InvariantCulture);
        var date = now.ToString("ddMMyy", System.Globalization.CultureInfo.InvariantCulture);
        return System.Text.Encoding.ASCII.GetBytes(
            NmeaWriter.Sentence($"GPGGA,{hms},3054.5000,N,12128.2000,E,1,09,0.9,4.0,M,8.0,M,,")
            + NmeaWriter.Sentence($"GPRMC,{hms},A,3054.5000,N,12128.2000,E,0.0,0.0,{date},,,A"));
    }, TimeSpan.FromSeconds(1), time);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_offset == _pending.Length)
        {
            if (_count > 0)
            {
                await Task.Delay(period, time, cancellationToken).ConfigureAwait(false);
            }
            _pending = message(_count++);
            _offset = 0;
        }
        var n = Math.Min(buffer.Length, _pending.Length - _offset);
        _pending.AsSpan(_offset, n).CopyTo(buffer.Span);
        _offset += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("simulated sensor streams are read asynchronously");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
