using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Pole;
using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Gpio;

/// <summary>
/// gpio-output (SPEC section 4): a relay or lamp with a declared <c>safeState</c>. The line is
/// requested already driven to the safe state (no glitch through the other level), and driven
/// back to it before release when the gateway stops, however the loop ends. Reports <c>state</c>
/// at start and after every change.
/// </summary>
internal sealed class GpioOutputDriver(
    DeviceOptions device,
    IGpioChipProvider chips,
    GpioOutputs outputs,
    IDriverOutput output,
    TimeProvider time,
    ILogger logger) : IPoleDriver
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IGpioOutputLine? _line;

    public string DeviceId => device.Id;

    public DeviceHealthTracker Health { get; } = new(device.Id, output, time, logger);

    public bool? Current { get; private set; }

    private bool SafeState => device.SafeState!.Value;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var chip = chips.Open(device.Chip!);
        using var line = chip.RequestOutput(device.Line!.Value, device.ActiveLow, SafeState, "edge-gateway:" + device.Id);
        _line = line;
        Current = SafeState;
        Log.LineRequested(logger, device.Id, chip.Name, line.Line, device.Type, kernelDebounced: false);
        Log.SafeStateApplied(logger, device.Id, SafeState, "start");
        outputs.Add(this);
        try
        {
            await Health.OnlineAsync(cancellationToken).ConfigureAwait(false);
            await ReportAsync(SafeState, cancellationToken).ConfigureAwait(false);
            await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            outputs.Remove(this);
            await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                line.Write(SafeState);
                Current = SafeState;
                _line = null;
                Log.SafeStateApplied(logger, device.Id, SafeState, "shutdown");
            }
            catch (IOException e)
            {
                Log.SafeStateFailed(logger, device.Id, e);
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    public async ValueTask SetAsync(bool active, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var line = _line ?? throw new InvalidOperationException($"output {device.Id} is not running");
            line.Write(active);
            Current = active;
            Log.OutputSet(logger, device.Id, active);
        }
        finally
        {
            _gate.Release();
        }
        await ReportAsync(active, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask ReportAsync(bool active, CancellationToken cancellationToken) =>
        output.PublishAsync(new Reading(device.Id, "state", ReadingValue.FromBoolean(active), null, ReadingQuality.Good, null, time.GetUtcNow(), time.GetTimestamp()), cancellationToken);
}
