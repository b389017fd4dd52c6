using System.Globalization;
using System.Text;
using Gateway.Bench.Support;
using Gateway.Simulation.Mqtt;
using Gateway.Sync;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Mqtt.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet.Protocol;
using Net = MQTTnet;

namespace Gateway.Bench.Mqtt;

/// <summary>
/// MQTTnet 5.2 beside our client (docs/decisions.md), against one local mosquitto with
/// <c>max_inflight_messages 20</c>:
/// (1) QoS 1 publish rate and CPU, both with 20 in flight, with <c>mosquitto_pub -l</c> as the
/// same-run reference, every run counted at the broker;
/// (2) whether the broker's Receive Maximum is honoured when the application has 1,000 publishes
/// outstanding (a proxy counts the unacknowledged ones);
/// (3) whether unacknowledged QoS 1 publishes are resent with their ids and DUP on a resumed
/// session (Clean Start 0, Session Expiry 300 s; the proxy loses the PUBACKs, then cuts).
/// </summary>
public sealed class MqttCompareCommand : IBenchCommand
{
    private const int Window = 20;
    private const int Outstanding = 1_000;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public string Name => "mqtt-compare";

    public string Description => "MQTTnet 5.2 vs our MQTT client: rate, CPU, Receive Maximum, resend on resume (args: [messages=60000] [rounds=3])";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 60_000;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        await using var broker = await LoopbackMosquitto.StartAsync(new MosquittoOptions { Settings = ["sys_interval 1", "max_inflight_messages 20"] });

        var rates = await RateAndCpuAsync(broker, count, rounds, cancellationToken);
        var receiveMaximum = new Dictionary<string, string>
        {
            ["ours"] = await ReceiveMaximumAsync(broker, "ours", OursPublishManyAsync, cancellationToken),
            ["MQTTnet"] = await ReceiveMaximumAsync(broker, "MQTTnet", MqttnetPublishManyAsync, cancellationToken),
        };
        var resend = new Dictionary<string, string>
        {
            ["ours"] = await OursResumeAsync(broker, cancellationToken),
            ["MQTTnet"] = await MqttnetResumeAsync(broker, cancellationToken),
        };

        Console.WriteLine();
        Console.WriteLine("| client | rate / mosquitto_pub (median) | CPU / mosquitto_pub (median) | Receive Maximum honoured | unacknowledged QoS 1 resent on resume |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var who in new[] { "ours", "MQTTnet" })
        {
            Console.WriteLine($"| {who} | {rates[who].Rate:0.00}x | {rates[who].Cpu:0.00}x | {receiveMaximum[who]} | {resend[who]} |");
        }
        return 0;
    }

    private static async Task<Dictionary<string, (double Rate, double Cpu)>> RateAndCpuAsync(LoopbackMosquitto broker, int count, int rounds, CancellationToken cancellationToken)
    {
        var lines = QosOnePublishers.TelemetryLines(count);
        var payloads = QosOnePublishers.Payloads(lines);
        var stdin = string.Join('\n', lines) + "\n";
        // one unscored run of each first: JIT and tiering would otherwise be charged to round 1 of the in-process clients only
        var warmUp = payloads[..Math.Min(payloads.Length, 5_000)];
        await QosOnePublishers.OursAsync(broker.Port, warmUp, Window, cancellationToken);
        await QosOnePublishers.MqttnetAsync(broker.Port, warmUp, Window, cancellationToken);
        var counter = await BrokerDeliveryCounter.StartAsync(broker, cancellationToken);
        var runs = new List<(int Round, string Who, double Rate, double CpuPerMessage)>();
        Console.WriteLine($"## QoS 1 publish, {Window} in flight, {count} messages per run, counted at the broker");
        Console.WriteLine();
        Console.WriteLine("| round | client | delivered | seconds | messages/s | CPU s | CPU µs/message |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var (who, run) in new (string, Func<Task<PublishRun>>)[]
            {
                ("ours", () => QosOnePublishers.OursAsync(broker.Port, payloads, Window, cancellationToken)),
                ("MQTTnet", () => QosOnePublishers.MqttnetAsync(broker.Port, payloads, Window, cancellationToken)),
                ("mosquitto_pub", () => QosOnePublishers.MosquittoPubAsync(broker.Port, stdin, cancellationToken)),
            })
            {
                var result = await run();
                var delivered = await counter.DeliveredAsync(cancellationToken);
                var rate = delivered / result.Elapsed.TotalSeconds;
                var cpuPerMessage = result.Cpu.TotalMicroseconds / Math.Max(1, delivered);
                runs.Add((round, who, rate, cpuPerMessage));
                Console.WriteLine($"| {round} | {who} | {delivered} | {result.Elapsed.TotalSeconds:0.000} | {rate:0} | {result.Cpu.TotalSeconds:0.00} | {cpuPerMessage:0.0} |");
            }
        }
        // ratios within each round (same minute, same load), then the median over rounds
        double MedianRatio(string who, Func<(int Round, string Who, double Rate, double CpuPerMessage), double> value) =>
            runs.Where(r => r.Who == who)
                .Select(r => value(r) / value(runs.Single(x => x.Round == r.Round && x.Who == "mosquitto_pub")))
                .Order().ElementAt(rounds / 2);
        Console.WriteLine();
        return new[] { "ours", "MQTTnet" }.ToDictionary(w => w, w => (MedianRatio(w, r => r.Rate), MedianRatio(w, r => r.CpuPerMessage)));
    }

    private static async Task<string> ReceiveMaximumAsync(LoopbackMosquitto broker, string who, Func<int, Task<int>> publishMany, CancellationToken cancellationToken)
    {
        await using var proxy = new MqttCountingProxy(broker.Port);
        var acknowledged = await publishMany(proxy.Port).WaitAsync(Wait, cancellationToken);
        var granted = proxy.Connections[0].ReceiveMaximum;
        var honoured = proxy.MaxInFlight <= granted;
        Console.WriteLine($"Receive Maximum, {who}: broker granted {granted}; {Outstanding} publishes outstanding in the application; most unacknowledged at once on the wire: {proxy.MaxInFlight}; acknowledged: {acknowledged}/{Outstanding}; connections: {proxy.Connections.Count}");
        return honoured ? $"yes (max {proxy.MaxInFlight} in flight, granted {granted})" : $"**no** (max {proxy.MaxInFlight} in flight, granted {granted})";
    }

    private static async Task<int> OursPublishManyAsync(int port)
    {
        var options = new MqttOptions { Brokers = [$"mqtt://127.0.0.1:{port}"], ProtocolVersion = "5.0", InFlightWindow = Outstanding, SessionExpirySeconds = 0 };
        var uplink = NewUplink(options, "bench-rm-ours");
        await uplink.StartAsync(CancellationToken.None);
        try
        {
            var outcomes = new List<Task<MqttPublishResult>>();
            for (var i = 0; i < Outstanding; i++)
            {
                outcomes.Add(await uplink.EnqueuePublishAsync(Message(i), CancellationToken.None));
            }
            return (await Task.WhenAll(outcomes)).Count(o => o.IsDelivered);
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<int> MqttnetPublishManyAsync(int port)
    {
        using var client = new Net.MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(MqttnetOptions(port, "bench-rm-mqttnet", cleanStart: true), CancellationToken.None);
        var outcomes = Enumerable.Range(0, Outstanding).Select(i => client.PublishAsync(MqttnetMessage(i), CancellationToken.None)).ToList();
        var acknowledged = 0;
        foreach (var outcome in outcomes)
        {
            try
            {
                acknowledged += (await outcome).IsSuccess ? 1 : 0;
            }
            catch (Exception e) when (e is Net.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                // the connection ended under it: counted as not acknowledged
            }
        }
        if (client.IsConnected)
        {
            await client.DisconnectAsync(new Net.MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None);
        }
        return acknowledged;
    }

    private static async Task<string> OursResumeAsync(LoopbackMosquitto broker, CancellationToken cancellationToken)
    {
        await using var proxy = new MqttCountingProxy(broker.Port);
        var options = new MqttOptions { Brokers = [proxy.Uri], ProtocolVersion = "5.0", InFlightWindow = Window, SessionExpirySeconds = 300, ReconnectMinSeconds = 0.2 };
        var uplink = NewUplink(options, "bench-resume-ours");
        await uplink.StartAsync(cancellationToken);
        try
        {
            if (!(await uplink.PublishAsync(Message(0), cancellationToken)).IsDelivered)
            {
                throw new InvalidOperationException("first publish not delivered");
            }
            proxy.SwallowReplies();
            var outcomes = new List<Task<MqttPublishResult>>();
            for (var i = 1; i <= 3; i++)
            {
                outcomes.Add(await uplink.EnqueuePublishAsync(Message(i), cancellationToken));
            }
            await UntilAsync(() => proxy.Connections[0].Publishes.Count == 4, cancellationToken);
            proxy.CutAll();
            var results = await Task.WhenAll(outcomes).WaitAsync(Wait, cancellationToken);
            await UntilAsync(() => proxy.Connections.Count >= 2 && proxy.Connections[1].Publishes.Count >= 3, cancellationToken);
            var fresh = await uplink.PublishAsync(Message(4), cancellationToken);
            return ResumeVerdict("ours", proxy.Connections, string.Join(", ", results.Select(r => r.Outcome)) + $"; next new publish: {fresh.Outcome}");
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<string> MqttnetResumeAsync(LoopbackMosquitto broker, CancellationToken cancellationToken)
    {
        await using var proxy = new MqttCountingProxy(broker.Port);
        using var client = new Net.MqttClientFactory().CreateMqttClient();
        var options = MqttnetOptions(proxy.Port, "bench-resume-mqttnet", cleanStart: false);
        await client.ConnectAsync(options, cancellationToken);
        if (!(await client.PublishAsync(MqttnetMessage(0), cancellationToken)).IsSuccess)
        {
            throw new InvalidOperationException("first MQTTnet publish not acknowledged");
        }
        proxy.SwallowReplies();
        var outcomes = Enumerable.Range(1, 3).Select(i => client.PublishAsync(MqttnetMessage(i), cancellationToken)).ToList();
        await UntilAsync(() => proxy.Connections[0].Publishes.Count == 4, cancellationToken);
        proxy.CutAll();
        var endings = new List<string>();
        foreach (var outcome in outcomes)
        {
            try
            {
                endings.Add((await outcome.WaitAsync(Wait, cancellationToken)).ReasonCode.ToString());
            }
            catch (Exception e) when (e is not TimeoutException)
            {
                endings.Add(e.GetType().Name);
            }
        }
        // MQTTnet 5 has no reconnect of its own: the application connects again, with the same options
        // (it refuses while its own disconnect is still being processed: try until it accepts)
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            try
            {
                await client.ConnectAsync(options, cancellationToken);
                break;
            }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken); // time to resend, if it does
        var fresh = await client.PublishAsync(MqttnetMessage(4), cancellationToken);
        await client.DisconnectAsync(new Net.MqttClientDisconnectOptionsBuilder().Build(), cancellationToken);
        return ResumeVerdict("MQTTnet", proxy.Connections, string.Join(", ", endings) + $"; next new publish: {fresh.ReasonCode}");
    }

    /// <summary>Resent = the second connection begins with the three publishes the first left unacknowledged, same ids, DUP set.</summary>
    private static string ResumeVerdict(string who, IReadOnlyList<ObservedConnection> connections, string outcomes)
    {
        static string Show(IEnumerable<ObservedPublish> publishes) => string.Join(" ", publishes.Select(p => $"{p.PacketId}{(p.Dup ? "(DUP)" : "")}"));
        var first = connections[0].Publishes;
        var second = connections.Count > 1 ? connections[1].Publishes : [];
        Console.WriteLine($"Resume, {who}: connection 1 sent ids [{Show(first)}], the last three unacknowledged when cut; connection 2 (Session Present {connections.ElementAtOrDefault(1)?.SessionPresent}) sent [{Show(second)}]; outcomes of the three: {outcomes}");
        var lost = first.Skip(1).Select(p => p.PacketId).ToList();
        var resent = second.Take(3).ToList();
        var yes = resent.Count == 3 && resent.Select(p => p.PacketId).SequenceEqual(lost) && resent.All(p => p.Dup);
        return yes ? $"yes (ids {string.Join(",", lost)} again with DUP)" : $"**no** (connection 2 sent [{Show(second)}])";
    }

    private static async Task UntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not reached in time");
            }
            await Task.Delay(20, cancellationToken);
        }
    }

    private static MqttConnectionSupervisor NewUplink(MqttOptions options, string clientId) =>
        new(options, new MqttSessionSetup { DefaultClientId = clientId }, new MqttTransportConnector(new MqttTlsSettings()), TimeProvider.System, NullLogger<MqttConnectionSupervisor>.Instance);

    private static MqttApplicationMessage Message(int i) => new(QosOnePublishers.Topic, Encoding.UTF8.GetBytes($"m{i}"));

    private static Net.MqttApplicationMessage MqttnetMessage(int i) => new Net.MqttApplicationMessageBuilder()
        .WithTopic(QosOnePublishers.Topic).WithPayload($"m{i}").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    private static Net.MqttClientOptions MqttnetOptions(int port, string clientId, bool cleanStart) => new Net.MqttClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", port)
        .WithProtocolVersion(Net.Formatter.MqttProtocolVersion.V500)
        .WithClientId(clientId)
        .WithCleanStart(cleanStart)
        .WithSessionExpiryInterval(cleanStart ? 0u : 300u)
        .Build();
}
