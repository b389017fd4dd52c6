using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Drivers.Pole;

/// <summary>
/// Checks at start what the configuration schema cannot: two pole devices claiming the same GPIO
/// line, I2C address or serial port (the second would fail forever at runtime), and the keys each
/// device type needs when options are built in code rather than from a validated file. The Host's
/// <c>check-config</c> runs the same rules through <see cref="Problems"/>.
/// </summary>
public sealed class PoleSensorsOptionsValidator : IValidateOptions<PoleSensorsOptions>
{
    public ValidateOptionsResult Validate(string? name, PoleSensorsOptions options) => OptionsProblems.ToResult(Problems(options));

    /// <summary>Every problem, with the configuration path of the key at fault.</summary>
    public static IReadOnlyList<(string Path, string Message)> Problems(PoleSensorsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<(string, string)>();
        if (string.IsNullOrWhiteSpace(options.StateDirectory))
        {
            problems.Add(("", "pole sensors: a state directory for the pulse counters is required"));
        }
        var claims = new HardwareClaims();
        for (var i = 0; i < options.Devices.Count; i++)
        {
            var device = options.Devices[i];
            if (!PoleDriverFactory.Types.Contains(device.Type))
            {
                continue;
            }
            var path = $"devices[{i}]";
            if (MissingKey(device) is { } missing)
            {
                problems.Add(($"{path}.{missing}", $"required for a {device.Type} device"));
                continue;
            }
            switch (device.Type)
            {
                case "bme280" when claims.Claim(HardwareClaims.I2cAddress(device.I2cBus!.Value, device.Address), path) is { } first:
                    problems.Add(($"{path}.address", $"I2C bus {device.I2cBus} address 0x{device.Address:x2} is already used by {first}"));
                    break;
                case "pms5003" or "nmea" when claims.Claim(HardwareClaims.SerialPort(device.Port!), path) is { } first:
                    problems.Add(($"{path}.port", $"serial port '{device.Port}' is already used by {first}"));
                    break;
                case "gpio-input" or "gpio-counter" or "gpio-output" when claims.Claim(HardwareClaims.GpioLine(device.Chip!, device.Line!.Value), path) is { } first:
                    problems.Add(($"{path}.line", $"GPIO line {device.Line} of {device.Chip} is already used by {first}"));
                    break;
            }
        }
        return problems;
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
}
