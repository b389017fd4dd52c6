using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Gateway.Drivers.I2c;

/// <summary>
/// Simulated I2C buses of this process by bus number. A configured <c>i2cBus</c> that has a
/// simulated bus registered here is served by it instead of /dev/i2c-N (tests and the demo).
/// </summary>
public sealed class SimulatedI2cBuses
{
    private readonly ConcurrentDictionary<int, SimulatedI2cBus> _buses = new();

    public SimulatedI2cBus GetOrAdd(int bus) => _buses.GetOrAdd(bus, n => new SimulatedI2cBus(n));

    public bool TryGet(int bus, [NotNullWhen(true)] out SimulatedI2cBus? simulated) => _buses.TryGetValue(bus, out simulated);
}
