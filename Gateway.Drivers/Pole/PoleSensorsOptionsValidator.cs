using Microsoft.Extensions.Options;

namespace Gateway.Drivers.Pole;

/// <summary>
/// Checks at start what the configuration schema cannot: two pole devices claiming the same GPIO
/// line, I2C address or serial port (the second would fail forever at runtime), and the keys each
/// device type needs when options are built in code rather than from a validated file.
/// </summary>
internal sealed class PoleSensorsOptionsValidator : IValidateOptions<PoleSensorsOptions>
{
    public ValidateOptionsResult Validate(string? name, PoleSensorsOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.StateDirectory))
        {
            failures.Add("pole sensors: a state directory for the pulse counters is required");
        }
        var claimed = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < options.Devices.Count; i++)
        {
            var device = options.Devices[i];
            if (!PoleDriverFactory.Types.Contains(device.Type))
            {
                continue;
            }
            var missing = MissingKey(device);
            if (missing is not null)
            {
                failures.Add($"devices[{i}].{missing}: required for a {device.Type} device");
                continue;
            }
            var (resource, key) = Resource(device);
            if (!claimed.TryAdd(resource, i))
            {
                var first = claimed[resource];
                failures.Add($"devices[{i}].{key}: {resource} is already used by devices[{first}] ('{options.Devices[first].Id}')");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string? MissingKey(DeviceOptions device) => device.Type switch
    {
        "gpio-input" or "gpio-counter" or "gpio-output" when string.IsNullOrEmpty(device.Chip) => "chip",
        "gpio-input" or "gpio-counter" or "gpio-output" when device.Line is null => "line",
        "gpio-counter" when device.UnitsPerPulse is not > 0 => "unitsPerPulse",
        "gpio-output" when device.SafeState is null => "safeState",
        "bme280" when device.I2cBus is null => "i2cBus",
        "pms5003" or "nmea" when string.IsNullOrEmpty(device.Port) => "port",
        _ => null,
    };

    private static (string Resource, string Key) Resource(DeviceOptions device) => device.Type switch
    {
        "bme280" => ($"I2C bus {device.I2cBus} address 0x{device.Address:x2}", "address"),
        "pms5003" or "nmea" => ($"serial port {device.Port}", "port"),
        _ => ($"GPIO {NormalizeChip(device.Chip!)} line {device.Line}", "line"),
    };

    /// <summary><c>gpiochip0</c> and <c>/dev/gpiochip0</c> are the same chip.</summary>
    private static string NormalizeChip(string chip) =>
        chip.StartsWith("gpiochip", StringComparison.Ordinal) ? "/dev/" + chip : chip;
}
