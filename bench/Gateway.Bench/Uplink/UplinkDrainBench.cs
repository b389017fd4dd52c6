using Gateway.Simulation.Mqtt;
using System.Diagnostics;
using System.Globalization;
using Gateway.Bench.Support;
using Gateway.Sync;
using Gateway.Sync.Store;
using Gateway.Sync.Uplink;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Bench.Uplink;

/// <summary>
/// Issue 4 benchmark (b): a backlog of N readings (default 1,000,000) in the store drains through
/// a local mosquitto to a fast subscriber (<c>mosquitto_sub</c>), while live readings are taken
/// every 100 ms. Reports the drain rate, the live readings' end-to-end latency (measurement →
/// subscriber), and, as the same-run reference, how fast the store alone can be read and
/// rendered into the same payloads (the forwarder's upper bound).
/// </summary>
public sealed class UplinkDrainBench : IBenchCommand
{
    public string Name => "uplink-drain";

    public string Description => "drain a 1M-reading backlog through mosquitto to mosquitto_sub; live latency during the drain";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var backlog = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var work = Directory.CreateTempSubdirectory("gw-drain-").FullName;
        try
        {
            return await RunAsync(backlog, work, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<int> RunAsync(int backlog, string work, CancellationToken cancellationToken)
    {
        var storePath = Path.Combine(work, "buffer.db");
        Console.WriteLine($"filling the store with {backlog:N0} readings (20 series, relaxed durability)…");
        await FillAsync(storePath, backlog, cancellationToken).ConfigureAwait(false);
        var referenceRate = await ReadAndRenderAsync(storePath, cancellationToken).ConfigureAwait(false);

        await using var broker = await LoopbackMosquitto.StartAsync(new MosquittoOptions { Settings = ["persistence false", "max_queued_messages 0", "max_inflight_messages 0"] }).ConfigureAwait(false);
        var port = broker.Port;
        var subscriber = new Subscriber(BenchTool.Require("mosquitto_sub"), port, backlog);
        await subscriber.WaitReadyAsync().ConfigureAwait(false);

        using var host = BuildGateway(storePath, $"mqtt://127.0.0.1:{port}");
        var started = Stopwatch.StartNew();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        var store = host.Services.GetRequiredService<IRecordStore>();
        // Live readings are those taken once the forwarder is draining; what was stored before the
        // connection came back is backlog by definition.
        var forwarder = host.Services.GetRequiredService<IForwarderStatus>();
        while (forwarder.Status.Sessions == 0)
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
        await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        using var stopLive = new CancellationTokenSource();
        var live = ProduceLiveAsync(store, stopLive.Token);

        await subscriber.BacklogDone.WaitAsync(TimeSpan.FromMinutes(10), cancellationToken).ConfigureAwait(false);
        var drainSeconds = started.Elapsed.TotalSeconds;
        await stopLive.CancelAsync().ConfigureAwait(false);
        var liveTaken = await live.ConfigureAwait(false);
        for (var i = 0; i < 100 && subscriber.LiveCount < liveTaken; i++)
        {
            await Task.Delay(100, cancellationToken).ConfigureAwait(false); // the last live batch waits up to the batch delay
        }
        await host.StopAsync(CancellationToken.None).ConfigureAwait(false);

        subscriber.Stop();
        var latencies = subscriber.LiveLatenciesMs.Order().ToArray();
        var rate = backlog / drainSeconds;
        Console.WriteLine();
        Console.WriteLine($"| measure | value |");
        Console.WriteLine($"| --- | --- |");
        Console.WriteLine($"| backlog | {backlog:N0} readings |");
        Console.WriteLine($"| drain (forwarder start → subscriber saw the last backlog seq) | {drainSeconds:F1} s = **{rate:N0} readings/s** |");
        Console.WriteLine($"| reference: store read + payload rendering alone | {referenceRate:N0} readings/s (drain = {rate / referenceRate:P0} of it) |");
        Console.WriteLine($"| live readings taken during the drain / received | {liveTaken} / {latencies.Length} |");
        if (latencies.Length > 0)
        {
            Console.WriteLine($"| live latency p50 / p99 / max | {Percentile(latencies, 0.5):F0} / {Percentile(latencies, 0.99):F0} / {latencies[^1]:F0} ms |");
        }
        Console.WriteLine($"| messages received by mosquitto_sub | {subscriber.Messages:N0} |");
        return latencies.Length == liveTaken && subscriber.BacklogSeen >= backlog ? 0 : 1;
    }

    private static async Task FillAsync(string storePath, int count, CancellationToken cancellationToken)
    {
        var options = new StorageOptions { Path = storePath, MaxMegabytes = 4096, Durability = "relaxed" };
        await using var store = SqliteRecordStore.Open(StoreSettings.From(options), TimeProvider.System,
            new ClockSync(options.ClockFloor, false), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var batch = new List<Reading>(5000);
        for (var i = 0; i < count; i++)
        {
            batch.Add(Reading.Measure(TimeProvider.System, $"meter-{i % 20}", "flow_total", ReadingValue.FromDouble(i * 0.01), "m3"));
            if (batch.Count == batch.Capacity || i == count - 1)
            {
                await store.AppendReadingsAsync(batch, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }
        }
    }

    /// <summary>The reference: read every reading back and render the telemetry payloads, no network.</summary>
    private static async Task<double> ReadAndRenderAsync(string storePath, CancellationToken cancellationToken)
    {
        var options = new StorageOptions { Path = storePath, MaxMegabytes = 4096, Durability = "relaxed" };
        await using var store = SqliteRecordStore.Open(StoreSettings.From(options), TimeProvider.System,
            new ClockSync(options.ClockFloor, false), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var clock = Stopwatch.StartNew();
        long after = 0, n = 0, bytes = 0;
        while (true)
        {
            var page = await store.ReadReadingsAsync(after, 500, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }
            bytes += RecordJson.TelemetryPayload("bench-pole", page).Length;
            n += page.Count;
            after = page[^1].Seq;
        }
        return n / clock.Elapsed.TotalSeconds;
    }

    private static IHost BuildGateway(string storePath, string broker)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Gateway.Sync.Uplink", LogLevel.Information);
        builder.Services.AddDurableStore(o =>
        {
            o.Path = storePath;
            o.MaxMegabytes = 4096;
        });
        builder.Services.Configure<MqttOptions>(o =>
        {
            o.Brokers = [broker];
            o.ProtocolVersion = "5.0";
        });
        builder.Services.AddCityBrainUplink(_ => new NodeIdentity("bench-pole", "bench"));
        return builder.Build();
    }

    /// <summary>A typical pole's live data, faster: 20 readings every 100 ms whose value is the measurement's wall-clock ms.</summary>
    private static async Task<int> ProduceLiveAsync(IRecordStore store, CancellationToken cancellationToken)
    {
        var taken = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = TimeProvider.System.GetUtcNow();
                var readings = Enumerable.Range(0, 20).Select(i => new Reading("live", $"p{i}", ReadingValue.FromInt64(now.ToUnixTimeMilliseconds()), null, ReadingQuality.Good, null, now, TimeProvider.System.GetTimestamp())).ToList();
                await store.AppendReadingsAsync(readings, cancellationToken).ConfigureAwait(false);
                taken += readings.Count;
            }
        }
        catch (OperationCanceledException)
        {
            // done
        }
        return taken;
    }

    /// <summary>mosquitto_sub printing every telemetry payload; live readings timed on arrival.</summary>
    private sealed class Subscriber
    {
        private readonly Process _process;
        private readonly int _backlog;
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly HashSet<long> _backlogSeqs = [];
        private readonly Task _reader;

        public Subscriber(string binary, int port, int backlog)
        {
            _backlog = backlog;
            // stdbuf: mosquitto_sub block-buffers a pipe, which would hold back lines (and distort latency).
            _process = Start("/usr/bin/stdbuf", ["-oL", binary, "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-q", "1", "-t", "city/bench-pole/telemetry", "-i", "bench-sub", "-d"]);
            _reader = Task.Run(ReadLoop);
        }

        public TaskCompletionSource BacklogDoneSource { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task BacklogDone => BacklogDoneSource.Task;

        public List<double> LiveLatenciesMs { get; } = [];

        public int LiveCount => Volatile.Read(ref _liveCount);

        private int _liveCount;

        public int BacklogSeen { get; private set; }

        public long Messages { get; private set; }

        public Task WaitReadyAsync() => _ready.Task.WaitAsync(TimeSpan.FromSeconds(10));

        public void Stop()
        {
            _process.Kill();
            _reader.Wait(TimeSpan.FromSeconds(10));
        }

        private void ReadLoop()
        {
            while (_process.StandardOutput.ReadLine() is { } line)
            {
                if (line.Contains("SUBACK", StringComparison.Ordinal))
                {
                    _ready.TrySetResult();
                    continue;
                }
                if (!line.StartsWith('{'))
                {
                    continue; // -d debug lines
                }
                var arrived = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                Messages++;
                using var doc = System.Text.Json.JsonDocument.Parse(line);
                foreach (var r in doc.RootElement.GetProperty("readings").EnumerateArray())
                {
                    if (r.GetProperty("device").GetString() == "live")
                    {
                        LiveLatenciesMs.Add(arrived - r.GetProperty("value").GetInt64());
                        Interlocked.Increment(ref _liveCount);
                    }
                    else if (_backlogSeqs.Add(r.GetProperty("seq").GetInt64()))
                    {
                        BacklogSeen++;
                    }
                }
                if (BacklogSeen >= _backlog)
                {
                    BacklogDoneSource.TrySetResult();
                }
            }
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(p * sorted.Length))];

    private static Process Start(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        return Process.Start(start)!;
    }
}
