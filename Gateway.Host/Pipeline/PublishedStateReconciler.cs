using Gateway.Drivers.Abstractions;
using Gateway.Sync.Store;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Pipeline;

/// <summary>
/// Keeps the platform's last word on each device and camera true across restarts (a kill, a power cut, a
/// live group restart, an in-process host restart). A new driver starts with its health "unknown", and a
/// device that works from the start raises nothing; so a device last reported <c>device.offline</c> before
/// the restart would never be reported back. This wraps the drivers' output (every driver, the live
/// groups' too) and knows, from the store (<see cref="ILastStateEvents"/>) and then from what passes
/// here, what the platform was last told of each source:
/// <list type="bullet">
/// <item>a device believed offline whose first good reading arrives gets one <c>device.online</c>
/// ("answering again after a restart") before that reading; a camera believed lost whose first frame
/// arrives (<see cref="CameraAnsweredAsync"/>) gets one <c>camera.restored</c>;</item>
/// <item>an offline/online (lost/restored) event that repeats what the platform already believes is not
/// stored: a device failing again after the restart stays in the outage the platform knows (one pair per
/// outage, SPEC section 3). Such an event still reaches the local figures (<paramref name="unstored"/>),
/// so the status page shows the driver's present reason.</item>
/// </list>
/// The store is read once, at the first record (the store is open by then: it starts before the drivers).
/// </summary>
internal sealed class PublishedStateReconciler(
    IDriverOutput inner,
    Func<IReadOnlyDictionary<string, string>> readLastTold,
    Action<GatewayEvent> unstored,
    TimeProvider time,
    ILogger logger) : IDriverOutput
{
    public const string DeviceBackReason = "answering again after a restart";
    public const string CameraBackReason = "receiving frames again after a restart";

    private readonly Dictionary<string, bool> _down = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private volatile bool _loaded;
    private int _downCount;

    public ValueTask PublishAsync(Reading reading, CancellationToken cancellationToken)
    {
        EnsureLoaded();
        // The hot path allocates nothing while no device is believed down.
        if (reading.Quality != ReadingQuality.Good || Volatile.Read(ref _downCount) == 0 || !TakeBack(reading.Device))
        {
            return inner.PublishAsync(reading, cancellationToken);
        }
        return PublishBackThenAsync(DriverEventTypes.DeviceOnline, "device", reading.Device, DeviceBackReason, reading, cancellationToken);
    }

    public ValueTask PublishAsync(GatewayEvent driverEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(driverEvent);
        EnsureLoaded();
        if (IsDown(driverEvent.Type) is { } down)
        {
            lock (_gate)
            {
                if (_down.TryGetValue(driverEvent.Source, out var was) && was == down)
                {
                    Log.StateEventRepeated(logger, driverEvent.Type, driverEvent.Source);
                    unstored(driverEvent);
                    return ValueTask.CompletedTask;
                }
                Set(driverEvent.Source, down);
            }
        }
        return inner.PublishAsync(driverEvent, cancellationToken);
    }

    public void PollCompleted(string deviceId, TimeSpan latency, bool succeeded) => inner.PollCompleted(deviceId, latency, succeeded);

    /// <summary>
    /// A camera delivered a frame: if the platform last heard <c>camera.lost</c> of it, <c>camera.restored</c>.
    /// Cheap to call for every frame.
    /// </summary>
    public ValueTask CameraAnsweredAsync(string camera, CancellationToken cancellationToken)
    {
        EnsureLoaded();
        if (Volatile.Read(ref _downCount) == 0 || !TakeBack(camera))
        {
            return ValueTask.CompletedTask;
        }
        return PublishBackThenAsync(DriverEventTypes.CameraRestored, "camera", camera, CameraBackReason, null, cancellationToken);
    }

    private async ValueTask PublishBackThenAsync(string type, string key, string source, string reason, Reading? reading, CancellationToken cancellationToken)
    {
        Log.BackAfterRestart(logger, type, source);
        var data = new Dictionary<string, object?>(StringComparer.Ordinal) { [key] = source, ["reason"] = reason };
        await inner.PublishAsync(GatewayEvent.Create(type, source, data, time.GetUtcNow(), time.GetTimestamp()), cancellationToken).ConfigureAwait(false);
        if (reading is { } r)
        {
            await inner.PublishAsync(r, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True (once) when <paramref name="source"/> is believed down: it is now believed up.</summary>
    private bool TakeBack(string source)
    {
        lock (_gate)
        {
            if (!_down.TryGetValue(source, out var down) || !down)
            {
                return false;
            }
            Set(source, false);
            return true;
        }
    }

    private void Set(string source, bool down)
    {
        var was = _down.TryGetValue(source, out var d) && d;
        _down[source] = down;
        if (was != down)
        {
            Interlocked.Add(ref _downCount, down ? 1 : -1);
        }
    }

    private static bool? IsDown(string type) => type switch
    {
        DriverEventTypes.DeviceOffline or DriverEventTypes.CameraLost => true,
        DriverEventTypes.DeviceOnline or DriverEventTypes.CameraRestored => false,
        _ => null,
    };

    private void EnsureLoaded()
    {
        if (_loaded)
        {
            return;
        }
        lock (_gate)
        {
            if (_loaded)
            {
                return;
            }
            try
            {
                var down = 0;
                foreach (var (source, type) in readLastTold())
                {
                    if (IsDown(type) is { } isDown)
                    {
                        Set(source, isDown);
                        down += isDown ? 1 : 0;
                    }
                }
                Log.LastToldLoaded(logger, down);
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException or ObjectDisposedException)
            {
                // Without the store's word the gateway behaves as before this existed: nothing is lost, a restart may leave an "offline" standing.
                Log.LastToldUnreadable(logger, ex.Message);
            }
            _loaded = true;
        }
    }
}
