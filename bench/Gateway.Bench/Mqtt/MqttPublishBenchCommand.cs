using Gateway.Simulation.Mqtt;
using System.Globalization;
using Gateway.Bench.Support;

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
        var oursOnly = args.Length > 2 && args[2] == "ours-only";
        var lines = QosOnePublishers.TelemetryLines(count);
        var payloads = QosOnePublishers.Payloads(lines);
        var stdin = string.Join('\n', lines) + "\n";

        await using var broker = await LoopbackMosquitto.StartAsync(new MosquittoOptions { Settings = ["sys_interval 1"] });
        var counter = await BrokerDeliveryCounter.StartAsync(broker, cancellationToken);
        var results = new List<(string Who, double Rate)>();
        Console.WriteLine($"| round | client | in-flight window | messages | delivered | seconds | messages/s |");
        Console.WriteLine($"| --- | --- | --- | --- | --- | --- | --- |");
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var window in new[] { 20, 100 })
            {
                var ours = await QosOnePublishers.OursAsync(broker.Port, payloads, window, cancellationToken);
                Console.Error.WriteLine($"(ours: {ours.Cpu.TotalSeconds:0.00} s CPU of the whole bench process in {ours.Elapsed.TotalSeconds:0.00} s)");
                var delivered = await counter.DeliveredAsync(cancellationToken);
                results.Add(($"ours-{window}", delivered / ours.Elapsed.TotalSeconds));
                Console.WriteLine($"| {round} | ours | {window} | {count} | {delivered} | {ours.Elapsed.TotalSeconds:0.000} | {delivered / ours.Elapsed.TotalSeconds:0} |");
            }
            if (oursOnly)
            {
                continue;
            }
            var reference = await QosOnePublishers.MosquittoPubAsync(broker.Port, stdin, cancellationToken);
            var referenceDelivered = await counter.DeliveredAsync(cancellationToken);
            results.Add(("mosquitto_pub", referenceDelivered / reference.Elapsed.TotalSeconds));
            Console.WriteLine($"| {round} | mosquitto_pub -l -q 1 | 20 (its default) | {count} | {referenceDelivered} | {reference.Elapsed.TotalSeconds:0.000} | {referenceDelivered / reference.Elapsed.TotalSeconds:0} |");
        }
        if (oursOnly)
        {
            return 0;
        }
        var median = results.GroupBy(r => r.Who).ToDictionary(g => g.Key, g => g.Select(r => r.Rate).Order().ElementAt(g.Count() / 2));
        Console.WriteLine();
        Console.WriteLine($"median: mosquitto_pub {median["mosquitto_pub"]:0}/s; ours (window 20) {median["ours-20"]:0}/s = {median["ours-20"] / median["mosquitto_pub"]:0.00}x; ours (window 100) {median["ours-100"]:0}/s = {median["ours-100"] / median["mosquitto_pub"]:0.00}x");
        return 0;
    }
}
