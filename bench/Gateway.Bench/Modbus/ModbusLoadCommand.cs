using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Gateway.Drivers;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Modbus.Polling;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gateway.Bench.Modbus;

/// <summary>
/// <c>modbus-load [devices] [seconds] [warmupSeconds]</c>: the gateway's Modbus driver polls N
/// simulated TCP meters × 30 points every second (SPEC load target: 500 × 30 = 15,000 points/s)
/// against <see cref="BenchMeter.Server"/> in a child process. Reports, over the measured
/// window: polls and missed polls, worst lateness of a poll start, readings/s, CPU % of one core
/// for the gateway and — the same-run reference — for the simulator, the gateway's RSS and the
/// managed bytes the whole gateway process allocated (timers, the main thread's wait included),
/// and per poll: CPU time (user + kernel), p50/p99 latency of its last read (see
/// <see cref="CountingDriverOutput"/>), bytes allocated. The last line, <c>modbus-load-result
/// key=value …</c>, is what <c>bench/modbus-ab.sh</c> parses to compare two builds.
/// <para>
/// <c>MODBUS_SIM_BENCH=/path/Gateway.Bench.dll</c> runs the simulator from another build, so that
/// two builds compared by that script poll the very same server code.
/// </para>
/// </summary>
public sealed class ModbusLoadCommand : IBenchCommand
{
    public string Name => "modbus-load";

    public string Description => "500 simulated Modbus TCP meters x 30 points every second: schedule, CPU, RSS (args: devices seconds warmup)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var devices = Arg(args, 0, 500);
        var seconds = Arg(args, 1, 60);
        var warmup = Arg(args, 2, 10);

        using var sim = StartSimulator(devices);
        var portsLine = await sim.StandardOutput.ReadLineAsync(cancellationToken) ?? throw new InvalidOperationException("simulator did not start");
        var ports = portsLine.Split(' ')[1..].Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();

        var options = new ModbusDriverOptions { Devices = [.. ports.Select((p, i) => BenchMeter.Device($"meter-{i:D3}", p))] };
        var output = new CountingDriverOutput(options.Devices.Select(d => d.Id), devices * (seconds + 5));
        await using var driver = new ModbusDriver(Options.Create(options), output, TimeProvider.System, NullLogger<ModbusDriver>.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = driver.RunAsync(stop.Token);

        await Task.Delay(TimeSpan.FromSeconds(warmup), cancellationToken);
        var self = Process.GetCurrentProcess();
        output.Recording = true;
        var before = Snapshot(driver, output, self, sim);
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
        var after = Snapshot(driver, output, self, sim);
        output.Recording = false;
        var wall = clock.Elapsed.TotalSeconds;
        var status = driver.GetStatus();

        await stop.CancelAsync();
        await running;
        sim.StandardInput.Close();
        if (!sim.WaitForExit(5000))
        {
            sim.Kill(entireProcessTree: true);
        }

        var gatewayCpu = (after.GatewayCpu - before.GatewayCpu).TotalSeconds / wall * 100;
        var simCpu = (after.SimCpu - before.SimCpu).TotalSeconds / wall * 100;
        var polls = after.Polls - before.Polls;
        var expectedPolls = devices * wall;
        var readingsPerSecond = (after.Good - before.Good) / wall;
        var cpuPerPoll = (after.GatewayCpu - before.GatewayCpu).TotalMicroseconds / polls;
        var bytesPerPoll = (double)(after.Allocated - before.Allocated) / polls;
        var latencies = output.SortedLatencyTicks();
        var p50 = Percentile(latencies, 0.50);
        var p99 = Percentile(latencies, 0.99);
        Console.WriteLine($"modbus-load: {devices} devices x 30 points every 1 s, measured {wall:F1} s after {warmup} s warm-up");
        Console.WriteLine($"| metric | value |");
        Console.WriteLine($"| --- | --- |");
        Console.WriteLine($"| polls done / due | {polls} / {expectedPolls:F0} ({polls / expectedPolls * 100:F1} %) |");
        Console.WriteLine($"| missed poll slots (whole run) | {status.Sum(s => s.MissedPolls)} |");
        Console.WriteLine($"| worst poll start lateness (whole run, incl. warm-up) | {status.Max(s => s.MaxLateness).TotalMilliseconds:F1} ms |");
        Console.WriteLine($"| good readings/s | {readingsPerSecond:F0} (bad in window: {after.Bad - before.Bad}, events: {output.Events}) |");
        Console.WriteLine($"| gateway CPU, % of one core | {gatewayCpu:F1} % |");
        Console.WriteLine($"| simulator CPU (reference), % of one core | {simCpu:F1} % |");
        Console.WriteLine($"| gateway CPU / simulator CPU | {gatewayCpu / simCpu:F2} |");
        Console.WriteLine($"| gateway RSS now / peak | {after.Rss / 1048576.0:F0} MB / {self.PeakWorkingSet64 / 1048576.0:F0} MB |");
        Console.WriteLine($"| gateway GC heap / gen0 collections in window | {GC.GetTotalMemory(false) / 1048576.0:F0} MB / {after.Gen0 - before.Gen0} |");
        Console.WriteLine($"| gateway managed bytes allocated in window / per poll | {after.Allocated - before.Allocated} / {bytesPerPoll:F2} |");
        Console.WriteLine($"| gateway CPU per poll (user + kernel) | {cpuPerPoll:F1} µs |");
        Console.WriteLine($"| last-read latency p50 / p99 ({latencies.Length} polls) | {p50:F1} µs / {p99:F1} µs |");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"modbus-load-result polls={polls} cpu_us_per_poll={cpuPerPoll:F3} p50_us={p50:F1} p99_us={p99:F1} bytes_per_poll={bytesPerPoll:F2} gen0={after.Gen0 - before.Gen0} sim_cpu_pct={simCpu:F2}"));
        return 0;
    }

    private static double Percentile(long[] sortedTicks, double quantile) =>
        sortedTicks.Length == 0 ? double.NaN
        : sortedTicks[(int)Math.Min(sortedTicks.Length - 1, Math.Ceiling(quantile * sortedTicks.Length) - 1)] * 1e6 / Stopwatch.Frequency;

    private sealed record Sample(TimeSpan GatewayCpu, TimeSpan SimCpu, long Polls, long Good, long Bad, long Rss, int Gen0, long Allocated);

    private static Sample Snapshot(ModbusDriver driver, CountingDriverOutput output, Process self, Process sim)
    {
        self.Refresh();
        sim.Refresh();
        return new Sample(self.TotalProcessorTime, sim.TotalProcessorTime, driver.GetStatus().Sum(s => s.Polls), output.Good, output.Bad, self.WorkingSet64, GC.CollectionCount(0), GC.GetTotalAllocatedBytes(precise: true));
    }

    private static Process StartSimulator(int devices)
    {
        var host = Environment.ProcessPath!;
        var otherBuild = Environment.GetEnvironmentVariable("MODBUS_SIM_BENCH");
        var start = new ProcessStartInfo(string.IsNullOrEmpty(otherBuild) ? host : "dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (!string.IsNullOrEmpty(otherBuild))
        {
            start.ArgumentList.Add(otherBuild);
        }
        else if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }
        start.ArgumentList.Add("modbus-sim");
        start.ArgumentList.Add(devices.ToString(CultureInfo.InvariantCulture));
        return Process.Start(start)!;
    }

    private static int Arg(string[] args, int index, int fallback) =>
        args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
}
