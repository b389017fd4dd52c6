using System.Text.Json.Nodes;
using Gateway.Drivers.Abstractions;
using Gateway.Simulation.Modbus;

namespace Gateway.Host.Cli;

/// <summary>
/// The demo's simulated Modbus meters, outside the gateway as real meters are: the gas meter as a
/// Modbus TCP server on a free loopback port, the water meter as an RTU slave on a pty whose
/// /dev/pts/N the gateway opens as its RS-485 bus. Each is pointed at from the written configuration.
/// </summary>
internal sealed class DemoPeers : IAsyncDisposable
{
    public const string GasMeterId = "gas-1";
    public const string WaterMeterBusId = "rs485-demo";

    private readonly SimulatedModbusServer _gasMeter;
    private readonly PtyModbusRtuSlave? _waterMeter;

    private DemoPeers(SimulatedModbusServer gasMeter, PtyModbusRtuSlave? waterMeter)
    {
        _gasMeter = gasMeter;
        _waterMeter = waterMeter;
    }

    /// <summary>Starts both meters; a pty that cannot be had leaves the water meter's bus unserved (it shows offline with its reason).</summary>
    public static DemoPeers Start(Action<string> report)
    {
        var gas = new SimulatedModbusServer(new SimulatedModbusOptions { Registers = new GasMeterRegisters(TimeProvider.System) });
        report($"simulated gas meter (Modbus TCP) on 127.0.0.1:{gas.Port}");
        PtyModbusRtuSlave? water = null;
        try
        {
            water = new PtyModbusRtuSlave(new WaterMeterRegisters(TimeProvider.System), unitId: 1, baud: 9600);
            report($"simulated water meter (Modbus RTU, 9600 8N1) on {water.SlavePath}");
        }
        catch (DeviceIOException e)
        {
            report($"no pseudo-terminal for the simulated water meter ({e.Message}): water-1 will show offline");
        }
        return new DemoPeers(gas, water);
    }

    /// <summary>Points the configuration's gas meter and water meter bus at these simulations.</summary>
    public void Apply(JsonObject root)
    {
        root["devices"]!.AsArray().Single(d => d!["id"]!.GetValue<string>() == GasMeterId)!["endpoint"] = $"tcp://127.0.0.1:{_gasMeter.Port}";
        if (_waterMeter is not null)
        {
            root["buses"]!.AsArray().Single(b => b!["id"]!.GetValue<string>() == WaterMeterBusId)!["port"] = _waterMeter.SlavePath;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _waterMeter?.Dispose();
        await _gasMeter.DisposeAsync().ConfigureAwait(false);
    }
}
