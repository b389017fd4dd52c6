using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Pole;
using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Gpio;

/// <summary>
/// gpio-counter (SPEC section 4): pulses of a pulse-output water or gas meter. Each debounced
/// transition to active is one pulse, stored in the counter's journal (fsynced) before the loop
/// waits for more edges and before any report, so a stored pulse survives restarts and power cuts. Reports <c>total</c> (pulses ×
/// unitsPerPulse, in <c>unit</c>) and <c>pulses</c> at start and every <c>pollMs</c> (default 60 s).
/// </summary>
internal sealed class GpioCounterDriver(
    DeviceOptions device,
    IGpioChipProvider chips,
    IDriverOutput output,
    TimeProvider time,
    ILogger logger,
    string stateDirectory) : DebouncedLineDriver(device, chips, output, time, logger, defaultDebounceMs: 5)
{
    private PulseCounterJournal? _journal;
    private long _counted;

    public static string JournalPath(string stateDirectory, string deviceId) => Path.Combine(stateDirectory, deviceId + ".pulses");

    protected override TimeSpan? TickPeriod => TimeSpan.FromMilliseconds(Device.PollMs ?? 60_000);

    /// <summary>Pulses stored so far (for tests and the web page).</summary>
    public long Pulses => _journal?.Total ?? 0;

    protected override async ValueTask OnStartAsync(bool active, CancellationToken cancellationToken)
    {
        var path = JournalPath(stateDirectory, Device.Id);
        _journal?.Dispose();
        _journal = PulseCounterJournal.Open(path);
        _counted = _journal.Total;
        Log.CounterResumed(Logger, Device.Id, _journal.Total, path, _journal.DiscardedBytes);
        await ReportAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override ValueTask OnChangeAsync(DebouncedChange change, CancellationToken cancellationToken)
    {
        if (change.Active)
        {
            _counted++;
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Group commit: the pulses of one batch of edges are stored with one record and one fsync, so
    /// a fast meter does not cost an fsync per pulse; a pulse counts as stored once this returns.
    /// </summary>
    protected override void OnEdgesHandled()
    {
        if (_counted > _journal!.Total)
        {
            _journal.Append(_counted);
        }
    }

    /// <summary>pulses × unitsPerPulse in decimal, so 19 × 0.01 reads 0.19 and not 0.19000000000000003.</summary>
    internal static double Total(long pulses, double unitsPerPulse) => (double)(pulses * (decimal)unitsPerPulse);

    protected override ValueTask OnTickAsync(CancellationToken cancellationToken) => ReportAsync(cancellationToken);

    private async ValueTask ReportAsync(CancellationToken cancellationToken)
    {
        var pulses = _journal!.Total;
        var nowNs = PoleClock.NowNs(Time);
        await Output.PublishAsync(Reading("total", ReadingValue.FromDouble(Total(pulses, Device.UnitsPerPulse!.Value)), Device.Unit, nowNs), cancellationToken).ConfigureAwait(false);
        await Output.PublishAsync(Reading("pulses", ReadingValue.FromInt64(pulses), null, nowNs), cancellationToken).ConfigureAwait(false);
    }

    protected override void OnStopped()
    {
        _journal?.Dispose();
        _journal = null;
    }
}
