using Microsoft.Extensions.Hosting;

namespace Gateway.Drivers.Modbus.Polling;

/// <summary>Runs the Modbus driver for the host's lifetime.</summary>
internal sealed class ModbusDriverService(ModbusDriver driver) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => driver.RunAsync(stoppingToken);
}
