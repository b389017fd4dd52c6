using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gateway.Bench.Support;
using Gateway.Sync;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Mqtt.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet.Protocol;
using Net = MQTTnet;

namespace Gateway.Bench.Mqtt;

/// <summary>
/// The QoS 1 publishers that the MQTT benches time against one broker: our uplink, MQTTnet and
/// <c>mosquitto_pub -l</c>. Each keeps <c>window</c> publishes in flight and is timed from start
/// (connect included) to the last PUBACK; CPU is the bench process's own for the in-process
/// clients and the child's (getrusage) for mosquitto_pub.
/// </summary>
internal static class QosOnePublishers
{
    public const string Topic = "city/pole-0001/telemetry";

    /// <summary>Telemetry-shaped JSON lines (~110 bytes), the same for every publisher.</summary>
    public static string[] TelemetryLines(int count) =>
        [.. Enumerable.Range(1, count).Select(i => $"{{\"v\":1,\"node\":\"pole-0001\",\"readings\":[{{\"seq\":{i},\"device\":\"water-1\",\"point\":\"flow_total\",\"value\":{i * 0.25},\"quality\":\"good\"}}]}}")];

    public static ReadOnlyMemory<byte>[] Payloads(string[] lines) => [.. lines.Select(l => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(l))];

    public static async Task<PublishRun> OursAsync(int port, ReadOnlyMemory<byte>[] payloads, int window, CancellationToken cancellationToken)
    {
        var options = new MqttOptions { Brokers = [$"mqtt://127.0.0.1:{port}"], ProtocolVersion = "5.0", InFlightWindow = window, SessionExpirySeconds = 0 };
        var cpu = ProcessCpuClock.Nanoseconds();
        var stopwatch = Stopwatch.StartNew();
        var uplink = new MqttConnectionSupervisor(options, new MqttSessionSetup { DefaultClientId = "bench-ours" },
            new MqttTransportConnector(new MqttTlsSettings()), TimeProvider.System, NullLogger<MqttConnectionSupervisor>.Instance);
        await uplink.StartAsync(cancellationToken);
        try
        {
            // keep the whole window busy: await only the outcome that is `window` publishes old, so
            // that every PUBACK is answered by the next PUBLISH at once (topping the window up in
            // bursts instead stalls on a broker whose sockets use Nagle, as mosquitto's do by default)
            var outcomes = new Queue<Task<MqttPublishResult>>(window + 1);
            foreach (var payload in payloads)
            {
                outcomes.Enqueue(await uplink.EnqueuePublishAsync(new MqttApplicationMessage(Topic, payload), cancellationToken));
                if (outcomes.Count > window)
                {
                    Expect(await outcomes.Dequeue());
                }
            }
            while (outcomes.Count > 0)
            {
                Expect(await outcomes.Dequeue());
            }
            return new PublishRun(stopwatch.Elapsed, CpuSince(cpu));
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>MQTTnet 5 the way its README publishes: one client, <c>PublishAsync</c> per message, <c>window</c> of them outstanding.</summary>
    public static async Task<PublishRun> MqttnetAsync(int port, ReadOnlyMemory<byte>[] payloads, int window, CancellationToken cancellationToken)
    {
        var cpu = ProcessCpuClock.Nanoseconds();
        var stopwatch = Stopwatch.StartNew();
        using var client = new Net.MqttClientFactory().CreateMqttClient();
        var options = new Net.MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(Net.Formatter.MqttProtocolVersion.V500)
            .WithClientId("bench-mqttnet")
            .Build();
        await client.ConnectAsync(options, cancellationToken);
        var outcomes = new Queue<Task<Net.MqttClientPublishResult>>(window + 1);
        foreach (var payload in payloads)
        {
            var message = new Net.MqttApplicationMessageBuilder()
                .WithTopic(Topic)
                .WithPayloadSegment(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            outcomes.Enqueue(client.PublishAsync(message, cancellationToken));
            if (outcomes.Count > window)
            {
                Expect(await outcomes.Dequeue());
            }
        }
        while (outcomes.Count > 0)
        {
            Expect(await outcomes.Dequeue());
        }
        var run = new PublishRun(stopwatch.Elapsed, CpuSince(cpu));
        await client.DisconnectAsync(new Net.MqttClientDisconnectOptionsBuilder().Build(), cancellationToken);
        return run;
    }

    public static async Task<PublishRun> MosquittoPubAsync(int port, string stdin, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(BenchTool.Require("mosquitto_pub"), ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-V", "5", "-q", "1", "-t", Topic, "-l", "-i", "bench-ref"])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
        };
        // only this child exits during the run: the broker runs on, mosquitto_sub runs between runs
        var cpu = ProcessCpuClock.ChildrenNanoseconds();
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken);
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        var elapsed = stopwatch.Elapsed;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"mosquitto_pub exited with {process.ExitCode}");
        }
        return new PublishRun(elapsed, TimeSpan.FromTicks((ProcessCpuClock.ChildrenNanoseconds() - cpu) / 100));
    }

    private static TimeSpan CpuSince(long startNanoseconds) => TimeSpan.FromTicks((ProcessCpuClock.Nanoseconds() - startNanoseconds) / 100);

    private static void Expect(MqttPublishResult result)
    {
        if (!result.IsDelivered)
        {
            throw new InvalidOperationException($"publish not delivered: {result}");
        }
    }

    private static void Expect(Net.MqttClientPublishResult result)
    {
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"MQTTnet publish not acknowledged: {result.ReasonCode} {result.ReasonString}");
        }
    }
}
