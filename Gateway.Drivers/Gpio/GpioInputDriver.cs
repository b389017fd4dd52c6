using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Pole;
using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Gpio;

/// <summary>
/// gpio-input (SPEC section 4): a door, immersion or tilt contact. Reports point <c>state</c> at
/// start and at every debounced change, each change also as a <c>gpio.changed</c> event dated at
/// the edge that began it.
/// </summary>
internal sealed class GpioInputDriver(DeviceOptions device, IGpioChipProvider chips, IDriverOutput output, TimeProvider time, ILogger logger)
    : DebouncedLineDriver(device, chips, output, time, logger, defaultDebounceMs: 50)
{
    public const string ChangedEvent = DriverEventTypes.GpioChanged;

    protected override ValueTask OnStartAsync(bool active, CancellationToken cancellationToken) =>
        Output.PublishAsync(Reading("state", ReadingValue.FromBoolean(active), null, PoleClock.NowNs(Time)), cancellationToken);

    protected override async ValueTask OnChangeAsync(DebouncedChange change, CancellationToken cancellationToken)
    {
        var reading = Reading("state", ReadingValue.FromBoolean(change.Active), null, change.ChangedAtNs);
        await Output.PublishAsync(reading, cancellationToken).ConfigureAwait(false);
        var data = new Dictionary<string, object?>
        {
            ["state"] = change.Active,
            ["chip"] = Device.Chip,
            ["line"] = Device.Line,
        };
        await Output.PublishAsync(GatewayEvent.Create(ChangedEvent, Device.Id, data, reading.MeasuredAt, reading.Timestamp), cancellationToken).ConfigureAwait(false);
    }
}
