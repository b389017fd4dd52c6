using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Gateway.Drivers.I2c;

namespace Gateway.Simulation.I2c;

/// <summary>
/// Simulated I2C buses of this process by bus number. A configured <c>i2cBus</c> that has a
/// simulated bus registered here is served by it instead of /dev/i2c-N (tests and the demo).
/// </summary>
public sealed class SimulatedI2cBuses : II2cBusSource
{
    private readonly ConcurrentDictionary<int, SimulatedI2cBus> _buses = new();

    public SimulatedI2cBus GetOrAdd(int bus) => _buses.GetOrAdd(bus, n => new SimulatedI2cBus(n));

    public bool TryOpen(int bus, int address, [NotNullWhen(true)] out II2cDevice? device)
    {
        device = _buses.TryGetValue(bus, out var simulated) ? simulated.Open(address) : null;
        return device is not null;
    }
}
