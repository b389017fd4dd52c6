using Gateway.Drivers.I2c;
using System.Collections.Concurrent;

namespace Gateway.Simulation.I2c;

/// <summary>An I2C bus in memory whose targets are register maps (see <see cref="SimulatedRegisterTarget"/>).</summary>
public sealed class SimulatedI2cBus(int number)
{
    private readonly ConcurrentDictionary<int, SimulatedRegisterTarget> _targets = new();

    public int Number => number;

    public void Attach(int address, SimulatedRegisterTarget target) => _targets[address] = target;

    public II2cDevice Open(int address) => new Device(this, address);

    private SimulatedRegisterTarget Target(int address) =>
        _targets.TryGetValue(address, out var target)
            ? target
            : throw new IOException($"simulated I2C bus {number}: no target answers at 0x{address:x2} (NACK)");

    private sealed class Device(SimulatedI2cBus bus, int address) : II2cDevice
    {
        public int Bus => bus.Number;

        public int Address => address;

        public void WriteRead(ReadOnlySpan<byte> write, Span<byte> read)
        {
            var target = bus.Target(address);
            target.Write(write);
            target.Read(read);
        }

        public void Write(ReadOnlySpan<byte> write) => bus.Target(address).Write(write);

        public void Dispose()
        {
        }
    }
}
