using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Pole;
using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Gpio;

/// <summary>
/// The loop shared by gpio-input and gpio-counter: request the line (asking the kernel to
/// debounce), debounce its edges in software where the kernel did not, and wake for whichever comes first of the next edge,
/// the end of a pending quiet period, or the next periodic report. Edges already queued are all
/// fed before a quiet period is judged, so a burst is never cut in two by a late wake-up.
/// </summary>
internal abstract class DebouncedLineDriver(
    DeviceOptions device,
    IGpioChipProvider chips,
    IDriverOutput output,
    TimeProvider time,
    ILogger logger,
    int defaultDebounceMs) : IPoleDriver
{
    private const int MaxEdgesPerBatch = 1024;

    public string DeviceId => device.Id;

    public DeviceHealthTracker Health { get; } = new(device.Id, output, time, logger);

    protected DeviceOptions Device => device;

    protected IDriverOutput Output => output;

    protected TimeProvider Time => time;

    protected ILogger Logger => logger;

    /// <summary>Period of <see cref="OnTickAsync"/>, or null for none.</summary>
    protected virtual TimeSpan? TickPeriod => null;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var chip = chips.Open(device.Chip!);
        var period = TimeSpan.FromMilliseconds(device.DebounceMs ?? defaultDebounceMs);
        using var line = chip.RequestInput(new GpioInputRequest(device.Line!.Value, device.ActiveLow, ParseBias(device.Bias), period, "edge-gateway:" + device.Id));
        Log.LineRequested(logger, device.Id, chip.Name, line.Line, device.Type, line.KernelDebounced);
        await Health.OnlineAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Edges the kernel debounced are already stable for the period: debouncing them again
            // would only add the same delay a second time.
            await RunLineAsync(line, line.KernelDebounced ? TimeSpan.Zero : period, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            OnStopped();
        }
    }

    private async Task RunLineAsync(IGpioInputLine line, TimeSpan period, CancellationToken cancellationToken)
    {
        var debouncer = new Debouncer(line.Read(), (long)period.TotalNanoseconds);
        // the tick schedule starts with the start report, not after it was delivered
        var tickPeriodNs = TickPeriod is { } tick ? (long)tick.TotalNanoseconds : (long?)null;
        var nextTickNs = PoleClock.NowNs(time) + tickPeriodNs;
        await OnStartAsync(debouncer.Stable, cancellationToken).ConfigureAwait(false);
        var edges = line.Edges;
        while (!cancellationToken.IsCancellationRequested)
        {
            var fed = 0;
            while (fed < MaxEdgesPerBatch && edges.TryRead(out var edge))
            {
                fed++;
                if (debouncer.OnEdge(edge.Active, edge.TimestampNs) is { } change)
                {
                    await OnChangeAsync(change, cancellationToken).ConfigureAwait(false);
                }
            }
            if (fed == MaxEdgesPerBatch)
            {
                // An edge storm: commit what it confirmed so far, and judge no quiet period
                // while later edges are still queued.
                OnEdgesHandled();
                continue;
            }
            var nowNs = PoleClock.NowNs(time);
            if (debouncer.Poll(nowNs) is { } quiet)
            {
                await OnChangeAsync(quiet, cancellationToken).ConfigureAwait(false);
            }
            OnEdgesHandled();
            if (nextTickNs is { } due && nowNs >= due)
            {
                await OnTickAsync(cancellationToken).ConfigureAwait(false);
                // Skip, rather than replay, ticks missed while the loop was held up.
                nextTickNs = due + (((nowNs - due) / tickPeriodNs!.Value) + 1) * tickPeriodNs.Value;
                continue;
            }
            var wakeNs = Min(debouncer.DeadlineNs, nextTickNs);
            if (!await WaitForEdgeAsync(edges, wakeNs, cancellationToken).ConfigureAwait(false))
            {
                throw new IOException($"GPIO line {device.Chip}:{device.Line} was released");
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Waits for an edge or until the pole clock reaches <paramref name="wakeNs"/>; false when the line is gone.</summary>
    private async Task<bool> WaitForEdgeAsync(System.Threading.Channels.ChannelReader<GpioEdge> edges, long? wakeNs, CancellationToken cancellationToken)
    {
        if (wakeNs is null)
        {
            return await edges.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        }
        // the clock is read again here, right before arming: time that passed since the loop read it
        // must not push the wake-up later
        var timeout = TimeSpan.FromTicks((Math.Max(0, wakeNs.Value - PoleClock.NowNs(time)) / 100) + 1);
        using var timer = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            return await edges.WaitToReadAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return true;
        }
    }

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    internal static GpioBias ParseBias(string bias) => bias switch
    {
        "pull-up" => GpioBias.PullUp,
        "pull-down" => GpioBias.PullDown,
        "disabled" => GpioBias.Disabled,
        _ => GpioBias.AsIs,
    };

    protected abstract ValueTask OnStartAsync(bool active, CancellationToken cancellationToken);

    protected abstract ValueTask OnChangeAsync(DebouncedChange change, CancellationToken cancellationToken);

    protected virtual ValueTask OnTickAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Called after every batch of queued edges has been fed, before the loop waits again.</summary>
    protected virtual void OnEdgesHandled()
    {
    }

    /// <summary>Called once when the loop ends, however it ends.</summary>
    protected virtual void OnStopped()
    {
    }

    protected Reading Reading(string point, ReadingValue value, string? unit, long atNs) =>
        new(device.Id, point, value, unit, ReadingQuality.Good, null, PoleClock.WallTimeOf(time, atNs), PoleClock.ToTimestamp(time, atNs));
}
