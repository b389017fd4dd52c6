using Gateway.Drivers;
using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Gpio;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Gateway.Simulation.Gpio;

namespace Gateway.Tests.Drivers.Gpio;

public sealed class GpioDriverTests
{
    private const long Ms = 1_000_000;
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 6, 0, 0, TimeSpan.Zero);

    private readonly FakeBootClock _time = new(Start);
    private readonly SimulatedGpioChips _chips = new();
    private readonly CollectingDriverOutput _sink = new();

    private GpioChipProvider Provider => new([_chips]);

    private long NowNs => _time.GetTimestamp() * 100; // timestamps are 100 ns ticks since the start

    private static DeviceOptions Device(string id, string type, int line, Action<DeviceOptions>? configure = null)
    {
        var device = new DeviceOptions { Id = id, Type = type, Chip = "sim:pole", Line = line };
        configure?.Invoke(device);
        return device;
    }

    [Fact]
    public async Task Input_reports_its_initial_state_then_one_debounced_change_per_bounce_storm()
    {
        var chip = _chips.GetOrAdd("pole");
        chip.SetPhysicalLevel(17, high: true); // active-low door contact: high = closed = inactive
        var driver = new GpioInputDriver(Device("door-1", "gpio-input", 17, d => { d.ActiveLow = true; d.DebounceMs = 50; }), Provider, _sink, _time, NullLogger.Instance);
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(cts.Token);
        await _sink.WaitUntilAsync(s => s.Of("state").Length == 1);
        Assert.Equal(ReadingValue.FromBoolean(false), _sink.Of("state")[0].Value);

        // The door opens: the contact bounces 12 times within 3 ms, then stays low (active).
        var t0 = NowNs + (10 * Ms);
        var storm = Enumerable.Range(0, 13).Select(i => (High: i % 2 == 1, At: t0 + (i * 250_000L))).ToArray();
        chip.InjectEdges(17, storm);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        await _sink.WaitUntilAsync(s => s.Events.Length == 1);

        Assert.Equal([ReadingValue.FromBoolean(false), ReadingValue.FromBoolean(true)], _sink.Of("state").Select(r => r.Value));
        var changed = Assert.Single(_sink.Events);
        Assert.Equal("gpio.changed", changed.Type);
        Assert.Equal("door-1", changed.Source);
        Assert.Equal(true, changed.Data["state"]);
        Assert.Equal(17, changed.Data["line"]);
        // Dated at the storm's first edge, not when the debounce confirmed it.
        Assert.Equal(Start + TimeSpan.FromMilliseconds(10), changed.OccurredAt);
        Assert.Equal(Start + TimeSpan.FromMilliseconds(10), _sink.Of("state")[1].MeasuredAt);

        // A 20 ms glitch (shorter than the debounce) is ignored; a real close is reported.
        var t1 = NowNs + (10 * Ms);
        chip.InjectEdges(17, (true, t1), (false, t1 + (20 * Ms)), (true, t1 + (500 * Ms)));
        _time.Advance(TimeSpan.FromSeconds(1));
        await _sink.WaitUntilAsync(s => s.Events.Length == 2);
        Assert.Equal([ReadingValue.FromBoolean(false), ReadingValue.FromBoolean(true), ReadingValue.FromBoolean(false)], _sink.Of("state").Select(r => r.Value));
        Assert.Equal(Start + TimeSpan.FromMilliseconds(200 + 10 + 500), _sink.Events[1].OccurredAt);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.False(chip.IsRequested(17));
    }

    /// <summary>One meter pulse: a bouncy rising edge, 30 ms high, a bouncy falling edge, 30 ms low.</summary>
    private static IEnumerable<(bool High, long At)> Pulse(long at)
    {
        yield return (true, at);
        yield return (false, at + 200_000);
        yield return (true, at + 400_000);
        yield return (false, at + (30 * Ms));
        yield return (true, at + (30 * Ms) + 300_000);
        yield return (false, at + (30 * Ms) + 600_000);
    }

    private static (bool, long)[] Pulses(long from, int count) =>
        Enumerable.Range(0, count).SelectMany(i => Pulse(from + (i * 60 * Ms))).ToArray();

    [Fact]
    public async Task Counter_counts_bouncy_pulses_and_resumes_its_total_after_a_restart()
    {
        using var state = new TempDirectory();
        var chip = _chips.GetOrAdd("pole");
        var device = Device("gas-pulse", "gpio-counter", 27, d => { d.UnitsPerPulse = 0.01; d.Unit = "m3"; d.DebounceMs = 5; d.PollMs = 10_000; });

        using (var cts = new CancellationTokenSource())
        {
            var first = new GpioCounterDriver(device, Provider, _sink, _time, NullLogger.Instance, state.Path);
            var run = first.RunAsync(cts.Token);
            await _sink.WaitUntilAsync(s => s.Of("pulses").Length == 1);
            Assert.Equal(ReadingValue.FromInt64(0), _sink.Of("pulses")[0].Value);

            await PulseAndExpectReportAsync(chip, pulses: 12, report: 2, expectedTotal: 12);
            Assert.Equal("m3", _sink.Of("total")[1].Unit);

            // Three more pulses arrive, and the gateway stops in the middle of the third one
            // (its rising edge is not yet confirmed when the process goes down).
            var partial = Pulses(NowNs + Ms, 2).Concat([(true, NowNs + Ms + (120 * Ms))]).ToArray();
            chip.InjectEdges(27, partial);
            _time.Advance(TimeSpan.FromMilliseconds(121));
            await WaitForAsync(() => first.Pulses == 14);
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        }

        using (var reopened = PulseCounterJournal.Open(GpioCounterDriver.JournalPath(state.Path, "gas-pulse")))
        {
            Assert.Equal(14, reopened.Total);
        }

        chip.SetPhysicalLevel(27, high: false);
        using (var cts = new CancellationTokenSource())
        {
            var second = new GpioCounterDriver(device, Provider, _sink, _time, NullLogger.Instance, state.Path);
            var run = second.RunAsync(cts.Token);
            await _sink.WaitUntilAsync(s => s.Of("pulses").Length == 3);
            Assert.Equal(ReadingValue.FromInt64(14), _sink.Of("pulses")[2].Value);

            await PulseAndExpectReportAsync(chip, pulses: 5, report: 4, expectedTotal: 19);
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        }
    }

    [Fact]
    public async Task Counter_survives_edge_storms_larger_than_one_batch()
    {
        using var state = new TempDirectory();
        var chip = _chips.GetOrAdd("pole");
        var device = Device("flow", "gpio-counter", 27, d => { d.UnitsPerPulse = 0.01; d.DebounceMs = 5; d.PollMs = 60_000; });
        var driver = new GpioCounterDriver(device, Provider, _sink, _time, NullLogger.Instance, state.Path);
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(cts.Token);
        await _sink.WaitUntilAsync(s => s.Of("pulses").Length == 1);

        // 5001 edges 10 µs apart (a chattering contact), ending high: one pulse, not thousands.
        var t0 = NowNs + Ms;
        chip.InjectEdges(27, [.. Enumerable.Range(0, 5001).Select(i => (i % 2 == 0, t0 + (i * 10_000L)))]);
        // Then 1500 clean pulses, 3000 edges 10 ms apart, in the same queue.
        var t1 = t0 + (100 * Ms);
        chip.InjectEdges(27, [.. Enumerable.Range(0, 3000).Select(i => (i % 2 == 1, t1 + (i * 10 * Ms)))]);
        _time.Advance(TimeSpan.FromSeconds(60));

        await WaitForAsync(() => driver.Pulses == 1501);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        using var journal = PulseCounterJournal.Open(GpioCounterDriver.JournalPath(state.Path, "flow"));
        Assert.Equal(1501, journal.Total);
    }

    /// <summary>Injects bouncy pulses, lets a report period pass and checks the report's pulses and total (0.01 m3 each).</summary>
    private async Task PulseAndExpectReportAsync(SimulatedGpioChip chip, int pulses, int report, long expectedTotal)
    {
        chip.InjectEdges(27, Pulses(NowNs + Ms, pulses));
        _time.Advance(TimeSpan.FromSeconds(10));
        await _sink.WaitUntilAsync(s => s.Of("pulses").Length == report);
        Assert.Equal(ReadingValue.FromInt64(expectedTotal), _sink.Of("pulses")[report - 1].Value);
        Assert.Equal(ReadingValue.FromDouble(expectedTotal / 100.0), _sink.Of("total")[report - 1].Value); // exact: no binary rounding residue
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task Output_is_in_its_safe_state_from_start_and_again_at_shutdown(bool activeLow, bool safeState)
    {
        var chip = _chips.GetOrAdd("pole");
        chip.SetPhysicalLevel(22, !(safeState ^ activeLow)); // whatever the pin did before: the opposite
        var outputs = new GpioOutputs();
        var driver = new GpioOutputDriver(Device("pump-relay", "gpio-output", 22, d => { d.ActiveLow = activeLow; d.SafeState = safeState; }), Provider, outputs, _sink, _time, NullLogger.Instance);
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(cts.Token);
        await _sink.WaitUntilAsync(s => s.Of("state").Length == 1);
        Assert.Equal(safeState ^ activeLow, chip.PhysicalLevel(22));
        Assert.Equal(ReadingValue.FromBoolean(safeState), _sink.Of("state")[0].Value);
        Assert.Equal(["pump-relay"], outputs.DeviceIds);

        Assert.True(await outputs.SetAsync("pump-relay", !safeState, CancellationToken.None));
        Assert.Equal(!safeState ^ activeLow, chip.PhysicalLevel(22));
        Assert.Equal(!safeState, outputs.Get("pump-relay"));
        Assert.Equal(ReadingValue.FromBoolean(!safeState), _sink.Of("state")[^1].Value);
        Assert.False(await outputs.SetAsync("no-such-output", true, CancellationToken.None));

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(safeState ^ activeLow, chip.PhysicalLevel(22));
        Assert.False(chip.IsRequested(22));
        Assert.Empty(outputs.DeviceIds);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, cts.Token);
        }
    }
}
