using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gateway.Bench.Support;
using Gateway.Sync;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Mqtt.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Bench.Mqtt;

/// <summary>
/// Benchmark (a) of issue 4: raw QoS 1 publish rate of our client against <c>mosquitto_pub -l</c>
/// (the broker authors' C client) — the same messages, to the same local mosquitto, in the same run,
/// alternating rounds. Both are timed from start (process start / uplink start, so connecting is
/// included for both) to the last PUBACK (mosquitto_pub exits only once all are acknowledged).
/// <para>
/// Every round is checked against the broker's own count of received PUBLISH packets: a client
/// only scores for what really arrived. This matters: mosquitto_pub 2.0.11 <c>-l</c> disconnects at
/// the first PUBACK whose packet id equals that of its last line, so above 65,535 lines (ids wrap)
/// it exits early, with status 0, having sent as few as 3,400 of 200,000 messages. Hence the
/// default of 60,000 messages per round, below the wrap.
/// </para>
/// </summary>
public sealed class MqttPublishBenchCommand : IBenchCommand
{
    public string Name => "mqtt-publish";

    public string Description => "QoS 1 publish rate of our MQTT client vs mosquitto_pub -l (args: [messages=60000] [rounds=5] [ours-only])";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 60_000;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        const string topic = "city/pole-0001/telemetry";
        var lines = Enumerable.Range(1, count)
            .Select(i => $"{{\"v\":1,\"node\":\"pole-0001\",\"readings\":[{{\"seq\":{i},\"device\":\"water-1\",\"point\":\"flow_total\",\"value\":{i * 0.25},\"quality\":\"good\"}}]}}")
            .ToArray();
        var payloads = lines.Select(l => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(l)).ToArray();
        var stdin = string.Join('\n', lines) + "\n";

        await using var broker = await LocalMosquitto.StartAsync("user root", "sys_interval 1");
        var port = broker.Port;
        {
            var results = new List<(string Who, double Rate)>();
            var received = await broker.ReadPublishReceivedAsync(cancellationToken);
            // messages/s counts only what the broker received, checked after every run
            async Task<long> DeliveredAsync()
            {
                var now = await broker.ReadPublishReceivedAsync(cancellationToken);
                var delivered = now - received;
                received = now;
                return delivered;
            }
            Console.WriteLine($"| round | client | in-flight window | messages | delivered | seconds | messages/s |");
            Console.WriteLine($"| --- | --- | --- | --- | --- | --- | --- |");
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var window in new[] { 20, 100 })
                {
                    var ours = await RunOursAsync(port, topic, payloads, window, cancellationToken);
                    var delivered = await DeliveredAsync();
                    results.Add(($"ours-{window}", delivered / ours.TotalSeconds));
                    Console.WriteLine($"| {round} | ours | {window} | {count} | {delivered} | {ours.TotalSeconds:0.000} | {delivered / ours.TotalSeconds:0} |");
                }
                if (args.Length > 2 && args[2] == "ours-only")
                {
                    continue;
                }
                var reference = await RunMosquittoPubAsync(port, topic, stdin, cancellationToken);
                var referenceDelivered = await DeliveredAsync();
                results.Add(("mosquitto_pub", referenceDelivered / reference.TotalSeconds));
                Console.WriteLine($"| {round} | mosquitto_pub -l -q 1 | 20 (its default) | {count} | {referenceDelivered} | {reference.TotalSeconds:0.000} | {referenceDelivered / reference.TotalSeconds:0} |");
            }
            if (args.Length > 2 && args[2] == "ours-only")
            {
                return 0;
            }
            var median = results.GroupBy(r => r.Who).ToDictionary(g => g.Key, g => g.Select(r => r.Rate).Order().ElementAt(g.Count() / 2));
            Console.WriteLine();
            Console.WriteLine($"median: mosquitto_pub {median["mosquitto_pub"]:0}/s; ours (window 20) {median["ours-20"]:0}/s = {median["ours-20"] / median["mosquitto_pub"]:0.00}x; ours (window 100) {median["ours-100"]:0}/s = {median["ours-100"] / median["mosquitto_pub"]:0.00}x");
            return 0;
        }
    }

    private static async Task<TimeSpan> RunOursAsync(int port, string topic, ReadOnlyMemory<byte>[] payloads, int window, CancellationToken cancellationToken)
    {
        var options = new MqttOptions { Brokers = [$"mqtt://127.0.0.1:{port}"], ProtocolVersion = "5.0", InFlightWindow = window, SessionExpirySeconds = 0 };
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
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
                outcomes.Enqueue(await uplink.EnqueuePublishAsync(new MqttApplicationMessage(topic, payload), cancellationToken));
                if (outcomes.Count > window)
                {
                    Expect(await outcomes.Dequeue());
                }
            }
            while (outcomes.Count > 0)
            {
                Expect(await outcomes.Dequeue());
            }
            var elapsed = stopwatch.Elapsed;
            Console.Error.WriteLine($"(ours: {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.00} s CPU of the whole bench process in {elapsed.TotalSeconds:0.00} s)");
            return elapsed;
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
    }

    private static void Expect(MqttPublishResult result)
    {
        if (!result.IsDelivered)
        {
            throw new InvalidOperationException($"publish not delivered: {result}");
        }
    }

    private static async Task<TimeSpan> RunMosquittoPubAsync(int port, string topic, string stdin, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(LocalMosquitto.Find("mosquitto_pub"), ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-V", "5", "-q", "1", "-t", topic, "-l", "-i", "bench-ref"])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
        };
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
        return elapsed;
    }

}
