using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Pole;
using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.I2c.Bme280;

/// <summary>
/// bme280 (SPEC section 4): reports <c>temperature</c> (°C), <c>pressure</c> (hPa) and
/// <c>humidity</c> (%RH) every <c>pollMs</c> (default 60 s). A failed or skipped measurement
/// becomes bad-quality readings with the reason, and the chip is re-initialised next time.
/// </summary>
internal sealed class Bme280Driver(DeviceOptions device, II2cBusProvider buses, IDriverOutput output, TimeProvider time, ILogger logger) : IPoleDriver
{
    public string DeviceId => device.Id;

    public DeviceHealthTracker Health { get; } = new(device.Id, output, time, logger);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromMilliseconds(device.PollMs ?? 60_000);
        using var target = buses.Open(device.I2cBus!.Value, device.Address);
        var sensor = new Bme280Sensor(target, time);
        while (!cancellationToken.IsCancellationRequested)
        {
            await MeasureOnceAsync(sensor, target, cancellationToken).ConfigureAwait(false);
            await Task.Delay(period, time, cancellationToken).ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async Task MeasureOnceAsync(Bme280Sensor sensor, II2cDevice target, CancellationToken cancellationToken)
    {
        Bme280Measurement? measurement;
        string? reason;
        var started = time.GetTimestamp();
        try
        {
            if (!sensor.IsInitialized)
            {
                await sensor.InitializeAsync(cancellationToken).ConfigureAwait(false);
                Log.Bme280Ready(logger, device.Id, target.Bus, target.Address);
            }
            measurement = await sensor.MeasureAsync(cancellationToken).ConfigureAwait(false);
            reason = measurement is null ? "measurement skipped by the sensor" : null;
        }
        catch (IOException e)
        {
            Log.Bme280Failed(logger, device.Id, e.Message);
            sensor.Forget();
            measurement = null;
            reason = e.Message;
            await Health.OfflineAsync(DeviceFaultReason.Describe(e), cancellationToken).ConfigureAwait(false);
        }
        output.PollCompleted(device.Id, time.GetElapsedTime(started), measurement is not null);
        if (measurement is not null)
        {
            await Health.OnlineAsync(cancellationToken).ConfigureAwait(false);
        }
        var at = time.GetUtcNow();
        var stamp = time.GetTimestamp();
        var quality = measurement is null ? ReadingQuality.Bad : ReadingQuality.Good;
        var m = measurement.GetValueOrDefault();
        await output.PublishAsync(new Reading(device.Id, "temperature", ValueOf(measurement is null, m.TemperatureCelsius), "°C", quality, reason, at, stamp), cancellationToken).ConfigureAwait(false);
        await output.PublishAsync(new Reading(device.Id, "pressure", ValueOf(measurement is null, m.PressureHectopascal), "hPa", quality, reason, at, stamp), cancellationToken).ConfigureAwait(false);
        await output.PublishAsync(new Reading(device.Id, "humidity", ValueOf(measurement is null, m.HumidityPercent), "%RH", quality, reason, at, stamp), cancellationToken).ConfigureAwait(false);
    }

    private static ReadingValue ValueOf(bool failed, double value) => failed ? ReadingValue.None : ReadingValue.FromDouble(value);
}
