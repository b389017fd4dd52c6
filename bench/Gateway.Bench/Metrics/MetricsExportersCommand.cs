using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Prometheus;

namespace Gateway.Bench.Metrics;

/// <summary>
/// The two Prometheus exporters the design card allows, serving the same node's metrics (as
/// Gateway.Host/Health/GatewayMetrics defines them: per-device up / last-good / three counters / a
/// poll-duration histogram, uplink, backlog, drops, process) from one Kestrel on loopback, scraped
/// over HTTP in alternating rounds. The reference is an endpoint that writes prometheus-net's output
/// as ready bytes: what HTTP and the client cost alone. Reported per scrape: CPU of this process and
/// managed bytes allocated, each as a ratio to the reference of the same round; and the cost of
/// recording one poll duration into each library's histogram.
/// </summary>
public sealed class MetricsExportersCommand : IBenchCommand
{
    private static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public string Name => "metrics-exporters";

    public string Description => "prometheus-net 8.2.1 vs OpenTelemetry 1.20.1 Prometheus exporter: CPU and bytes per /metrics scrape, histogram record cost (args: [devices=32] [scrapes=500] [rounds=3])";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var deviceCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 32;
        var scrapes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        var devices = Enumerable.Range(1, deviceCount).Select(i => $"meter-{i:000}").ToArray();
        var figures = new NodeFigures(devices);

        var prom = new PromSide(figures);
        using var meter = new Meter("Gateway.Bench.Metrics");
        var otelHistogram = OtelSide.Instruments(meter, figures);
        using var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meter.Name)
            .AddView("gateway.device.poll.duration", new ExplicitBucketHistogramConfiguration { Boundaries = Buckets })
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0) // no cached answers: every scrape collects
            .Build();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.MapGet("/prom", async context =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await prom.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
        });
        app.MapPrometheusScrapingEndpoint("/otel", provider, null, null);
        byte[] reference = [];
        app.MapGet("/ref", context =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            return context.Response.Body.WriteAsync(reference, context.RequestAborted).AsTask();
        });
        await app.StartAsync(cancellationToken);
        var baseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        using var http = new HttpClient { BaseAddress = baseUri };

        // Traffic between scrapes: every device polled once (a 15 s scrape, 1 s polls would be 15×; the cost per record is measured below).
        void Poll(int n)
        {
            foreach (var d in devices)
            {
                var seconds = 0.004 + (n % 7) * 0.003;
                prom.Observe(d, seconds);
                otelHistogram.Record(seconds, new KeyValuePair<string, object?>("device", d));
            }
            figures.Advance(n);
        }

        Poll(0);
        var promText = await http.GetByteArrayAsync(new Uri("/prom", UriKind.Relative), cancellationToken);
        var otelText = await http.GetByteArrayAsync(new Uri("/otel", UriKind.Relative), cancellationToken);
        reference = promText;
        Console.WriteLine($"{devices.Length} devices; one scrape: prometheus-net {promText.Length} B ({Lines(promText)} samples), OpenTelemetry {otelText.Length} B ({Lines(otelText)} samples); {scrapes} scrapes per run; {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Console.WriteLine();
        Console.WriteLine("| round | exporter | CPU µs/scrape | × reference | managed KB/scrape | × reference |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        var totals = new Dictionary<string, (double Cpu, double Bytes)>(StringComparer.Ordinal);
        for (var round = 1; round <= rounds; round++)
        {
            var results = new Dictionary<string, (double Cpu, double Bytes)>(StringComparer.Ordinal);
            foreach (var path in new[] { "/ref", "/prom", "/otel" })
            {
                await ScrapeAsync(http, path, 50, Poll, cancellationToken); // warm-up
                results[path] = await ScrapeAsync(http, path, scrapes, Poll, cancellationToken);
            }
            var r = results["/ref"];
            foreach (var (path, label) in new[] { ("/ref", "reference (ready bytes)"), ("/prom", "prometheus-net 8.2.1"), ("/otel", "OpenTelemetry 1.20.1 + exporter 1.20.1-beta.1") })
            {
                var x = results[path];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {round} | {label} | {x.Cpu:0} | {x.Cpu / r.Cpu:0.00} | {x.Bytes / 1024:0.0} | {x.Bytes / r.Bytes:0.00} |"));
                totals[path] = totals.TryGetValue(path, out var t) ? (t.Cpu + x.Cpu / r.Cpu, t.Bytes + x.Bytes / r.Bytes) : (x.Cpu / r.Cpu, x.Bytes / r.Bytes);
            }
        }
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mean over rounds, × reference: prometheus-net CPU {totals["/prom"].Cpu / rounds:0.00}, bytes {totals["/prom"].Bytes / rounds:0.00}; OpenTelemetry CPU {totals["/otel"].Cpu / rounds:0.00}, bytes {totals["/otel"].Bytes / rounds:0.00}"));

        RecordCost(prom, otelHistogram, devices);
        Assemblies();
        await app.StopAsync(cancellationToken);
        return 0;
    }

    private static int Lines(byte[] text) => System.Text.Encoding.UTF8.GetString(text).Split('\n').Count(l => l.Length > 0 && l[0] != '#');

    private static async Task<(double CpuMicros, double Bytes)> ScrapeAsync(HttpClient http, string path, int count, Action<int> poll, CancellationToken cancellationToken)
    {
        var uri = new Uri(path, UriKind.Relative);
        var cpu = Environment.CpuUsage.TotalTime;
        var bytes = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < count; i++)
        {
            poll(i);
            using var response = await http.GetAsync(uri, cancellationToken);
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        return ((Environment.CpuUsage.TotalTime - cpu).TotalMicroseconds / count, (double)(GC.GetTotalAllocatedBytes(precise: true) - bytes) / count);
    }

    /// <summary>What one poll-duration record costs in each library (the hot path: every poll of every device).</summary>
    private static void RecordCost(PromSide prom, Histogram<double> otel, string[] devices)
    {
        const int N = 2_000_000;
        for (var pass = 0; pass < 2; pass++)
        {
            var cpu = Environment.CpuUsage.TotalTime;
            var bytes = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < N; i++)
            {
                prom.Observe(devices[i % devices.Length], 0.012);
            }
            var promNs = (Environment.CpuUsage.TotalTime - cpu).TotalNanoseconds / N;
            var promBytes = (double)(GC.GetTotalAllocatedBytes(precise: true) - bytes) / N;
            cpu = Environment.CpuUsage.TotalTime;
            bytes = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < N; i++)
            {
                otel.Record(0.012, new KeyValuePair<string, object?>("device", devices[i % devices.Length]));
            }
            var otelNs = (Environment.CpuUsage.TotalTime - cpu).TotalNanoseconds / N;
            var otelBytes = (double)(GC.GetTotalAllocatedBytes(precise: true) - bytes) / N;
            if (pass == 1)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"one histogram record: prometheus-net {promNs:0} ns, {promBytes:0.0} B; OpenTelemetry {otelNs:0} ns, {otelBytes:0.0} B ({otelNs / promNs:0.00}× the CPU)"));
            }
        }
    }

    /// <summary>The libraries' assemblies as they land in a publish (IL; ReadyToRun grows each about alike).</summary>
    private static void Assemblies()
    {
        long Size(string prefix) => Directory.GetFiles(AppContext.BaseDirectory, prefix + "*.dll").Sum(f => new FileInfo(f).Length);
        var prom = Size("Prometheus.");
        var otel = Size("OpenTelemetry");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"assemblies in the output: prometheus-net {prom / 1024} KiB (Prometheus.NetStandard.dll), OpenTelemetry {otel / 1024} KiB ({string.Join(", ", Directory.GetFiles(AppContext.BaseDirectory, "OpenTelemetry*.dll").Select(Path.GetFileName).Order(StringComparer.Ordinal))}); {(double)otel / prom:0.00}×"));
    }

    /// <summary>The node's figures both exporters read (changed a little between scrapes, as a live node's are).</summary>
    private sealed class NodeFigures(string[] devices)
    {
        public string[] Devices { get; } = devices;

        public long Backlog { get; private set; }

        public long Failures { get; private set; }

        public void Advance(int n)
        {
            Backlog = 1000 + (n % 100);
            Failures += n % 3 == 0 ? 1 : 0;
        }
    }

    /// <summary>prometheus-net the way GatewayMetrics uses it: a registry of its own, values set before each collect.</summary>
    private sealed class PromSide
    {
        private readonly Histogram _poll;

        public PromSide(NodeFigures figures)
        {
            Registry = Prometheus.Metrics.NewCustomRegistry();
            var f = Prometheus.Metrics.WithCustomRegistry(Registry);
            var uplink = f.CreateGauge("gateway_uplink_state", "state", "state");
            var backlog = f.CreateGauge("gateway_backlog_records", "records", "class");
            var oldest = f.CreateGauge("gateway_backlog_oldest_age_seconds", "age");
            var dropped = f.CreateCounter("gateway_store_dropped_records_total", "dropped", "class");
            var up = f.CreateGauge("gateway_device_up", "up", "device");
            var lastGood = f.CreateGauge("gateway_device_last_good_timestamp_seconds", "last good", "device");
            var failures = f.CreateCounter("gateway_device_poll_failures_total", "failures", "device");
            var bad = f.CreateCounter("gateway_device_bad_readings_total", "bad", "device");
            var offline = f.CreateCounter("gateway_device_offline_total", "offline", "device");
            _poll = f.CreateHistogram("gateway_device_poll_duration_seconds", "poll", new Prometheus.HistogramConfiguration { LabelNames = ["device"], Buckets = Buckets });
            var cpu = f.CreateCounter("gateway_process_cpu_seconds_total", "cpu");
            var rss = f.CreateGauge("gateway_process_resident_memory_bytes", "rss");
            var disk = f.CreateGauge("gateway_store_disk_free_bytes", "disk");
            var uptime = f.CreateGauge("gateway_uptime_seconds", "uptime");
            Registry.AddBeforeCollectCallback(() =>
            {
                foreach (var s in new[] { "connecting", "connected", "failing", "stopped" })
                {
                    uplink.WithLabels(s).Set(s == "connected" ? 1 : 0);
                }
                backlog.WithLabels("readings").Set(figures.Backlog);
                backlog.WithLabels("events").Set(3);
                backlog.WithLabels("snapshots").Set(0);
                oldest.Set(12);
                foreach (var c in new[] { "readings", "events", "snapshots" })
                {
                    dropped.WithLabels(c).IncTo(0);
                }
                foreach (var d in figures.Devices)
                {
                    up.WithLabels(d).Set(1);
                    lastGood.WithLabels(d).Set(1_796_000_000);
                    failures.WithLabels(d).IncTo(figures.Failures);
                    bad.WithLabels(d).IncTo(figures.Failures);
                    offline.WithLabels(d).IncTo(1);
                }
                cpu.IncTo(Environment.CpuUsage.TotalTime.TotalSeconds);
                rss.Set(50_000_000);
                disk.Set(1_000_000_000);
                uptime.Set(3600);
            });
        }

        public CollectorRegistry Registry { get; }

        public void Observe(string device, double seconds) => _poll.WithLabels(device).Observe(seconds);
    }

    /// <summary>The same metrics as .NET Meter instruments, read by OpenTelemetry: observable ones call back at collect.</summary>
    private static class OtelSide
    {
        public static Histogram<double> Instruments(Meter meter, NodeFigures figures)
        {
            static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);
            meter.CreateObservableGauge("gateway.uplink.state", () => new[] { "connecting", "connected", "failing", "stopped" }.Select(s => new Measurement<int>(s == "connected" ? 1 : 0, Tag("state", s))));
            meter.CreateObservableGauge("gateway.backlog.records", () => new[] { new Measurement<long>(figures.Backlog, Tag("class", "readings")), new Measurement<long>(3, Tag("class", "events")), new Measurement<long>(0, Tag("class", "snapshots")) });
            meter.CreateObservableGauge("gateway.backlog.oldest_age", () => 12.0, "s");
            meter.CreateObservableCounter("gateway.store.dropped_records", () => new[] { "readings", "events", "snapshots" }.Select(c => new Measurement<long>(0, Tag("class", c))));
            meter.CreateObservableGauge("gateway.device.up", () => figures.Devices.Select(d => new Measurement<int>(1, Tag("device", d))));
            meter.CreateObservableGauge("gateway.device.last_good_timestamp", () => figures.Devices.Select(d => new Measurement<double>(1_796_000_000, Tag("device", d))), "s");
            meter.CreateObservableCounter("gateway.device.poll_failures", () => figures.Devices.Select(d => new Measurement<long>(figures.Failures, Tag("device", d))));
            meter.CreateObservableCounter("gateway.device.bad_readings", () => figures.Devices.Select(d => new Measurement<long>(figures.Failures, Tag("device", d))));
            meter.CreateObservableCounter("gateway.device.offline", () => figures.Devices.Select(d => new Measurement<long>(1, Tag("device", d))));
            meter.CreateObservableCounter("gateway.process.cpu", () => Environment.CpuUsage.TotalTime.TotalSeconds, "s");
            meter.CreateObservableGauge("gateway.process.resident_memory", () => 50_000_000L, "By");
            meter.CreateObservableGauge("gateway.store.disk_free", () => 1_000_000_000L, "By");
            meter.CreateObservableGauge("gateway.uptime", () => 3600L, "s");
            return meter.CreateHistogram<double>("gateway.device.poll.duration", "s");
        }
    }
}
