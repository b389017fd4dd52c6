namespace Gateway.Drivers.Gpio;

/// <summary>The configured gpio-output devices, for commands and the web page to switch.</summary>
public interface IGpioOutputs
{
    /// <summary>Ids of the outputs currently held by their drivers.</summary>
    IReadOnlyCollection<string> DeviceIds { get; }

    /// <summary>Drives an output; false when no running output has that id.</summary>
    ValueTask<bool> SetAsync(string deviceId, bool active, CancellationToken cancellationToken);

    /// <summary>The output's logical level, or null when no running output has that id.</summary>
    bool? Get(string deviceId);
}
