using System.Collections.Concurrent;

namespace Gateway.Drivers.Gpio;

/// <inheritdoc cref="IGpioChipProvider"/>
internal sealed class GpioChipProvider(IEnumerable<IGpioChipSource> sources) : IGpioChipProvider, IDisposable
{
    private readonly ConcurrentDictionary<string, IGpioChip> _kernelChips = new(StringComparer.Ordinal);

    public IGpioChip Open(string chip)
    {
        foreach (var source in sources)
        {
            if (source.TryOpen(chip, out var opened))
            {
                return opened;
            }
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
