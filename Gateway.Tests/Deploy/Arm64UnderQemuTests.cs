using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Gateway.Tests.Drivers;
using Gateway.Tests.Drivers.Modbus;
using Gateway.Tests.Inference.Detectors;
using Gateway.Tests.Support;
using Gateway.Tests.Sync.Mqtt.Peers;

namespace Gateway.Tests.Deploy;

/// <summary>
/// Issue 14: the linux-arm64 bundle, unpacked, runs here under qemu-aarch64 user-mode emulation with
/// Debian's arm64 runtime libraries as sysroot (tools/setup.d/40-qemu-arm64.sh). ONNX Runtime's arm64
/// library parses /proc/cpuinfo at load and fails on an x86 one, so every run sees an ARM-format
/// cpuinfo (a Cortex-A72 pole's) bind-mounted over /proc/cpuinfo in a private mount namespace of its
/// own (`unshare -m`; the test run is root, as the other mount-namespace tests need). Emulation is slow:
/// these tests wait minutes, not seconds.
/// </summary>
[Collection(BundleCollection.Name)]
public sealed class Arm64UnderQemuTests(BundleFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    /// <summary>The format of a 4-core Cortex-A72 (BCM2711) board's /proc/cpuinfo.</summary>
    private static readonly string ArmCpuinfo = string.Concat(Enumerable.Range(0, 4).Select(i => $"""
        processor	: {i}
        BogoMIPS	: 108.00
        Features	: fp asimd evtstrm crc32 cpuid
        CPU implementer	: 0x41
        CPU architecture: 8
        CPU variant	: 0x0
        CPU part	: 0xd08
        CPU revision	: 3


        """)) + "Hardware\t: BCM2835\nRevision\t: c03114\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n";

    /// <summary>The arm64 gateway's command line as the process to start: unshare → sh → exec qemu-aarch64 (one pid throughout).</summary>
    private static ProcessStartInfo Arm64(Bundle bundle, TempDirectory dir, IEnumerable<string> args)
    {
        Assert.Equal("linux-arm64", bundle.Rid);
        var cpuinfo = dir.File("cpuinfo-arm64");
        File.WriteAllText(cpuinfo, ArmCpuinfo);
        var start = new ProcessStartInfo(ExternalTool.Require("unshare"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = dir.Path,
        };
        foreach (var a in (string[])["-m", "--propagation", "private", "sh", "-c",
            $"mount --bind '{cpuinfo}' /proc/cpuinfo && exec '{ExternalTool.Require("qemu-aarch64")}' -L /usr/aarch64-linux-gnu -E 'LD_LIBRARY_PATH={Arm64OpenSsl}' '{bundle.PathOf("edge-gateway")}' \"$@\"", "sh", .. args])
        {
            start.ArgumentList.Add(a);
        }
        // no ICU in the arm64 sysroot (ENVIRONMENT.md); the gateway's texts are invariant anyway
        start.Environment["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1";
        start.Environment.Remove("JOURNAL_STREAM");
        return start;
    }

    /// <summary>Debian's arm64 libssl3, unpacked by tools/setup.d/40-qemu-arm64.sh: .NET's hashes, TLS and certificates need it.</summary>
    private static string Arm64OpenSsl
    {
        get
        {
            var cache = Environment.GetEnvironmentVariable("GATEWAY_CACHE") is { Length: > 0 } set ? set : Repo.PathOf(".cache");
            var dir = Path.Combine(cache, "arm64-libssl", "usr", "lib", "aarch64-linux-gnu");
            return File.Exists(Path.Combine(dir, "libssl.so.3")) ? dir
                : throw new InvalidOperationException($"{dir}/libssl.so.3 is missing; run tools/setup.sh (setup.d/40-qemu-arm64.sh)");
        }
    }

    private static async Task<ExternalTool.Result> RunArm64Async(Bundle bundle, TempDirectory dir, params string[] args)
    {
        using var process = Process.Start(Arm64(bundle, dir, args))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Patience);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"arm64 {string.Join(' ', args)} did not finish within {Patience}: {await stdout}{await stderr}");
        }
        return new ExternalTool.Result(process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task The_arm64_gateway_accepts_the_example_configuration()
    {
        var bundle = fixture.For("linux-arm64");
        using var dir = new TempDirectory("gw-qemu-check");
        var check = await RunArm64Async(bundle, dir, "check-config", "--config", bundle.PathOf("gateway.example.json"));
        Assert.True(check.ExitCode == 0, check.StdOut + check.StdErr);
        Assert.Contains("valid (node pole-0001; 4 device(s), 1 bus(es), 1 camera(s), 1 broker(s))", check.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("not found", check.StdOut + check.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_arm64_gateway_detects_the_same_boxes_in_a_real_photo_as_the_x64_one()
    {
        PersonModelTests.RequirePersonModel();
        var arm = fixture.For("linux-arm64");
        var x64 = fixture.For("linux-x64");
        using var dir = new TempDirectory("gw-qemu-detect");

        var armRun = await RunArm64Async(arm, dir, "detect", "--model", arm.PathOf("models/person/manifest.json"), PersonModelTests.PersonJpg);
        Assert.True(armRun.ExitCode == 0, armRun.StdOut + armRun.StdErr);
        var x64Run = ExternalTool.Run(x64.PathOf("edge-gateway"), ["detect", "--model", x64.PathOf("models/person/manifest.json"), PersonModelTests.PersonJpg], Patience);
        Assert.True(x64Run.ExitCode == 0, x64Run.StdOut + x64Run.StdErr);

        var armBoxes = Detections(armRun.StdOut);
        var x64Boxes = Detections(x64Run.StdOut);
        Assert.Contains(x64Boxes, d => d.Label == "person"); // the photo's person, on the reference platform
        Assert.Equal(x64Boxes.Select(d => d.Label), armBoxes.Select(d => d.Label));
        foreach (var (a, x) in armBoxes.Zip(x64Boxes))
        {
            // NEON vs AVX kernels sum in other orders: the same boxes to a pixel, the same scores to a hundredth
            Assert.True(Math.Abs(a.Score - x.Score) <= 0.01, $"{a.Label}: score {a.Score} on arm64, {x.Score} on x64");
            Assert.True(a.Box.Zip(x.Box).All(p => Math.Abs(p.First - p.Second) <= 1.0), $"{a.Label}: box [{string.Join(',', a.Box)}] on arm64, [{string.Join(',', x.Box)}] on x64");
        }
    }

    private sealed record Found(string Label, double Score, double[] Box);

    private static List<Found> Detections(string stdout)
    {
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var json = JsonDocument.Parse(line).RootElement;
        Assert.Equal(PersonModelTests.PersonJpg, json.GetProperty("image").GetString());
        return [.. json.GetProperty("detections").EnumerateArray().Select(d => new Found(
            d.GetProperty("label").GetString()!, d.GetProperty("score").GetDouble(), [.. d.GetProperty("box").EnumerateArray().Select(v => v.GetDouble())]))];
    }

    [Fact]
    public async Task The_arm64_gateway_polls_a_meter_over_a_serial_pty_and_its_telemetry_reaches_an_independent_subscriber()
    {
        const string node = "pole-qemu";
        var bundle = fixture.For("linux-arm64");
        using var dir = new TempDirectory("gw-qemu-run");
        var bits = BitConverter.SingleToUInt32Bits(42.25f);
        using var pty = await SocatPtyPair.StartAsync(dir);
        using var meter = await PymodbusServer.StartAsync("rtu", pty.A, new ModbusTables([(ushort)(bits & 0xFFFF), (ushort)(bits >> 16)], [0], [false], [false]), dir);
        await using var broker = MosquittoPeer.Create();
        await broker.StartAsync();
        using var paho = new PahoSubscriber(broker.Port, $"city/{node}/telemetry");
        await paho.WaitUntilReadyAsync();
        var port = new FileInfo(pty.B).LinkTarget!; // the pty itself (/dev/pts/N): ports are devices
        var config = dir.File("gateway.json");
        File.WriteAllText(config, $$"""
            { "node": { "id": "{{node}}" }, "storage": { "path": "data/buffer.db" },
              "mqtt": { "brokers": ["{{broker.Uri}}"], "telemetryBatchDelayMs": 100 },
              "buses": [ { "id": "rs485-1", "port": "{{port}}", "baud": 19200, "parity": "none", "dataBits": 8, "stopBits": 1 } ],
              "devices": [ { "id": "water-1", "type": "modbus", "bus": "rs485-1", "unitId": 1, "pollMs": 500,
                             "points": [ { "name": "flow_total", "table": "holding", "address": 0, "type": "f32", "order": "CDAB", "unit": "m3" } ] } ] }
            """);

        using var gateway = Process.Start(Arm64(bundle, dir, ["run", "--config", config]))!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        gateway.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        gateway.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        gateway.BeginOutputReadLine();
        gateway.BeginErrorReadLine();
        try
        {
            await paho.WaitForMessagesAsync(m => m.Any(HasFlow), Patience);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\n" + string.Join('\n', output), e);
        }
        finally
        {
            if (!gateway.HasExited)
            {
                Assert.Equal(0, Kill(gateway.Id, 15)); // qemu hands SIGTERM to the gateway: a graceful stop
            }
        }
        using var cts = new CancellationTokenSource(Patience);
        await gateway.WaitForExitAsync(cts.Token);
        Assert.True(gateway.ExitCode == 0, string.Join('\n', output));
        Assert.Contains(output, l => l.Contains("stopped cleanly", StringComparison.Ordinal));
    }

    private static bool HasFlow(PahoSubscriber.Message message)
    {
        var json = JsonDocument.Parse(message.Payload).RootElement;
        return json.GetProperty("node").GetString() == "pole-qemu" && json.GetProperty("readings").EnumerateArray().Any(r =>
            r.GetProperty("device").GetString() == "water-1" && r.GetProperty("point").GetString() == "flow_total"
            && r.GetProperty("quality").GetString() == "good" && r.GetProperty("value").GetDouble() == 42.25);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
