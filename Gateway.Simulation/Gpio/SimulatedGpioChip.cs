using Gateway.Drivers.Gpio;
using System.Threading.Channels;

namespace Gateway.Simulation.Gpio;

/// <summary>
/// A GPIO chip in memory, behind the same interface as the kernel's, for tests and the demo. Tests
/// set physical input levels and inject edges with explicit timestamps (bounce storms included);
/// the chip applies active-low the way the kernel does and reports logical edges.
/// </summary>
public sealed class SimulatedGpioChip : IGpioChip
{
    /// <summary>Edges a requested line buffers before <see cref="InjectEdges"/> refuses more.</summary>
    public const int EdgeBufferSize = 65536;

    private readonly object _gate = new();
    private readonly Dictionary<int, bool> _physical = [];
    private readonly Dictionary<int, SimulatedInputLine> _inputs = [];
    private readonly Dictionary<int, SimulatedOutputLine> _outputs = [];

    public SimulatedGpioChip(string name) => Name = name;

    public string Name { get; }

    /// <summary>Sets a line's physical level without producing an edge (the level before a driver starts).</summary>
    public void SetPhysicalLevel(int line, bool high)
    {
        lock (_gate)
        {
            _physical[line] = high;
        }
    }

    /// <summary>The physical level of a line (what a meter would see on the pin).</summary>
    public bool PhysicalLevel(int line)
    {
        lock (_gate)
        {
            return _physical.GetValueOrDefault(line);
        }
    }

    /// <summary>True while a driver holds the line (as input or output).</summary>
    public bool IsRequested(int line)
    {
        lock (_gate)
        {
            return _inputs.ContainsKey(line) || _outputs.ContainsKey(line);
        }
    }

    /// <summary>
    /// Applies physical level changes at the given chip timestamps, all at once: a requested input
    /// line receives every one of them as an edge before its driver sees any.
    /// </summary>
    public void InjectEdges(int line, params ReadOnlySpan<(bool High, long TimestampNs)> edges)
    {
        lock (_gate)
        {
            _inputs.TryGetValue(line, out var input);
            foreach (var (high, timestamp) in edges)
            {
                _physical[line] = high;
                if (input is not null && !input.Writer.TryWrite(new GpioEdge(line, high ^ input.ActiveLow, timestamp)))
                {
                    throw new InvalidOperationException($"simulated line {Name}:{line} holds {EdgeBufferSize} unread edges");
                }
            }
        }
    }

    public IGpioInputLine RequestInput(GpioInputRequest request)
    {
        lock (_gate)
        {
            EnsureFree(request.Line);
            var line = new SimulatedInputLine(this, request.Line, request.ActiveLow);
            _inputs[request.Line] = line;
            return line;
        }
    }

    public IGpioOutputLine RequestOutput(int line, bool activeLow, bool initialActive, string consumer)
    {
        lock (_gate)
        {
            EnsureFree(line);
            var output = new SimulatedOutputLine(this, line, activeLow);
            _outputs[line] = output;
            _physical[line] = initialActive ^ activeLow;
            return output;
        }
    }

    private void EnsureFree(int line)
    {
        if (_inputs.ContainsKey(line) || _outputs.ContainsKey(line))
        {
            throw new IOException($"simulated line {Name}:{line} is busy");
        }
    }

    private sealed class SimulatedInputLine(SimulatedGpioChip chip, int line, bool activeLow) : IGpioInputLine
    {
        private readonly Channel<GpioEdge> _edges = Channel.CreateBounded<GpioEdge>(
            new BoundedChannelOptions(EdgeBufferSize) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        public int Line => line;

        public bool ActiveLow => activeLow;

        public bool KernelDebounced => false;

        public ChannelWriter<GpioEdge> Writer => _edges.Writer;

        public ChannelReader<GpioEdge> Edges => _edges.Reader;

        public bool Read() => chip.PhysicalLevel(line) ^ activeLow;

        public void Dispose()
        {
            lock (chip._gate)
            {
                chip._inputs.Remove(line);
            }
            _edges.Writer.TryComplete();
        }
    }

    private sealed class SimulatedOutputLine(SimulatedGpioChip chip, int line, bool activeLow) : IGpioOutputLine
    {
        public int Line => line;

        public void Write(bool active) => chip.SetPhysicalLevel(line, active ^ activeLow);

        public bool Read() => chip.PhysicalLevel(line) ^ activeLow;

        public void Dispose()
        {
            lock (chip._gate)
            {
                chip._outputs.Remove(line);
            }
        }
    }
}
