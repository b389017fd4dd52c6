using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.I2c;

internal static partial class Log
{
    [LoggerMessage(2401, LogLevel.Information, "bme280 {Device}: ready on I2C bus {Bus} address 0x{Address:x2}")]
    public static partial void Bme280Ready(ILogger logger, string device, int bus, int address);

    [LoggerMessage(2402, LogLevel.Debug, "bme280 {Device}: measurement failed ({Reason}); will re-initialise")]
    public static partial void Bme280Failed(ILogger logger, string device, string reason);
}
