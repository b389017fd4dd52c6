using Gateway.Drivers;
using Gateway.Drivers.I2c;
using Gateway.Drivers.I2c.Bme280;
using Gateway.Drivers.Abstractions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Gateway.Simulation.I2c;

namespace Gateway.Tests.Drivers.I2c;

public sealed class Bme280DriverTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero));
    private readonly SimulatedI2cBuses _buses = new();
    private readonly CollectingDriverOutput _sink = new();

    private Bme280Driver Driver(int address = 0x76) =>
        new(new DeviceOptions { Id = "env-1", Type = "bme280", I2cBus = 1, Address = address, PollMs = 60_000 }, new I2cBusProvider([_buses]), _sink, _time, NullLogger.Instance);

    /// <summary>Moves simulated time in small steps until the sink has <paramref name="readings"/> readings.</summary>
    private async Task AdvanceUntilAsync(int readings)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (_sink.Readings.Length < readings)
        {
            _time.Advance(TimeSpan.FromMilliseconds(5));
            await Task.Delay(1, timeout.Token);
        }
    }

    [Fact]
    public async Task Reports_compensated_values_from_the_simulated_bus_every_poll()
    {
        var chip = new SimulatedBme280();
        _buses.GetOrAdd(1).Attach(0x76, chip);
        using var cts = new CancellationTokenSource();
        var run = Driver().RunAsync(cts.Token);

        await AdvanceUntilAsync(3);
        Assert.Equal(25.08, _sink.Of("temperature")[0].Value.ExpectDouble(), 2);
        Assert.Equal(ReadingValue.FromDouble(1006.533), _sink.Of("pressure")[0].Value); // 100653.254 Pa, rounded to 0.1 Pa
        Assert.InRange(_sink.Of("humidity")[0].Value.ExpectDouble(), 1, 99);
        Assert.All(_sink.Readings, r => Assert.Equal(ReadingQuality.Good, r.Quality));
        Assert.Equal(["°C", "hPa", "%RH"], _sink.Readings.Select(r => r.Unit));
        Assert.Equal(1, chip.ForcedMeasurements);
        Assert.Equal(0x01, chip.Peek(0xF2)); // humidity oversampling ×1

        chip.SetRaw(adcT: 530000, adcP: 415148, adcH: 30000);
        _time.Advance(TimeSpan.FromSeconds(60));
        await AdvanceUntilAsync(6);
        Assert.Equal(2, chip.ForcedMeasurements);
        Assert.True(_sink.Of("temperature")[1].Value.ExpectDouble() > 25.08);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task Missing_chip_gives_bad_readings_and_is_picked_up_once_it_answers()
    {
        _buses.GetOrAdd(1);
        using var cts = new CancellationTokenSource();
        var run = Driver(0x77).RunAsync(cts.Token);

        await AdvanceUntilAsync(3);
        Assert.All(_sink.Readings, r =>
        {
            Assert.Equal(ReadingQuality.Bad, r.Quality);
            Assert.Equal(ReadingValue.None, r.Value);
            Assert.Contains("NACK", r.Reason, StringComparison.Ordinal);
        });

        _buses.GetOrAdd(1).Attach(0x77, new SimulatedBme280());
        _time.Advance(TimeSpan.FromSeconds(60));
        await AdvanceUntilAsync(6);
        Assert.Equal(ReadingQuality.Good, _sink.Of("temperature")[1].Quality);
        Assert.Equal(25.08, _sink.Of("temperature")[1].Value.ExpectDouble(), 2);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task A_chip_that_is_not_a_bme280_is_refused()
    {
        var other = new SimulatedRegisterTarget();
        other.Load(0xD0, [0x58]); // a BMP280: no humidity
        _buses.GetOrAdd(1).Attach(0x76, other);
        using var cts = new CancellationTokenSource();
        var run = Driver().RunAsync(cts.Token);

        await AdvanceUntilAsync(3);
        Assert.All(_sink.Readings, r => Assert.Equal(ReadingQuality.Bad, r.Quality));
        Assert.Contains("0x58", _sink.Readings[0].Reason, StringComparison.Ordinal);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }
}
