using Gateway.Drivers.Pole;
using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Gpio;

/// <summary>
/// gpio-input (SPEC section 4): a door, immersion or tilt contact. Reports point <c>state</c> at
/// start and at every debounced change, each change also as a <c>gpio.changed</c> event dated at
/// the edge that began it.
/// </summary>
internal sealed class GpioInputDriver(DeviceOptions device, IGpioChipProvider chips, IPoleSensorSink sink, TimeProvider time, ILogger logger)
    : DebouncedLineDriver(device, chips, sink, time, logger, defaultDebounceMs: 50)
{
    public const string ChangedEvent = "gpio.changed";

    protected override ValueTask OnStartAsync(bool active, CancellationToken cancellationToken) =>
        Sink.ReadingAsync(Reading("state", active, null, PoleClock.NowNs(Time)), cancellationToken);

    protected override async ValueTask OnChangeAsync(DebouncedChange change, CancellationToken cancellationToken)
    {
        var reading = Reading("state", change.Active, null, change.ChangedAtNs);
        await Sink.ReadingAsync(reading, cancellationToken).ConfigureAwait(false);
        var data = new Dictionary<string, object?>
        {
            ["state"] = change.Active,
            ["chip"] = Device.Chip,
            ["line"] = Device.Line,
        };
        await Sink.EventAsync(new PoleEvent(ChangedEvent, Device.Id, data, reading.MeasuredAt, reading.MonotonicTimestamp), cancellationToken).ConfigureAwait(false);
    }
}
