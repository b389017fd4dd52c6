using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Gpio;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Pole;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Gateway.Simulation.Gpio;
using Gateway.Simulation.Pole;

namespace Gateway.Tests.Drivers.Pole;

public sealed class PoleSensorsRegistrationTests
{
    [Fact]
    public async Task Demo_pole_runs_every_device_type_through_AddPoleSensors_and_leaves_outputs_safe()
    {
        using var state = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero));
        var sink = new CollectingDriverOutput();
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton<TimeProvider>(time)
            .AddIngestCollector(sink) // behind the shared queue that AddPoleSensors adds
            .AddPoleDemoHardware()
            .AddPoleSensors(o =>
            {
                o.StateDirectory = state.Path;
                o.Devices =
                [
                    .. PoleDemo.Devices(),
                    new() { Id = "water-1", Type = "modbus", Endpoint = "tcp://127.0.0.1:5020" },
                    new() { Id = "no-chip", Type = "gpio-input", Chip = "gpiochip99", Line = 1 }, // fails and is retried, alone
                ];
            });
        await using var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        bool Has(string device, string point) => sink.Readings.Any(r => r.Device == device && r.Point == point);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (!(Has("door-1", "state") && Has("pump-relay", "state") && Has("env-1", "temperature") && Has("pm-1", "pm2_5")
                && Has("gps-1", "latitude") && sink.Of("pulses").Any(r => r.Value.ExpectInt64() >= 3) && sink.Events.Any(e => e.Source == "door-1")
                && Has("pit-flood", "state") && sink.Events.Any(e => e.Source == "pit-flood")))
            {
                time.Advance(TimeSpan.FromMilliseconds(50));
                await Task.Delay(1, timeout.Token);
            }
        }

        Assert.DoesNotContain(sink.Readings, r => r.Device is "water-1" or "no-chip"); // modbus is not a pole sensor
        Assert.Equal(25.08, sink.Of("temperature")[0].Value.ExpectDouble(), 2);
        Assert.Equal("gpio.changed", sink.Events.First(e => e.Source == "door-1").Type);
        Assert.Equal("gpio.changed", sink.Events.First(e => e.Source == "pit-flood").Type); // the pit floods 40 s after start
        var chip = provider.GetRequiredService<SimulatedGpioChips>().GetOrAdd(PoleDemo.Chip);
        var outputs = provider.GetRequiredService<IGpioOutputs>();
        Assert.True(await outputs.SetAsync("pump-relay", true, CancellationToken.None));
        Assert.True(chip.PhysicalLevel(PoleDemo.RelayLine));

        foreach (var service in Enumerable.Reverse(hosted))
        {
            await service.StopAsync(CancellationToken.None);
        }
        Assert.False(chip.PhysicalLevel(PoleDemo.RelayLine)); // back in its safe state
        Assert.False(chip.IsRequested(PoleDemo.DoorLine));
        Assert.True(File.Exists(Path.Combine(state.Path, "water-pulse.pulses")));
    }

    [Fact]
    public async Task Pole_and_modbus_drivers_share_one_output_queue_and_time_fixes_default_to_nothing()
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddModbusDrivers(_ => { })
            .AddPoleSensors(_ => { });
        await using var provider = services.BuildServiceProvider();

        var output = Assert.Single(provider.GetServices<IDriverOutput>());
        var queue = Assert.Single(provider.GetServices<IngestQueue>());
        var reading = new Reading("m", "p", ReadingValue.FromInt64(7), null, ReadingQuality.Good, null, DateTimeOffset.UnixEpoch, 1);
        await output.PublishAsync(reading, CancellationToken.None);
        Assert.True(queue.Reader.TryRead(out var queued)); // straight into the one queue the store drains: no pump between
        Assert.Equal(reading, queued.Reading);
        Assert.DoesNotContain(provider.GetServices<IHostedService>(), s => s.GetType().Namespace == typeof(IDriverOutput).Namespace);
        var timeFixes = Assert.Single(provider.GetServices<ITimeFixSink>());
        Assert.IsType<NullTimeFixSink>(timeFixes);
        await timeFixes.TimeFixAsync(new PoleTimeFix("gps-1", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 0), CancellationToken.None);
    }

    [Fact]
    public async Task A_time_fix_sink_registered_by_the_host_replaces_the_default()
    {
        var host = new CollectingDriverOutput();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<ITimeFixSink>(host)
            .AddPoleSensors(_ => { });
        await using var provider = services.BuildServiceProvider();
        Assert.Same(host, provider.GetRequiredService<ITimeFixSink>());
    }
}
