using Gateway.Drivers.Abstractions;
using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Sensors;

/// <summary>
/// pms5003 (SPEC section 4): the sensor sends a frame about every second in active mode; the
/// driver reports the atmospheric-environment <c>pm1_0</c>, <c>pm2_5</c>, <c>pm10</c> (µg/m³) of
/// the latest good frame at most once per <c>pollMs</c> (default 10 s). Corrupt frames are dropped
/// and counted.
/// </summary>
internal sealed class Pms5003Driver(DeviceOptions device, ISerialPortOpener ports, IDriverOutput output, TimeProvider time, ILogger logger)
    : SerialSensorDriver(device, ports, output, time, logger)
{
    public const string Unit = "µg/m³";
    private readonly byte[] _pending = new byte[4 * Pms5003Frame.Length];
    private int _length;

    public long CorruptFrames { get; private set; }

    private Pms5003ScanStatus Scan(out Pms5003Frame frame)
    {
        var status = Pms5003FrameScanner.Scan(_pending.AsSpan(0, _length), out frame, out var consumed);
        _pending.AsSpan(consumed, _length - consumed).CopyTo(_pending);
        _length -= consumed;
        return status;
    }

    private bool MarkGoodAndCheckDue()
    {
        MarkGood();
        return ReportDue();
    }

    protected override int DefaultBaud => 9600;

    protected override int DefaultPollMs => 10_000;

    protected override IReadOnlyList<(string Point, string? Unit)> Points { get; } = [("pm1_0", Unit), ("pm2_5", Unit), ("pm10", Unit)];

    protected override async ValueTask OnBytesAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            var n = Math.Min(bytes.Length, _pending.Length - _length);
            bytes.Span[..n].CopyTo(_pending.AsSpan(_length));
            _length += n;
            bytes = bytes[n..];
            // Scan until no complete frame is left; every step consumes bytes, so this ends.
            for (var status = Scan(out var frame); status != Pms5003ScanStatus.NeedMoreData; status = Scan(out frame))
            {
                if (status == Pms5003ScanStatus.Corrupt)
                {
                    CorruptFrames++;
                    MarkCorrupt();
                    Log.Pms5003Corrupt(Logger, Device.Id, CorruptFrames);
                }
                else if (MarkGoodAndCheckDue())
                {
                    await ReportAsync("pm1_0", ReadingValue.FromDouble(frame.Pm1_0Atmospheric), Unit, cancellationToken).ConfigureAwait(false);
                    await ReportAsync("pm2_5", ReadingValue.FromDouble(frame.Pm2_5Atmospheric), Unit, cancellationToken).ConfigureAwait(false);
                    await ReportAsync("pm10", ReadingValue.FromDouble(frame.Pm10Atmospheric), Unit, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }
}
