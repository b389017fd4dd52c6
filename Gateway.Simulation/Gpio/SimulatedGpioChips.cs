using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Gateway.Drivers.Gpio;

namespace Gateway.Simulation.Gpio;

/// <summary>
/// The simulated chips of this process by name (<c>sim:NAME</c> in the configuration), so tests and
/// the demo can reach the chip a driver uses and inject edges into it.
/// </summary>
public sealed class SimulatedGpioChips : IGpioChipSource
{
    public const string Prefix = "sim:";

    private readonly ConcurrentDictionary<string, SimulatedGpioChip> _chips = new(StringComparer.Ordinal);

    public SimulatedGpioChip GetOrAdd(string name) => _chips.GetOrAdd(name, n => new SimulatedGpioChip(n));

    /// <summary>Any <c>sim:NAME</c> is a chip: one the demo or a test has not prepared starts empty, as before it had an owner.</summary>
    public bool TryOpen(string chip, [NotNullWhen(true)] out IGpioChip? opened)
    {
        opened = chip.StartsWith(Prefix, StringComparison.Ordinal) ? GetOrAdd(chip[Prefix.Length..]) : null;
        return opened is not null;
    }
}
