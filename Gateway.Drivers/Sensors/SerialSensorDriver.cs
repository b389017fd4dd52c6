using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Pole;
using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Sensors;

/// <summary>
/// The read loop of a serial sensor: open the port through <see cref="ISerialPortOpener"/>, read
/// whatever bytes arrive and hand them to the protocol. The end of the stream is an error (the
/// port went away), so the service restarts the driver with back-off. A sensor that falls silent
/// (or sends only corrupt data) has its points reported with bad quality once per silence.
/// <para>
/// Health: the first intact message after the port opened (a checksum that matches, whatever it
/// says) makes the device online; no intact message for <see cref="StaleAfter"/> makes it offline
/// with the cause — <c>timeout</c> when nothing arrived at all, <c>checksum errors</c> when only
/// damaged messages did. A port that cannot be opened is reported by the supervisor.
/// </para>
/// </summary>
internal abstract class SerialSensorDriver(DeviceOptions device, ISerialPortOpener ports, IDriverOutput output, TimeProvider time, ILogger logger) : IPoleDriver
{
    private long _lastReportNs = long.MinValue;
    private long _lastGoodNs;
    private int _staleReported;
    private long _lastIntactNs;
    private int _intactSinceCheck;
    private long _corruptSinceIntact;
    private long _bytesSinceIntact;

    public string DeviceId => device.Id;

    public DeviceHealthTracker Health { get; } = new(device.Id, output, time, logger);

    protected DeviceOptions Device => device;

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

    /// <summary>
    /// How long without a valid message before the points are reported bad: three report periods,
    /// at least 10 s (the sensors here send about once a second).
    /// </summary>
    public TimeSpan StaleAfter => TimeSpan.FromMilliseconds(Math.Max(3L * (device.PollMs ?? DefaultPollMs), 10_000));

    /// <summary>The points this sensor reports, for bad-quality readings when it falls silent.</summary>
    protected abstract IReadOnlyList<(string Point, string? Unit)> Points { get; }

    protected abstract int DefaultPollMs { get; }

    /// <summary>Reads and decodes <paramref name="stream"/> until it ends (IOException) or the token is cancelled.</summary>
    public async Task RunOnStreamAsync(Stream stream, CancellationToken cancellationToken)
    {
        MarkGood();
        Interlocked.Exchange(ref _intactSinceCheck, 0);
        Interlocked.Exchange(ref _lastIntactNs, PoleClock.NowNs(time));
        using var stopWatchdog = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watchdog = WatchForSilenceAsync(stopWatchdog.Token);
        try
        {
            var buffer = new byte[256];
            while (!cancellationToken.IsCancellationRequested)
            {
                var read = await ReadAsync(stream, buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException($"{device.Type} {device.Id}: port {device.Port} closed");
                }
                Interlocked.Add(ref _bytesSinceIntact, read);
                await OnBytesAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                if (Interlocked.Exchange(ref _intactSinceCheck, 0) == 1)
                {
                    await Health.OnlineAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            await stopWatchdog.CancelAsync().ConfigureAwait(false);
            await watchdog.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// The default opener's <see cref="Serial.SerialPortStream"/> honours the token, but a stream
    /// from another opener may not (a FileStream read of a tty blocks in read(2) and ignores it,
    /// checked with a pty on .NET 10), so at shutdown such a read is abandoned instead of awaited:
    /// the driver stops at once, and the orphaned read ends with the next byte or when the port is closed.
    /// </summary>
    private static async Task<int> ReadAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = stream.ReadAsync(buffer, cancellationToken).AsTask();
        try
        {
            return await read.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _ = read.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
    }

    /// <summary>Notes a valid message (the protocol calls it for every one, reported or not).</summary>
    protected void MarkGood()
    {
        Interlocked.Exchange(ref _lastGoodNs, PoleClock.NowNs(time));
        Interlocked.Exchange(ref _staleReported, 0);
        MarkIntact();
    }

    /// <summary>Notes a message whose checksum matched, even one without usable values: the sensor is there.</summary>
    protected void MarkIntact()
    {
        Interlocked.Exchange(ref _lastIntactNs, PoleClock.NowNs(time));
        Interlocked.Exchange(ref _corruptSinceIntact, 0);
        Interlocked.Exchange(ref _bytesSinceIntact, 0);
        Interlocked.Exchange(ref _intactSinceCheck, 1);
    }

    /// <summary>Notes a damaged message (checksum or framing error).</summary>
    protected void MarkCorrupt() => Interlocked.Increment(ref _corruptSinceIntact);

    /// <summary>Why the sensor counts as gone after <paramref name="silentNs"/> without an intact message.</summary>
    private string SilenceReason(long silentNs)
    {
        var seconds = $"{TimeSpan.FromTicks(silentNs / 100).TotalSeconds:0} s";
        var corrupt = Interlocked.Read(ref _corruptSinceIntact);
        if (corrupt > 0)
        {
            return $"checksum errors ({corrupt} damaged message(s), none intact for {seconds})";
        }
        return Interlocked.Read(ref _bytesSinceIntact) > 0
            ? $"no valid data for {seconds} (unrecognised bytes)"
            : $"timeout (no data for {seconds})";
    }

    private async Task WatchForSilenceAsync(CancellationToken cancellationToken)
    {
        var staleNs = (long)StaleAfter.TotalNanoseconds;
        while (!cancellationToken.IsCancellationRequested)
        {
            var brokenNs = PoleClock.NowNs(time) - Interlocked.Read(ref _lastIntactNs);
            if (brokenNs >= staleNs)
            {
                await Health.OfflineAsync(SilenceReason(brokenNs), cancellationToken).ConfigureAwait(false);
            }
            var silentNs = PoleClock.NowNs(time) - Interlocked.Read(ref _lastGoodNs);
            if (silentNs >= staleNs && Interlocked.Exchange(ref _staleReported, 1) == 0)
            {
                var reason = $"no valid data from the sensor for {TimeSpan.FromTicks(silentNs / 100).TotalSeconds:0} s";
                foreach (var (point, unit) in Points)
                {
                    await output.PublishAsync(new Reading(device.Id, point, ReadingValue.None, unit, ReadingQuality.Bad, reason, time.GetUtcNow(), time.GetTimestamp()), cancellationToken).ConfigureAwait(false);
                }
            }
            // wake for whichever deadline comes first; one already passed is checked again a period later
            var wait = Math.Min(silentNs >= staleNs ? staleNs : staleNs - silentNs, brokenNs >= staleNs ? staleNs : staleNs - brokenNs);
            await Task.Delay(TimeSpan.FromTicks(wait / 100), time, cancellationToken).ConfigureAwait(false);
        }
    }

    protected abstract ValueTask OnBytesAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);

    /// <summary>True at most once per <c>pollMs</c> (the first time always): throttles 1 Hz sensors.</summary>
    protected bool ReportDue()
    {
        var nowNs = PoleClock.NowNs(time);
        var periodNs = (long)(device.PollMs ?? DefaultPollMs) * 1_000_000;
        if (_lastReportNs != long.MinValue && nowNs - _lastReportNs < periodNs)
        {
            return false;
        }
        _lastReportNs = nowNs;
        return true;
    }

    protected ValueTask ReportAsync(string point, ReadingValue value, string? unit, CancellationToken cancellationToken) =>
        output.PublishAsync(new Reading(device.Id, point, value, unit, ReadingQuality.Good, null, time.GetUtcNow(), time.GetTimestamp()), cancellationToken);
}
