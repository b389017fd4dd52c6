using System.Text.Json.Serialization;

namespace Gateway.Drivers;

/// <summary>
/// One entry of the <c>devices</c> section. The keys a device may carry depend on its
/// <see cref="Type"/> (modbus, gpio-input, gpio-counter, gpio-output, bme280, pms5003, nmea);
/// the configuration schema enforces which.
/// </summary>
public sealed class DeviceOptions
{
    public string Id { get; set; } = "";

    public string Type { get; set; } = "";

    public int? PollMs { get; set; }

    // Modbus
    public string? Endpoint { get; set; }

    public string? Bus { get; set; }

    public int UnitId { get; set; } = 1;

    public int TimeoutMs { get; set; } = 1000;

    public int Retries { get; set; } = 1;

    public int MaxGap { get; set; } = 8;

    public string? Profile { get; set; }

    public IList<PointOptions> Points { get; set; } = [];

    /// <summary>
    /// How many of <see cref="Points"/> came from <see cref="Profile"/> (they come first): set by
    /// whoever merges the profile, so that a problem names the profile's point, not the device's.
    /// </summary>
    [JsonIgnore]
    public int ProfilePointCount { get; set; }

    // GPIO
    public string? Chip { get; set; }

    public int? Line { get; set; }

    public bool ActiveLow { get; set; }

    public string Bias { get; set; } = "as-is";

    public int? DebounceMs { get; set; }

    public double? UnitsPerPulse { get; set; }

    public string? Unit { get; set; }

    public bool? SafeState { get; set; }

    // I2C
    public int? I2cBus { get; set; }

    public int Address { get; set; } = 0x76;

    // Serial sensors
    public string? Port { get; set; }

    public int? Baud { get; set; }

    public bool TimeSource { get; set; }
}
