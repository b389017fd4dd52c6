using Gateway.Simulation.Mqtt;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Mqtt.Packets;
using Gateway.Tests.Sync.Mqtt.Peers;

namespace Gateway.Tests.Sync.Mqtt;

/// <summary>
/// MQTT 5.0 / 3.1.1 §4.4 [MQTT-4.4.0-1]: after reconnecting with Clean Start 0 to a broker that kept
/// the session, the unacknowledged publishes go out again first, with their original packet ids and
/// DUP set, and their original outcomes complete with the new PUBACKs.
/// </summary>
public partial class SessionResumeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("5.0")]
    [InlineData("3.1.1")]
    public async Task Against_mosquitto_a_cut_before_the_pubacks_is_healed_by_resending_with_the_original_ids(string version)
    {
        const string topic = "city/pole-0001/events";
        await using var broker = MosquittoPeer.Create(logPackets: true);
        await broker.StartAsync();
        using var paho = new PahoSubscriber(broker.Port, topic);
        await paho.WaitUntilReadyAsync();
        await using var proxy = new InterruptibleTcpProxy(broker.Port);
        var clientId = "gw-resume-" + version.Replace(".", "", StringComparison.Ordinal);
        var uplink = await MqttUplinkHarness.StartAsync(MqttUplinkHarness.Options(version, proxy.Uri), new MqttSessionSetup { DefaultClientId = clientId });
        try
        {
            using var cancel = new CancellationTokenSource(Wait);
            Assert.True((await uplink.PublishAsync(Message(topic, 0), cancel.Token)).IsDelivered);

            // the broker gets three more, but its PUBACKs are lost, then the connection breaks
            proxy.SwallowReplies();
            var outcomes = new List<Task<MqttPublishResult>>();
            for (var i = 1; i <= 3; i++)
            {
                outcomes.Add(await uplink.EnqueuePublishAsync(Message(topic, i), cancel.Token));
            }
            await MqttUplinkHarness.WaitUntilAsync(() => Received(broker, clientId).Count == 4, Wait, () => $"mosquitto saw {Received(broker, clientId).Count} publishes: {broker.Log}");
            Assert.All(outcomes, o => Assert.False(o.IsCompleted));
            proxy.CutAll();

            // mosquitto kept the session (Clean Start 0): the same three go out again, ids unchanged, DUP set
            foreach (var outcome in outcomes)
            {
                Assert.Equal(MqttPublishOutcome.Delivered, (await outcome.WaitAsync(cancel.Token)).Outcome);
            }
            var seen = Received(broker, clientId);
            var firstTime = seen.Skip(1).Take(3).ToList();
            var again = seen.Skip(4).ToList();
            Assert.All(firstTime, p => Assert.False(p.Dup));
            Assert.Equal(firstTime.Select(p => p.Mid), again.Select(p => p.Mid));
            Assert.All(again, p => Assert.True(p.Dup, $"mid {p.Mid} resent without DUP"));
            // mosquitto's "Sending CONNACK to <client> (<session present>, <reason>)": first none, then the kept session
            Assert.Equal(["0", "1"], [.. ConnAckSent().Matches(broker.Log).Where(m => m.Groups[1].Value == clientId).Select(m => m.Groups[2].Value)]);

            // an independent subscriber got every message (a duplicate is allowed, a loss is not)
            await paho.WaitForMessagesAsync(m => Enumerable.Range(0, 4).All(i => m.Any(x => Encoding.UTF8.GetString(x.Payload) == $"m{i}")), Wait);
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
    }

    private static MqttApplicationMessage Message(string topic, int i) => new(topic, Encoding.UTF8.GetBytes($"m{i}"));

    private static List<(bool Dup, int Mid)> Received(LoopbackMosquitto broker, string clientId) =>
        [.. ReceivedPublish().Matches(broker.Log)
            .Where(m => m.Groups[1].Value == clientId)
            .Select(m => (m.Groups[2].Value == "1", int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)))];

    // mosquitto 2.0 with log_type all: "Received PUBLISH from <client> (d<dup>, q<qos>, r<retain>, m<id>, '<topic>', ... (<n> bytes))"
    [GeneratedRegex(@"Received PUBLISH from (\S+) \(d(\d), q1, r0, m(\d+),")]
    private static partial Regex ReceivedPublish();

    [GeneratedRegex(@"Sending CONNACK to (\S+) \((\d), 0\)")]
    private static partial Regex ConnAckSent();

    [Theory]
    [InlineData(MqttProtocolVersion.V500, "5.0")]
    [InlineData(MqttProtocolVersion.V311, "3.1.1")]
    public async Task Unacknowledged_publishes_are_sent_again_with_their_original_ids_when_the_broker_kept_the_session(MqttProtocolVersion version, string versionText)
    {
        var first = new ConcurrentQueue<PublishPacket>();
        var second = new ConcurrentQueue<PublishPacket>();
        await using var broker = new FakeMqttBroker(version, async (n, connection, token) =>
        {
            if (n == 0)
            {
                // take four publishes, acknowledge only the first, then drop the connection
                while (first.Count < 4)
                {
                    if (await connection.ReadAsync(token) is PublishPacket publish)
                    {
                        first.Enqueue(publish);
                    }
                }
                await connection.SendAsync(new PubAckPacket(first.First().PacketId), token);
                await Task.Delay(100, token);
                return;
            }
            while (true)
            {
                if (await connection.ReadAsync(token) is PublishPacket publish)
                {
                    second.Enqueue(publish);
                    await connection.SendAsync(new PubAckPacket(publish.PacketId), token);
                }
            }
        }, n => new ConnAckPacket { SessionPresent = n > 0 });
        var uplink = await MqttUplinkHarness.StartAsync(MqttUplinkHarness.Options(versionText, broker.Uri));
        try
        {
            using var cancel = new CancellationTokenSource(Wait);
            var outcomes = new List<Task<MqttPublishResult>>();
            for (var i = 0; i < 4; i++)
            {
                outcomes.Add(await uplink.EnqueuePublishAsync(new MqttApplicationMessage("t", new[] { (byte)i }), cancel.Token));
            }
            Assert.Equal(MqttPublishOutcome.Delivered, (await outcomes[0].WaitAsync(cancel.Token)).Outcome);
            await MqttUplinkHarness.WaitUntilAsync(() => second.Count >= 3, Wait, () => $"{second.Count} publishes on the second connection");
            var fifth = await uplink.PublishAsync(new MqttApplicationMessage("t", new byte[] { 4 }), cancel.Token);

            // the three unacknowledged ones: same ids, DUP set, in their original order, before anything new
            var again = second.Take(3).ToList();
            Assert.Equal(first.Skip(1).Select(p => p.PacketId), again.Select(p => p.PacketId));
            Assert.All(again, p => Assert.True(p.Duplicate, $"packet {p.PacketId} must carry DUP"));
            Assert.Equal(new byte[] { 1, 2, 3 }, again.Select(p => p.Message.Payload.Span[0]));
            Assert.All(first, p => Assert.False(p.Duplicate));
            foreach (var outcome in outcomes.Skip(1))
            {
                Assert.Equal(MqttPublishOutcome.Delivered, (await outcome.WaitAsync(cancel.Token)).Outcome);
            }
            // then new publishes, with ids that do not collide with the resent ones
            Assert.Equal(MqttPublishOutcome.Delivered, fifth.Outcome);
            var fresh = second.Skip(3).Single();
            Assert.False(fresh.Duplicate);
            Assert.DoesNotContain(fresh.PacketId, again.Select(p => p.PacketId));
            Assert.Equal(2, broker.ConnectionCount);
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Without_a_session_on_the_broker_the_unacknowledged_publishes_come_back_as_connection_lost()
    {
        var second = new ConcurrentQueue<PublishPacket>();
        await using var broker = new FakeMqttBroker(MqttProtocolVersion.V500, async (n, connection, token) =>
        {
            if (n == 0)
            {
                var seen = 0;
                while (seen < 2)
                {
                    if (await connection.ReadAsync(token) is PublishPacket)
                    {
                        seen++;
                    }
                }
                return; // drop the connection with both unacknowledged
            }
            while (true)
            {
                if (await connection.ReadAsync(token) is PublishPacket publish)
                {
                    second.Enqueue(publish);
                }
            }
        }, _ => new ConnAckPacket { SessionPresent = false });
        var uplink = await MqttUplinkHarness.StartAsync(MqttUplinkHarness.Options("5.0", broker.Uri));
        try
        {
            using var cancel = new CancellationTokenSource(Wait);
            var a = await uplink.EnqueuePublishAsync(new MqttApplicationMessage("t", new byte[] { 1 }), cancel.Token);
            var b = await uplink.EnqueuePublishAsync(new MqttApplicationMessage("t", new byte[] { 2 }), cancel.Token);

            Assert.Equal(MqttPublishOutcome.ConnectionLost, (await a.WaitAsync(cancel.Token)).Outcome);
            Assert.Equal(MqttPublishOutcome.ConnectionLost, (await b.WaitAsync(cancel.Token)).Outcome);
            // they completed only once the new broker connection said it had no session
            Assert.Equal(2, broker.ConnectionCount);
            await Task.Delay(200);
            Assert.Empty(second); // the publisher, not the client, decides to send them again
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_clean_session_fails_unacknowledged_publishes_as_soon_as_the_connection_drops()
    {
        var dropped = new TaskCompletionSource();
        await using var broker = new FakeMqttBroker(MqttProtocolVersion.V500, async (n, connection, token) =>
        {
            if (n == 0)
            {
                while (await connection.ReadAsync(token) is not PublishPacket)
                {
                }
                return;
            }
            dropped.TrySetResult();
            await Task.Delay(Timeout.Infinite, token);
        });
        var options = MqttUplinkHarness.Options("5.0", broker.Uri);
        options.SessionExpirySeconds = 0;
        var uplink = await MqttUplinkHarness.StartAsync(options);
        try
        {
            using var cancel = new CancellationTokenSource(Wait);
            var outcome = await uplink.EnqueuePublishAsync(new MqttApplicationMessage("t", new byte[] { 1 }), cancel.Token);
            Assert.Equal(MqttPublishOutcome.ConnectionLost, (await outcome.WaitAsync(cancel.Token)).Outcome);
            Assert.All(broker.Connects, c => Assert.True(c.CleanStart));
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Stopping_while_disconnected_completes_the_carried_publishes()
    {
        await using var broker = new FakeMqttBroker(MqttProtocolVersion.V500, async (n, connection, token) =>
        {
            while (await connection.ReadAsync(token) is not PublishPacket)
            {
            }
        }, n => n == 0 ? new ConnAckPacket() : new ConnAckPacket { ReasonCode = 0x88 }); // then: server unavailable
        var uplink = await MqttUplinkHarness.StartAsync(MqttUplinkHarness.Options("5.0", broker.Uri));
        using var cancel = new CancellationTokenSource(Wait);
        var outcome = await uplink.EnqueuePublishAsync(new MqttApplicationMessage("t", new byte[] { 1 }), cancel.Token);
        await MqttUplinkHarness.WaitUntilAsync(() => broker.ConnectionCount >= 3, Wait, () => $"{broker.ConnectionCount} connections");
        Assert.False(outcome.IsCompleted, "carried while the broker refuses: the session may still come back");

        await uplink.StopAsync(CancellationToken.None);

        Assert.Equal(MqttPublishOutcome.ConnectionLost, (await outcome.WaitAsync(cancel.Token)).Outcome);
    }
}
