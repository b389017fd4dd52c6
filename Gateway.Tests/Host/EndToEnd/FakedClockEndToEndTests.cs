using Gateway.Simulation.Mqtt;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Drivers;
using Gateway.Tests.Drivers.Modbus;
using Gateway.Tests.Support;
using Gateway.Tests.Sync.Mqtt.Peers;
using Gateway.Tests.Sync.Time;

namespace Gateway.Tests.Host.EndToEnd;

/// <summary>
/// The issue "a pole whose clock cannot be set never dates its data", reproduced on the real
/// `run` process: libfaketime starts its wall clock at 1970 (the machine's clock is not touched),
/// a pymodbus meter is polled, and a GPS on a socat pty starts
/// sending real UTC only after a few seconds. Every reading — measured before and after the
/// first fix — must reach the broker dated in real time, none unsynced, none in 1970.
/// </summary>
public class FakedClockEndToEndTests
{
    private const string Node = "pole-faketime";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task With_the_wall_clock_at_1970_GPS_time_dates_readings_measured_before_and_after_the_first_fix()
    {
        using var dir = new TempDirectory("gw-e2e-faketime");
        var bits = BitConverter.SingleToUInt32Bits(42.25f);
        var meterPort = Net.FreePort();
        using var meter = await PymodbusServer.StartAsync("tcp", meterPort.ToString(CultureInfo.InvariantCulture),
            new ModbusTables([(ushort)(bits & 0xFFFF), (ushort)(bits >> 16)], [0], [false], [false]), dir);
        using var gps = await SocatPtyPair.StartAsync(dir);
        await using var broker = MosquittoPeer.Create();
        await broker.StartAsync();
        using var paho = new PahoSubscriber(broker.Port, $"city/{Node}/telemetry");
        await paho.WaitUntilReadyAsync();
        var gpsPort = new FileInfo(gps.B).LinkTarget!; // the pty itself (/dev/pts/N): ports are devices
        var config = dir.File("gateway.json");
        File.WriteAllText(config, $$"""
            { "node": { "id": "{{Node}}", "site": "test/faketime" },
              "storage": { "path": "data/buffer.db" },
              "mqtt": { "brokers": ["{{broker.Uri}}"], "telemetryBatchDelayMs": 100 },
              "devices": [
                { "id": "water-1", "type": "modbus", "endpoint": "tcp://127.0.0.1:{{meterPort}}", "unitId": 1, "pollMs": 250,
                  "points": [ { "name": "flow_total", "table": "holding", "address": 0, "type": "f32", "order": "CDAB", "unit": "m3" } ] },
                { "id": "gps-1", "type": "nmea", "port": "{{gpsPort}}", "baud": 9600, "timeSource": true } ] }
            """);
        var started = DateTimeOffset.UtcNow;
        using var gateway = StartAt1970(config, dir.Path);
        try
        {
            // Readings are stored undated (the wall clock says 1970) and held back: none may leave yet.
            // Counted from the driver's start, not the process's: a loaded machine starts it late.
            await gateway.WaitForLineAsync("Modbus driver polls", Patience);
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Empty(paho.Messages);

            var firstFix = DateTimeOffset.UtcNow;
            using var device = gps.OpenDeviceEnd();
            using var feeding = new CancellationTokenSource();
            var feeder = Task.Run(async () =>
            {
                while (!feeding.IsCancellationRequested)
                {
                    var line = Encoding.ASCII.GetBytes(Rmc(DateTimeOffset.UtcNow) + "\r\n");
                    await device.WriteAsync(line);
                    await Task.Delay(TimeSpan.FromMilliseconds(500));
                }
            });
            await paho.WaitForMessagesAsync(m => Readings(m).Count(r => r.Point == "flow_total") >= 20, Patience);
            await feeding.CancelAsync();
            await feeder;
            var after = DateTimeOffset.UtcNow;

            var readings = Readings(paho.Messages).Where(r => r.Point == "flow_total").ToList();
            Assert.All(readings, r => Assert.Null(r.Clock));
            Assert.All(readings, r => Assert.NotNull(r.Ts));
            // Real time, within what a 2 s NMEA latency allows; never 1970.
            Assert.All(readings, r => Assert.InRange(r.Ts!.Value, started - TimeSpan.FromSeconds(3), after + TimeSpan.FromSeconds(3)));
            // Readings measured before the first fix were dated back, not only the later ones.
            Assert.Contains(readings, r => r.Ts < firstFix - TimeSpan.FromSeconds(2));
            Assert.Contains(readings, r => r.Ts > firstFix);
            Assert.DoesNotContain(paho.Messages, m => Encoding.UTF8.GetString(m.Payload).Contains("1970", StringComparison.Ordinal));
            // The process really ran at 1970: GNSS time disagreed with its clock by decades.
            Assert.Contains("from GNSS time", gateway.Output, StringComparison.Ordinal);

            gateway.SendSigterm();
            Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        }
        catch (Exception ex) when (ex is TimeoutException or Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{ex.Message}\n--- gateway output ---\n{gateway.Output}\n--- seen ---\n{string.Join("\n", paho.Messages.Select(m => Encoding.UTF8.GetString(m.Payload)))}", ex);
        }
    }

    [Fact]
    public async Task With_the_wall_clock_at_1970_NTP_time_from_chronyd_dates_every_reading()
    {
        using var dir = new TempDirectory("gw-e2e-faketime-ntp");
        var bits = BitConverter.SingleToUInt32Bits(17.5f);
        var meterPort = Net.FreePort();
        using var meter = await PymodbusServer.StartAsync("tcp", meterPort.ToString(CultureInfo.InvariantCulture),
            new ModbusTables([(ushort)(bits & 0xFFFF), (ushort)(bits >> 16)], [0], [false], [false]), dir);
        using var chrony = await ChronyServer.StartAsync();
        await using var broker = MosquittoPeer.Create();
        await broker.StartAsync();
        using var paho = new PahoSubscriber(broker.Port, $"city/{Node}/telemetry");
        await paho.WaitUntilReadyAsync();
        var config = dir.File("gateway.json");
        File.WriteAllText(config, $$"""
            { "node": { "id": "{{Node}}", "site": "test/faketime" },
              "storage": { "path": "data/buffer.db", "requireTimeSync": true },
              "time": { "ntpServers": ["{{chrony.Endpoint}}"], "kernelSync": false },
              "mqtt": { "brokers": ["{{broker.Uri}}"], "telemetryBatchDelayMs": 100 },
              "devices": [
                { "id": "water-1", "type": "modbus", "endpoint": "tcp://127.0.0.1:{{meterPort}}", "unitId": 1, "pollMs": 250,
                  "points": [ { "name": "flow_total", "table": "holding", "address": 0, "type": "f32", "order": "CDAB", "unit": "m3" } ] } ] }
            """);
        var started = DateTimeOffset.UtcNow;
        using var gateway = StartAt1970(config, dir.Path);
        try
        {
            await paho.WaitForMessagesAsync(m => Readings(m).Count(r => r.Point == "flow_total") >= 10, Patience);
            var after = DateTimeOffset.UtcNow;

            var readings = Readings(paho.Messages).Where(r => r.Point == "flow_total").ToList();
            Assert.All(readings, r => Assert.Null(r.Clock));
            Assert.All(readings, r => Assert.InRange(r.Ts!.Value, started - TimeSpan.FromSeconds(1), after + TimeSpan.FromSeconds(1)));
            Assert.DoesNotContain(paho.Messages, m => Encoding.UTF8.GetString(m.Payload).Contains("1970", StringComparison.Ordinal));
            // The process really ran at 1970: NTP time disagreed with its clock by decades.
            Assert.Contains("from NTP time", gateway.Output, StringComparison.Ordinal);

            gateway.SendSigterm();
            Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        }
        catch (Exception ex) when (ex is TimeoutException or Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{ex.Message}\n--- gateway output ---\n{gateway.Output}", ex);
        }
    }

    /// <summary>The real `run` process with libfaketime starting its wall clock at 1970 (the machine's clock is not touched).</summary>
    private static GatewayProcess StartAt1970(string config, string workingDirectory) =>
        GatewayProcess.Start(["run", "--config", config], workingDirectory, new Dictionary<string, string?>
        {
            ["LD_PRELOAD"] = LibFaketime(),
            ["FAKETIME"] = "@1970-01-01 00:00:00",
            // libfaketime 0.9.10 shifts the monotonic clock by the same offset (that keeps .NET's timers,
            // which wait on CLOCK_MONOTONIC, working: FAKETIME_DONT_FAKE_MONOTONIC=1 stops them); the
            // gateway only needs it to count steadily, and the fix ties it to UTC. Without the fix
            // pthread_cond_timedwait on CLOCK_MONOTONIC misbehaves and no timer fires.
            ["FAKETIME_FORCE_MONOTONIC_FIX"] = "1",
        });

    private sealed record Reading(string Point, DateTimeOffset? Ts, string? Clock);

    private static List<Reading> Readings(IEnumerable<PahoSubscriber.Message> messages) =>
        [.. messages.SelectMany(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("readings").EnumerateArray())
            .Select(r => new Reading(
                r.GetProperty("point").GetString()!,
                r.GetProperty("ts").ValueKind == JsonValueKind.Null ? null : DateTimeOffset.Parse(r.GetProperty("ts").GetString()!, CultureInfo.InvariantCulture),
                r.TryGetProperty("clock", out var c) ? c.GetString() : null))];

    /// <summary>An RMC sentence with status A for <paramref name="utc"/>, checksummed.</summary>
    private static string Rmc(DateTimeOffset utc)
    {
        var body = string.Create(CultureInfo.InvariantCulture,
            $"GPRMC,{utc.UtcDateTime:HHmmss.ff},A,4935.780351,N,00700.812390,E,0.01,58.03,{utc.UtcDateTime:ddMMyy},,,A");
        var sum = 0;
        foreach (var c in body)
        {
            sum ^= c;
        }
        return string.Create(CultureInfo.InvariantCulture, $"${body}*{sum:X2}");
    }

    /// <summary>
    /// libfaketime (Debian package <c>faketime</c>, tools/setup.sh installs it), or the library
    /// named by <c>LIBFAKETIME_FOR_TESTS</c> (one unpacked from the .deb where nothing may be installed).
    /// </summary>
    private static string LibFaketime()
    {
        if (Environment.GetEnvironmentVariable("LIBFAKETIME_FOR_TESTS") is { Length: > 0 } named)
        {
            return File.Exists(named) ? named : throw new InvalidOperationException($"LIBFAKETIME_FOR_TESTS: {named} does not exist");
        }
        var found = Directory.EnumerateDirectories("/usr/lib", "*-linux-gnu")
            .Select(d => Path.Combine(d, "faketime", "libfaketime.so.1"))
            .FirstOrDefault(File.Exists);
        return found ?? throw new InvalidOperationException("libfaketime.so.1 not found: install the Debian package 'faketime' (tools/setup.sh)");
    }
}
