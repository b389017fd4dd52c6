using System.Threading.Channels;

namespace Gateway.Drivers.Gpio;

/// <summary>A requested input line; disposing releases it.</summary>
public interface IGpioInputLine : IDisposable
{
    int Line { get; }

    /// <summary>True when the kernel applied the requested debounce period itself.</summary>
    bool KernelDebounced { get; }

    /// <summary>The logical level now (true = active).</summary>
    bool Read();

    /// <summary>Edges in the order they happened; completes when the line is released.</summary>
    ChannelReader<GpioEdge> Edges { get; }
}
