namespace Gateway.Drivers.Pole;

/// <summary>One configured pole device's driver loop; runs until the token is cancelled.</summary>
internal interface IPoleDriver
{
    string DeviceId { get; }

    Task RunAsync(CancellationToken cancellationToken);
}
