using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Simulation.Modbus;
using Gateway.Simulation.Mqtt;

namespace Gateway.Bench.Web;

/// <summary>
/// What the technician's web server costs the node (docs/decisions.md, "Web server"): the built
/// gateway run twice as a child process on the same configuration — the simulated water meter,
/// a loopback mosquitto — once with <c>web.urls</c> empty (the same-run reference) and once with
/// HTTPS on; resident memory and idle CPU of each, then, with the web on, the latency and the
/// gateway's CPU per logged-in <c>GET /api/status</c> over HTTPS (one keep-alive connection, as a
/// browser's refresh loop).
/// </summary>
public sealed class WebCostCommand : IBenchCommand
{
    private const long ClockTicksPerSecond = 100; // sysconf(_SC_CLK_TCK) on Linux

    public string Name => "web-cost";

    public string Description => "the web server's RSS and idle CPU vs the same gateway without it, and per /api/status request (args: [seconds=20] [requests=500] [gateway.dll])";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        var requests = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
        var dll = args.Length > 2 ? args[2] : Path.Combine(RepoRoot(), "Gateway.Host", "bin", "Release", "net10.0", "edge-gateway.dll");
        if (!File.Exists(dll))
        {
            Console.Error.WriteLine($"{dll} is missing: dotnet build Gateway.Host -c Release");
            return 1;
        }
        var dir = Directory.CreateTempSubdirectory("gw-webcost-").FullName;
        await using var broker = await LoopbackMosquitto.StartAsync(new MosquittoOptions { Directory = dir, Port = FreePort(), Name = "bench broker" });
        await using var meter = new SimulatedModbusServer(new SimulatedModbusOptions { Registers = new WaterMeterRegisters(TimeProvider.System) });

        var off = await MeasureAsync(dll, dir, "off", broker.Uri, meter.Port, webPort: null, seconds, requests, cancellationToken);
        var on = await MeasureAsync(dll, dir, "on", broker.Uri, meter.Port, FreePort(), seconds, requests, cancellationToken);

        Console.WriteLine($"| gateway ({seconds:0} s idle after 10 s warm-up) | RSS MiB | CPU % of one core |");
        Console.WriteLine("| --- | --- | --- |");
        Console.WriteLine($"| web.urls empty (reference) | {off.RssMiB:0.0} | {off.IdleCpuPercent:0.00} |");
        Console.WriteLine($"| web on (https) | {on.RssMiB:0.0} | {on.IdleCpuPercent:0.00} |");
        Console.WriteLine($"| ratio on / off | {on.RssMiB / off.RssMiB:0.00} | {(off.IdleCpuPercent > 0 ? (on.IdleCpuPercent / off.IdleCpuPercent).ToString("0.00", CultureInfo.InvariantCulture) : "n/a")} |");
        Console.WriteLine();
        Console.WriteLine($"GET /api/status × {requests} (logged in, one connection): latency p50 {on.P50Ms:0.00} ms, p99 {on.P99Ms:0.00} ms; gateway CPU {on.CpuMsPerRequest:0.000} ms/request; RSS after {on.RssAfterMiB:0.0} MiB");
        Directory.Delete(dir, recursive: true);
        return 0;
    }

    private sealed record Result(double RssMiB, double IdleCpuPercent, double P50Ms = 0, double P99Ms = 0, double CpuMsPerRequest = 0, double RssAfterMiB = 0);

    private static async Task<Result> MeasureAsync(string dll, string root, string name, string brokerUri, int meterPort, int? webPort, double seconds, int requests, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        var config = Path.Combine(dir, "gateway.json");
        var urls = webPort is { } p ? $"\"https://127.0.0.1:{p}\"" : "";
        await File.WriteAllTextAsync(config, $$"""
            { "node": { "id": "bench-{{name}}" }, "storage": { "path": "{{Path.Combine(dir, "buffer.db")}}" },
              "mqtt": { "brokers": ["{{brokerUri}}"] }, "web": { "urls": [{{urls}}] },
              "devices": [ { "id": "water-1", "type": "modbus", "endpoint": "tcp://127.0.0.1:{{meterPort}}", "unitId": 1, "pollMs": 1000,
                             "profile": "{{Path.Combine(RepoRoot(), "profiles", "water-meter-generic.json")}}" } ] }
            """, cancellationToken);
        const string password = "measuring the page 2026";
        if (webPort is not null)
        {
            var add = Start(dll, ["user", "add", "bench", "--role", "viewer", "--config", config]);
            await add.StandardInput.WriteLineAsync(password);
            add.StandardInput.Close();
            await add.WaitForExitAsync(cancellationToken);
            if (add.ExitCode != 0)
            {
                throw new InvalidOperationException($"user add failed with exit {add.ExitCode}");
            }
        }
        using var gateway = Start(dll, ["run", "--config", config]);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
            var cpu0 = CpuTicks(gateway.Id);
            await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
            var idle = (CpuTicks(gateway.Id) - cpu0) * 100.0 / ClockTicksPerSecond / seconds;
            var rss = RssMiB(gateway.Id);
            if (webPort is not { } port)
            {
                return new Result(rss, idle);
            }
            using var client = PinnedClient(Path.Combine(dir, "web-certificate.pem"), port);
            using (var login = await client.PostAsync("/api/login", new StringContent($$"""{"user":"bench","password":"{{password}}"}""", Encoding.UTF8, "application/json"), cancellationToken))
            {
                login.EnsureSuccessStatusCode();
            }
            for (var i = 0; i < 20; i++)
            {
                _ = await client.GetStringAsync("/api/status", cancellationToken); // warm-up: JIT of the request path
            }
            var latencies = new double[requests];
            var cpu1 = CpuTicks(gateway.Id);
            for (var i = 0; i < requests; i++)
            {
                var started = Stopwatch.GetTimestamp();
                _ = await client.GetStringAsync("/api/status", cancellationToken);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            var cpuMs = (CpuTicks(gateway.Id) - cpu1) * 1000.0 / ClockTicksPerSecond;
            Array.Sort(latencies);
            return new Result(rss, idle, latencies[requests / 2], latencies[(int)(requests * 0.99)], cpuMs / requests, RssMiB(gateway.Id));
        }
        finally
        {
            gateway.Kill();
            await gateway.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static HttpClient PinnedClient(string pemPath, int port)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(pemPath));
        var pin = certificate.GetCertHash(HashAlgorithmName.SHA256);
        var handler = new SocketsHttpHandler
        {
            CookieContainer = new CookieContainer(),
            SslOptions = { RemoteCertificateValidationCallback = (_, c, _, _) => c is not null && c.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(pin) },
        };
        return new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}") };
    }

    private static Process Start(string dll, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>utime + stime of the process, in clock ticks (/proc/PID/stat fields 14 and 15).</summary>
    private static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private static double RssMiB(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "EdgeGateway.sln")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("not inside the repository");
        }
        return dir;
    }
}
