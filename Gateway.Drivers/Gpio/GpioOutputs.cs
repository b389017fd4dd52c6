using System.Collections.Concurrent;

namespace Gateway.Drivers.Gpio;

/// <inheritdoc cref="IGpioOutputs"/>
internal sealed class GpioOutputs : IGpioOutputs
{
    private readonly ConcurrentDictionary<string, GpioOutputDriver> _running = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> DeviceIds => [.. _running.Keys];

    public void Add(GpioOutputDriver driver) => _running[driver.DeviceId] = driver;

    public void Remove(GpioOutputDriver driver) => _running.TryRemove(new KeyValuePair<string, GpioOutputDriver>(driver.DeviceId, driver));

    public async ValueTask<bool> SetAsync(string deviceId, bool active, CancellationToken cancellationToken)
    {
        if (!_running.TryGetValue(deviceId, out var driver))
        {
            return false;
        }
        await driver.SetAsync(active, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public bool? Get(string deviceId) => _running.TryGetValue(deviceId, out var driver) ? driver.Current : null;
}
