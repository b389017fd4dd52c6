using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gateway.Simulation.Mqtt;
using Gateway.Tests.Support;

namespace Gateway.Tests.Conventions;

/// <summary>
/// The paho consumer the integration guide gives the city platform (docs/examples/city_brain_consumer.py)
/// does what the guide says: over a real mosquitto it stores each (node, seq) once, ignores a
/// redelivered copy, writes the snapshot of an event under that event's seq, and reports as missing
/// only the seqs that no buffer.dropped range covers.
/// </summary>
public sealed class DocExampleConsumerTests : IDisposable
{
    private static readonly string Consumer = Repo.PathOf("docs", "examples", "city_brain_consumer.py");
    private readonly TempDirectory _dir = new("gw-doc-consumer");
    private readonly StringBuilder _output = new();
    private int _port;

    [Fact]
    public async Task The_guide_consumer_dedupes_on_node_and_seq_keeps_snapshots_and_reports_gaps_outside_dropped_ranges()
    {
        ExternalTool.RequirePythonModules("paho.mqtt.client");
        await using var broker = await LoopbackMosquitto.StartAsync(new MosquittoOptions { Name = "doc example broker" });
        _port = broker.Port;

        // Retained before the consumer starts: its arrival shows the consumer has subscribed.
        Publish("city/n1/status", Json("status.json", """{"state":"online","node":"n1","ts":"2026-11-30T00:00:00.000Z","version":"0.1.0"}"""), retain: true);
        using var consumer = StartConsumer();
        try
        {
            await Eventually.HoldsAsync(() => Output.Contains("n1 status online", StringComparison.Ordinal), () => Output);

            var jpeg = new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 0xFF, 0xD9 };
            File.WriteAllBytes(_dir.File("snap.jpg"), jpeg);
            Publish("city/n1/telemetry", Json("t1.json", Telemetry(1, 2)));
            Publish("city/n1/events", Json("e3.json", """{"v":1,"node":"n1","seq":3,"type":"litter.detected","ts":"2026-11-30T00:00:01.000Z","source":"cam-1","data":{"camera":"cam-1","zone":"kerb","class":"cup","score":0.35,"box":[1,2,3,4],"firstSeenTs":"2026-11-30T00:00:00.000Z","snapshot":true}}"""));
            Publish("city/n1/snapshots/3", _dir.File("snap.jpg"));
            Publish("city/n1/telemetry", Json("t2.json", Telemetry(2))); // a redelivery: the same seq again
            Publish("city/n1/events", Json("e7.json", """{"v":1,"node":"n1","seq":7,"type":"buffer.dropped","ts":"2026-11-30T00:00:02.000Z","source":"store","data":{"fromSeq":4,"toSeq":5,"count":2}}"""));
            Publish("city/n1/telemetry", Json("t3.json", Telemetry(6, 8, 10)));
            await Eventually.HoldsAsync(() => Output.Contains("seq 6-10", StringComparison.Ordinal), () => Output);

            using (var term = Process.Start("kill", ["-TERM", consumer.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }
            Assert.True(consumer.WaitForExit(TimeSpan.FromSeconds(30)), "the consumer did not stop on SIGTERM: " + Output);
            consumer.WaitForExit(); // lets the asynchronous output readers finish

            Assert.Equal(0, consumer.ExitCode);
            Assert.Contains("n1 telemetry seq 2-2: 0 new, 1 duplicate", Output, StringComparison.Ordinal);
            Assert.Contains("received 7 new record(s), 1 duplicate(s)", Output, StringComparison.Ordinal);
            // 4 and 5 were dropped by the node (buffer.dropped), 9 never arrived: only 9 is missing.
            Assert.Contains("n1: seq 1..10, 7 stored, 1 dropped range(s), 1 missing (first [9])", Output, StringComparison.Ordinal);
            Assert.Equal(jpeg, File.ReadAllBytes(Path.Combine(_dir.Path, "snapshots", "n1", "3.jpg")));
        }
        finally
        {
            if (!consumer.HasExited)
            {
                consumer.Kill();
            }
        }
    }

    public void Dispose() => _dir.Dispose();

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private static string Telemetry(params int[] seqs) =>
        "{\"v\":1,\"node\":\"n1\",\"readings\":[" + string.Join(",", seqs.Select(s =>
            $"{{\"seq\":{s},\"device\":\"water-1\",\"point\":\"volume_total\",\"ts\":\"2026-11-30T00:00:0{s % 10}.000Z\",\"value\":{s},\"unit\":\"m3\",\"quality\":\"good\"}}")) + "]}";

    private string Json(string name, string text)
    {
        var path = _dir.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    private void Publish(string topic, string payloadFile, bool retain = false)
    {
        string[] args = ["-h", "127.0.0.1", "-p", _port.ToString(CultureInfo.InvariantCulture), "-q", "1", "-t", topic, "-f", payloadFile];
        var result = ExternalTool.Run(ExternalTool.Require("mosquitto_pub"), retain ? [.. args, "-r"] : args, TimeSpan.FromSeconds(20));
        Assert.True(result.ExitCode == 0, $"mosquitto_pub {topic}: {result.StdErr}");
    }

    private Process StartConsumer()
    {
        var start = new ProcessStartInfo(ExternalTool.Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir.Path,
        };
        foreach (var arg in new[] { Consumer, "--port", _port.ToString(CultureInfo.InvariantCulture), "--db", "brain.db",
                     "--snapshots", "snapshots", "--client-id", "doc-test-" + Guid.NewGuid().ToString("N")[..8] })
        {
            start.ArgumentList.Add(arg);
        }
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Append(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is not null)
        {
            lock (_output)
            {
                _output.AppendLine(e.Data);
            }
        }
    }
}
