namespace Gateway.Drivers.Abstractions;

/// <summary>Event type names of SPEC section 3 that drivers raise.</summary>
public static class DriverEventTypes
{
    public const string DeviceOffline = "device.offline";
    public const string DeviceOnline = "device.online";
    public const string GpioChanged = "gpio.changed";
    public const string CameraLost = "camera.lost";
    public const string CameraRestored = "camera.restored";
}
