using System.Collections.Concurrent;

namespace Gateway.Drivers.Sensors;

/// <summary>
/// Simulated serial ports by name (<c>sim:NAME</c>): each is a factory for the stream a sensor
/// would send, e.g. <see cref="SimulatedSensorStream"/> for the demo or a pipe in a test.
/// </summary>
public sealed class SimulatedSerialPorts
{
    private readonly ConcurrentDictionary<string, Func<Stream>> _ports = new(StringComparer.Ordinal);

    public void Add(string name, Func<Stream> open) => _ports[name] = open;

    public Stream Open(string name) =>
        _ports.TryGetValue(name, out var open) ? open() : throw new IOException($"no simulated serial port '{name}'");
}
