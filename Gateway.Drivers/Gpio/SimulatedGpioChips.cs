using System.Collections.Concurrent;

namespace Gateway.Drivers.Gpio;

/// <summary>
/// The simulated chips of this process by name (<c>sim:NAME</c> in the configuration), so tests and
/// the demo can reach the chip a driver uses and inject edges into it.
/// </summary>
public sealed class SimulatedGpioChips
{
    private readonly ConcurrentDictionary<string, SimulatedGpioChip> _chips = new(StringComparer.Ordinal);

    public SimulatedGpioChip GetOrAdd(string name) => _chips.GetOrAdd(name, n => new SimulatedGpioChip(n));
}
