using Gateway.Drivers.Abstractions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Drivers.Pole;

/// <summary>
/// Runs one loop per configured pole device until the host stops. A loop that fails is logged
/// and restarted after a back-off (1 s doubling to 60 s, reset after a minute of good running),
/// so a missing chip, bus or port is retried rather than taking the gateway down. The first
/// failure of a streak is reported to the platform as <c>device.offline</c> with its specific cause
/// (<see cref="DeviceFaultReason"/>) and logged once; the driver reports <c>device.online</c> when it works again.
/// </summary>
internal sealed class PoleSensorService(
    IOptions<PoleSensorsOptions> options,
    PoleDriverFactory factory,
    TimeProvider time,
    ILogger<PoleSensorService> logger) : BackgroundService
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var drivers = options.Value.Devices
            .Select(d => factory.Create(d, options.Value.StateDirectory))
            .OfType<IPoleDriver>()
            .ToList();
        Log.Started(logger, drivers.Count);
        return Task.WhenAll(drivers.Select(d => SuperviseAsync(d, stoppingToken)));
    }

    private async Task SuperviseAsync(IPoleDriver driver, CancellationToken stoppingToken)
    {
        await Task.Yield();
        var backoff = FirstBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = time.GetTimestamp();
            try
            {
                await driver.RunAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // one device's failure, whatever it is, must not stop the others
            catch (Exception e)
#pragma warning restore CA1031
            {
                if (time.GetElapsedTime(started) > MaxBackoff)
                {
                    backoff = FirstBackoff;
                }
                var reason = DeviceFaultReason.Describe(e);
                if (IsDeviceFault(e))
                {
                    Log.DriverFailed(logger, driver.DeviceId, reason, backoff);
                }
                else
                {
                    Log.DriverCrashed(logger, driver.DeviceId, backoff, e);
                }
                try
                {
                    await driver.Health.OfflineAsync(reason, stoppingToken).ConfigureAwait(false);
                    await Task.Delay(backoff, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    /// <summary>The device or its connection failed, as devices do: its reason says it all, no stack trace needed.</summary>
    private static bool IsDeviceFault(Exception e) => e is IOException or UnauthorizedAccessException or TimeoutException or System.Net.Sockets.SocketException;
}
