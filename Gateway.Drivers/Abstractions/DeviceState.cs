namespace Gateway.Drivers.Abstractions;

/// <summary>A device as the platform was told about it (SPEC section 3 <c>device.offline</c> / <c>device.online</c>).</summary>
public enum DeviceState : byte
{
    /// <summary>Neither a good reading nor an offline event yet (before its first poll).</summary>
    Unknown,
    Online,
    Offline,
}
