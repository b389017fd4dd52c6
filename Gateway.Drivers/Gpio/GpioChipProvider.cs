using System.Collections.Concurrent;

namespace Gateway.Drivers.Gpio;

/// <inheritdoc cref="IGpioChipProvider"/>
internal sealed class GpioChipProvider(SimulatedGpioChips simulated) : IGpioChipProvider, IDisposable
{
    private const string SimulatedPrefix = "sim:";
    private readonly ConcurrentDictionary<string, IGpioChip> _kernelChips = new(StringComparer.Ordinal);

    public IGpioChip Open(string chip)
    {
        if (chip.StartsWith(SimulatedPrefix, StringComparison.Ordinal))
        {
            return simulated.GetOrAdd(chip[SimulatedPrefix.Length..]);
        }
        var path = chip.StartsWith('/') ? chip : "/dev/" + chip;
        return _kernelChips.GetOrAdd(path, p => new LinuxGpioChip(p));
    }

    public void Dispose()
    {
        foreach (var chip in _kernelChips.Values)
        {
            (chip as IDisposable)?.Dispose();
        }
        _kernelChips.Clear();
    }
}
