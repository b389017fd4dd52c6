namespace Gateway.Drivers.Pole;

/// <summary>Settings of the pole sensor drivers that are not per device.</summary>
public sealed class PoleSensorsOptions
{
    /// <summary>
    /// Directory for the pulse counters' crash-safe journals (one file per gpio-counter device).
    /// The Host should put it next to the store (e.g. the directory of <c>storage.path</c>).
    /// </summary>
    public string StateDirectory { get; set; } = "data/pole-state";

    /// <summary>
    /// The configured devices; those of the pole types (gpio-input, gpio-counter, gpio-output,
    /// bme280, pms5003, nmea) get a driver, others (modbus) are left to their own drivers.
    /// </summary>
    public IList<DeviceOptions> Devices { get; set; } = [];
}
