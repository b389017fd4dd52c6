using System.Globalization;

namespace Gateway.Tests.Drivers.Modbus.Protocol;

internal static class Hex
{
    /// <summary>"01 03 0A" → bytes.</summary>
    public static byte[] Parse(string text) =>
        [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(h => byte.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture))];
}
