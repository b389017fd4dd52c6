using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Pole;
using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Sensors;

/// <summary>
/// nmea (SPEC section 4): a GNSS receiver. GGA with a fix gives <c>latitude</c>, <c>longitude</c>
/// (degrees, south and west negative) and <c>satellites</c>, at most once per <c>pollMs</c>
/// (default 10 s). With <c>timeSource: true</c>, a valid RMC (status A, date and time) becomes a
/// <see cref="PoleTimeFix"/> for the store's clock-validity logic — the first at once, then one a minute.
/// </summary>
internal sealed class NmeaDriver(DeviceOptions device, ISerialPortOpener ports, IDriverOutput output, ITimeFixSink timeFixes, TimeProvider time, ILogger logger)
    : SerialSensorDriver(device, ports, output, time, logger)
{
    /// <summary>No true GNSS time can precede this release; see <see cref="OnTimeAsync"/>.</summary>
    public static readonly DateTimeOffset DefaultMinPlausibleUtc = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly long TimeFixPeriodNs = (long)TimeSpan.FromMinutes(1).TotalNanoseconds;
    private readonly NmeaLineBuffer _lines = new();
    private readonly List<NmeaSentence> _sentences = [];
    private long? _lastTimeFixNs;

    public long RejectedSentences { get; private set; }

    /// <summary>Earliest UTC accepted as a time fix (tests replaying old captures lower it).</summary>
    internal DateTimeOffset MinPlausibleUtc { get; init; } = DefaultMinPlausibleUtc;

    protected override int DefaultBaud => 9600;

    protected override int DefaultPollMs => 10_000;

    protected override IReadOnlyList<(string Point, string? Unit)> Points { get; } = [("latitude", "°"), ("longitude", "°"), ("satellites", null)];

    protected override async ValueTask OnBytesAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        _sentences.Clear();
        _lines.Append(bytes.Span, Collect);
        foreach (var sentence in _sentences)
        {
            if (NmeaGga.TryParse(sentence, out var gga))
            {
                await OnGgaAsync(gga!, cancellationToken).ConfigureAwait(false);
            }
            else if (Device.TimeSource && NmeaRmc.TryParse(sentence, out var rmc) && rmc!.Valid && rmc.Utc is { } utc)
            {
                await OnTimeAsync(utc, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void Collect(ReadOnlySpan<byte> line)
    {
        if (NmeaSentence.TryParse(line, out var sentence, out var error))
        {
            MarkIntact(); // a receiver without a fix still talks: it is there
            _sentences.Add(sentence!);
            return;
        }
        MarkCorrupt();
        RejectedSentences++;
        Log.NmeaRejected(Logger, Device.Id, error!, RejectedSentences);
    }

    private async ValueTask OnGgaAsync(NmeaGga gga, CancellationToken cancellationToken)
    {
        if (!gga.HasFix)
        {
            return; // no fix for long enough makes the position stale (bad quality)
        }
        MarkGood();
        if (!ReportDue())
        {
            return;
        }
        await ReportAsync("latitude", ReadingValue.FromDouble(gga.Latitude!.Value), "°", cancellationToken).ConfigureAwait(false);
        await ReportAsync("longitude", ReadingValue.FromDouble(gga.Longitude!.Value), "°", cancellationToken).ConfigureAwait(false);
        if (gga.Satellites is { } satellites)
        {
            await ReportAsync("satellites", ReadingValue.FromInt64(satellites), null, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask OnTimeAsync(DateTimeOffset utc, CancellationToken cancellationToken)
    {
        if (utc < MinPlausibleUtc)
        {
            // GPS week-number rollover: old receivers report dates 1024 weeks (19.6 years) early.
            // A date before this software existed cannot be the time; never feed it to the clock.
            return;
        }
        var nowNs = PoleClock.NowNs(Time);
        if (_lastTimeFixNs is { } last && nowNs - last < TimeFixPeriodNs)
        {
            return;
        }
        _lastTimeFixNs = nowNs;
        var local = Time.GetUtcNow();
        Log.TimeFix(Logger, Device.Id, utc, local - utc);
        await timeFixes.TimeFixAsync(new PoleTimeFix(Device.Id, utc, local, Time.GetTimestamp()), cancellationToken).ConfigureAwait(false);
    }
}
