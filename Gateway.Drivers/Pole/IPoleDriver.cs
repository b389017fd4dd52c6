using Gateway.Drivers.Abstractions;

namespace Gateway.Drivers.Pole;

/// <summary>One configured pole device's driver loop; runs until the token is cancelled.</summary>
internal interface IPoleDriver
{
    string DeviceId { get; }

    /// <summary>
    /// What the platform hears about the device: the driver reports it online once it works (and
    /// offline for causes only it can see); the supervisor reports it offline when the loop fails.
    /// </summary>
    DeviceHealthTracker Health { get; }

    Task RunAsync(CancellationToken cancellationToken);
}
