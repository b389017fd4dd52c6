namespace Gateway.Sync.Store;

/// <summary>
/// What the platform was last told of each device and camera: the type of the newest
/// <c>device.offline</c>/<c>device.online</c>/<c>camera.lost</c>/<c>camera.restored</c> stored per
/// source. Kept in <c>meta</c> in the transaction that stores the event, because the event row itself is
/// deleted once the platform acknowledged it, and a restarted gateway must still know that a device's
/// last word was "offline" (SPEC section 3: one offline/online pair per outage).
/// </summary>
public interface ILastStateEvents
{
    /// <summary>
    /// Per source (device or camera id), the type of its last stored state event; a source that never had
    /// one (or a store older than this note, or one reset after damage) is simply absent.
    /// </summary>
    IReadOnlyDictionary<string, string> ReadLastStateEvents();
}

/// <summary>The event types whose last one per source <see cref="ILastStateEvents"/> keeps, and how it is keyed in <c>meta</c>.</summary>
public static class LastStateEvents
{
    public const string DeviceOffline = "device.offline";
    public const string DeviceOnline = "device.online";
    public const string CameraLost = "camera.lost";
    public const string CameraRestored = "camera.restored";

    internal const string KeyPrefix = "state:";

    public static bool IsStateEvent(string type) =>
        type is DeviceOffline or DeviceOnline or CameraLost or CameraRestored;
}
