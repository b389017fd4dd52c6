using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Gateway.Drivers.Sensors;

namespace Gateway.Simulation.Sensors;

/// <summary>
/// Simulated serial ports by name (<c>sim:NAME</c>): each is a factory for the stream a sensor
/// would send, e.g. <see cref="SimulatedSensorStream"/> for the demo or a pipe in a test.
/// </summary>
public sealed class SimulatedSerialPorts : ISerialPortSource
{
    public const string Prefix = "sim:";

    private readonly ConcurrentDictionary<string, Func<Stream>> _ports = new(StringComparer.Ordinal);

    public void Add(string name, Func<Stream> open) => _ports[name] = open;

    public Stream Open(string name) =>
        _ports.TryGetValue(name, out var open) ? open() : throw new IOException($"no simulated serial port '{name}'");

    /// <summary>Claims every <c>sim:NAME</c>; one nobody added fails to open like a missing tty.</summary>
    public bool TryOpen(string port, int baud, [NotNullWhen(true)] out Stream? stream)
    {
        stream = port.StartsWith(Prefix, StringComparison.Ordinal) ? Open(port[Prefix.Length..]) : null;
        return stream is not null;
    }
}
