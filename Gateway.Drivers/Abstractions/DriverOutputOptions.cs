namespace Gateway.Drivers.Abstractions;

/// <summary>Size of the bounded hand-over between drivers and the store (the <see cref="IngestQueue"/>).</summary>
public sealed class DriverOutputOptions
{
    /// <summary>Readings held in memory between drivers and the store (about 80 bytes each).</summary>
    public int ReadingCapacity { get; set; } = 16_384;

    public int EventCapacity { get; set; } = 1_024;
}
