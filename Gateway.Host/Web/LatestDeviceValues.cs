using Gateway.Drivers.Abstractions;

namespace Gateway.Host.Web;

/// <summary>
/// The last reading of every (device, point) and the last <c>device.offline</c>/<c>device.online</c>
/// of every device, as the drivers put them out: what the status and devices pages show for
/// devices other than Modbus (whose health the Modbus driver reports itself). Memory is bounded by
/// the configuration (one entry per configured point); updating an existing entry allocates nothing.
/// </summary>
public sealed class LatestDeviceValues
{
    private readonly Dictionary<(string Device, string Point), Reading> _readings = [];
    private readonly Dictionary<string, DeviceState> _states = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public sealed record DeviceState(bool Online, string? Reason, DateTimeOffset Since);

    public void Record(in Reading reading)
    {
        lock (_gate)
        {
            _readings[(reading.Device, reading.Point)] = reading;
        }
    }

    public void Record(GatewayEvent deviceEvent)
    {
        ArgumentNullException.ThrowIfNull(deviceEvent);
        var online = deviceEvent.Type == DriverEventTypes.DeviceOnline;
        if (!online && deviceEvent.Type != DriverEventTypes.DeviceOffline)
        {
            return;
        }
        string? reason = null;
        if (!online)
        {
            using var data = System.Text.Json.JsonDocument.Parse(deviceEvent.DataJson);
            reason = data.RootElement.TryGetProperty("reason", out var r) ? r.GetString() : null;
        }
        lock (_gate)
        {
            _states[deviceEvent.Source] = new DeviceState(online, reason, deviceEvent.OccurredAt);
        }
    }

    public IReadOnlyList<Reading> ReadingsOf(string device)
    {
        lock (_gate)
        {
            return [.. _readings.Where(p => p.Key.Device == device).Select(p => p.Value).OrderBy(r => r.Point, StringComparer.Ordinal)];
        }
    }

    public DeviceState? StateOf(string device)
    {
        lock (_gate)
        {
            return _states.GetValueOrDefault(device);
        }
    }
}

/// <summary>The drivers' output into the one ingest queue, noting each record in <see cref="LatestDeviceValues"/> on the way.</summary>
internal sealed class LatestValuesDriverOutput(IDriverOutput inner, LatestDeviceValues latest) : IDriverOutput
{
    public ValueTask PublishAsync(Reading reading, CancellationToken cancellationToken)
    {
        latest.Record(reading);
        return inner.PublishAsync(reading, cancellationToken);
    }

    public ValueTask PublishAsync(GatewayEvent driverEvent, CancellationToken cancellationToken)
    {
        latest.Record(driverEvent);
        return inner.PublishAsync(driverEvent, cancellationToken);
    }

    public void PollCompleted(string deviceId, TimeSpan latency, bool succeeded) => inner.PollCompleted(deviceId, latency, succeeded);
}
