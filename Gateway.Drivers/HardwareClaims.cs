namespace Gateway.Drivers;

/// <summary>
/// The one rule for hardware that only one device may hold (a GPIO line, an I2C address, a serial
/// port): resources are named by a single normalisation, so that two spellings of the same thing
/// (<c>gpiochip0</c> and <c>/dev/gpiochip0</c>) collide. Used by the pole sensors, the Modbus buses
/// and the Host's check across both.
/// </summary>
public sealed class HardwareClaims
{
    private readonly Dictionary<string, string> _owners = new(StringComparer.Ordinal);

    /// <summary>Records <paramref name="owner"/> as the holder; returns the earlier holder instead when there is one.</summary>
    public string? Claim(string resource, string owner) => _owners.TryAdd(resource, owner) ? null : _owners[resource];

    /// <summary>The holder of a resource, without claiming it.</summary>
    public string? OwnerOf(string resource) => _owners.GetValueOrDefault(resource);

    /// <summary>A GPIO line; the character device's directory is dropped (<c>/dev/gpiochip0</c> is <c>gpiochip0</c>).</summary>
    public static string GpioLine(string chip, int line) =>
        $"gpio {(chip.StartsWith("/dev/", StringComparison.Ordinal) ? chip["/dev/".Length..] : chip)}:{line}";

    /// <summary>A serial port by its absolute path, so that <c>/dev//ttyS1</c> and <c>/dev/./ttyS1</c> are <c>/dev/ttyS1</c>.</summary>
    public static string SerialPort(string port) => "serial " + Path.GetFullPath(port);

    public static string I2cAddress(int bus, int address) => $"i2c {bus}:{address}";
}
