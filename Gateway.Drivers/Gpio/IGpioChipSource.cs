using System.Diagnostics.CodeAnalysis;

namespace Gateway.Drivers.Gpio;

/// <summary>
/// Chips that are not kernel character devices (the simulated chips of Gateway.Simulation behind
/// <c>sim:NAME</c>). The chip provider asks every registered source before it opens /dev, so the
/// product code needs no knowledge of what a source simulates.
/// </summary>
public interface IGpioChipSource
{
    bool TryOpen(string chip, [NotNullWhen(true)] out IGpioChip? opened);
}
