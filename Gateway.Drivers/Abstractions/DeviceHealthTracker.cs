using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Abstractions;

/// <summary>
/// The platform's view of one device: <c>device.offline</c> with a specific reason when it stops
/// working, <c>device.online</c> when it works again — each once per change, never repeated while
/// the state holds (a device that keeps failing on every retry raises one event, not one per retry).
/// A device that works from the start raises nothing; one that fails from the start is reported
/// offline at once. Thread-safe: a driver's read loop and its supervisor may both report.
/// </summary>
public sealed class DeviceHealthTracker(string deviceId, IDriverOutput output, TimeProvider time, ILogger logger)
{
    private readonly Lock _gate = new();
    private State _state;
    private string? _reason;

    private enum State
    {
        Unknown,
        Online,
        Offline,
    }

    public string DeviceId => deviceId;

    /// <summary>True while the device is reported offline.</summary>
    public bool IsOffline
    {
        get
        {
            lock (_gate)
            {
                return _state == State.Offline;
            }
        }
    }

    /// <summary>Why the device is offline, or null while it is not.</summary>
    public string? Reason
    {
        get
        {
            lock (_gate)
            {
                return _state == State.Offline ? _reason : null;
            }
        }
    }

    /// <summary>The device works: raises <c>device.online</c> if it was offline.</summary>
    public ValueTask OnlineAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var was = _state;
            _state = State.Online;
            _reason = null;
            if (was != State.Offline)
            {
                return ValueTask.CompletedTask;
            }
        }
        Log.DeviceOnline(logger, deviceId);
        return output.PublishAsync(Event(DriverEventTypes.DeviceOnline, null), cancellationToken);
    }

    /// <summary>The device does not work: raises <c>device.offline</c> unless it is already reported offline.</summary>
    public ValueTask OfflineAsync(string reason, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var was = _state;
            _state = State.Offline;
            _reason = reason;
            if (was == State.Offline)
            {
                return ValueTask.CompletedTask;
            }
        }
        Log.DeviceOffline(logger, deviceId, reason);
        return output.PublishAsync(Event(DriverEventTypes.DeviceOffline, reason), cancellationToken);
    }

    private GatewayEvent Event(string type, string? reason)
    {
        var data = new Dictionary<string, object?>(StringComparer.Ordinal) { ["device"] = deviceId };
        if (reason is not null)
        {
            data["reason"] = reason;
        }
        return GatewayEvent.Create(type, deviceId, data, time.GetUtcNow(), time.GetTimestamp());
    }
}
