using System.Text;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Mqtt.Packets;
using Gateway.Tests.Sync.Mqtt.Peers;

namespace Gateway.Tests.Sync.Mqtt;

/// <summary>A broker that sends garbage, truncated and oversized packets: the client reconnects, nothing escapes, and nothing not PUBACKed is reported delivered.</summary>
public class FaultyBrokerTests
{
    public static TheoryData<MqttProtocolVersion> Versions => new() { MqttProtocolVersion.V311, MqttProtocolVersion.V500 };

    private static readonly byte[][] Faults =
    [
        FakeMqttBroker.Garbage,                                 // packet type 0
        [0x40, 0x02, 0x00],                                     // a PUBACK cut off mid-packet, then the socket closes
        [0x30, 0xFF, 0xFF, 0xFF, 0x7F, 0x00, 0x01, (byte)'a'],   // a PUBLISH announcing 256 MiB
        [0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],                   // a remaining length of five bytes
        [0x40, 0x02, 0xBE, 0xEF],                               // a PUBACK for a packet id never used
        [0x36, 0x05, 0x00, 0x01, (byte)'a', 0x00, 0x01],         // PUBLISH with QoS 3
        [0xE0, 0x00],                                           // 3.1.1: DISCONNECT from the broker is not allowed; 5.0: a normal server disconnect
    ];

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Misbehaving_broker_causes_reconnects_and_no_false_delivery(MqttProtocolVersion version)
    {
        // connection n acknowledges n+3 publishes, then commits fault n; after the faults it is an honest broker
        await using var broker = new FakeMqttBroker(version, async (n, connection, token) =>
        {
            if (n < Faults.Length)
            {
                await connection.AcknowledgePublishesAsync(n + 3, token);
                await connection.SendRawAsync(Faults[n], token);
                await Task.Delay(200, token); // let the client react before the socket closes
                return;
            }
            await connection.AcknowledgePublishesAsync(int.MaxValue, token);
        });
        var options = MqttUplinkHarness.Options(version == MqttProtocolVersion.V311 ? "3.1.1" : "5.0", broker.Uri);
        options.InFlightWindow = 4;
        var uplink = await MqttUplinkHarness.StartAsync(options);
        var delivered = new List<string>();
        try
        {
            var messages = Enumerable.Range(1, 200).Select(i => new MqttApplicationMessage("city/p/telemetry", Encoding.UTF8.GetBytes($"m{i}"))).ToList();
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var outstanding = new Queue<MqttApplicationMessage>(messages);
            while (outstanding.Count > 0)
            {
                var batch = new List<(MqttApplicationMessage Message, Task<MqttPublishResult> Outcome)>();
                while (outstanding.Count > 0 && batch.Count < 10)
                {
                    var message = outstanding.Dequeue();
                    batch.Add((message, await uplink.EnqueuePublishAsync(message, cancel.Token)));
                }
                foreach (var (message, outcome) in batch)
                {
                    var result = await outcome.WaitAsync(cancel.Token);
                    if (result.IsDelivered)
                    {
                        delivered.Add(Encoding.UTF8.GetString(message.Payload.Span));
                    }
                    else
                    {
                        Assert.Equal(MqttPublishOutcome.ConnectionLost, result.Outcome);
                        outstanding.Enqueue(message);
                    }
                }
            }
            Assert.False(uplink.ExecuteTask!.IsCompleted, "the supervisor loop must survive every fault");
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }

        Assert.True(broker.ConnectionCount > Faults.Length, $"{broker.ConnectionCount} connections");
        Assert.Equal(200, delivered.Distinct().Count());
        // every Delivered outcome is backed by a PUBACK the broker really sent for that message
        var acked = broker.Acknowledged.GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count());
        foreach (var group in delivered.GroupBy(p => p))
        {
            Assert.True(acked.TryGetValue(group.Key, out var acks) && acks >= group.Count(), $"{group.Key} reported delivered {group.Count()}x, PUBACKed {acks}x");
        }
        Assert.Equal(MqttConnectionState.Stopped, uplink.Status.State);
    }

    [Fact]
    public async Task A_refused_connack_is_a_failed_attempt_not_an_exception()
    {
        await using var broker = new FakeMqttBroker(MqttProtocolVersion.V500, (_, _, _) => Task.CompletedTask, _ => new ConnAckPacket { ReasonCode = 0x86 });
        var uplink = await MqttUplinkHarness.StartAsync(MqttUplinkHarness.Options("5.0", broker.Uri));
        try
        {
            await MqttUplinkHarness.WaitUntilAsync(() => uplink.Status.ConsecutiveFailures >= 3, TimeSpan.FromSeconds(30), () => $"{uplink.Status}");
            Assert.Contains("0x86", uplink.Status.LastError, StringComparison.Ordinal);
            Assert.Equal(0, uplink.Status.Connections);
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Garbage_instead_of_connack_fails_over_to_the_next_broker(MqttProtocolVersion version)
    {
        await using var bad = new FakeMqttBroker(version, (_, _, _) => Task.CompletedTask, _ => null);
        await using var good = new FakeMqttBroker(version, (_, connection, token) => connection.AcknowledgePublishesAsync(int.MaxValue, token));
        var uplink = await MqttUplinkHarness.StartAsync(MqttUplinkHarness.Options(version == MqttProtocolVersion.V311 ? "3.1.1" : "5.0", bad.Uri, good.Uri));
        try
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var result = await uplink.PublishAsync(new MqttApplicationMessage("t", "x"u8.ToArray()), cancel.Token);
            Assert.Equal(MqttPublishOutcome.Delivered, result.Outcome);
            Assert.Equal(good.Uri.Replace("mqtt://", "", StringComparison.Ordinal), uplink.Status.Broker!.Replace("mqtt://", "", StringComparison.Ordinal));
            Assert.True(bad.ConnectionCount >= 1);
            Assert.Equal(["x"], good.Acknowledged);
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Whoever wakes when the uplink connects (the forwarder) reads the status at once; it must
    /// already name this connection. A wall clock that takes 200 ms per read widens the window in
    /// which the status used to lag behind the signal (the forwarder then ended its new session at
    /// once, "the connection was lost", and counted two sessions for one connection).
    /// </summary>
    [Fact]
    public async Task The_status_names_the_connection_before_anyone_is_woken_by_it()
    {
        // The clock's sleep holds a pool thread: make sure another is free to run the woken side at once.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, Environment.ProcessorCount + 8), io);
        await using var broker = new FakeMqttBroker(MqttProtocolVersion.V500, (_, connection, token) => connection.AcknowledgePublishesAsync(int.MaxValue, token));
        var uplink = await MqttUplinkHarness.StartAsync(MqttUplinkHarness.Options("5.0", broker.Uri), time: new SlowWallClock());
        try
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            // As the forwarder does: no synchronisation context, the continuation runs on the thread pool at once.
            var status = await Task.Run(async () =>
            {
                await uplink.WaitUntilConnectedAsync(cancel.Token).ConfigureAwait(false);
                return uplink.Status;
            });
            Assert.Equal((MqttConnectionState.Connected, 1L), (status.State, status.Connections));
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
    }

    private sealed class SlowWallClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow()
        {
            Thread.Sleep(200);
            return base.GetUtcNow();
        }
    }

    [Fact]
    public async Task Connect_carries_the_configured_session_and_no_credentials_when_none_are_set()
    {
        await using var broker = new FakeMqttBroker(MqttProtocolVersion.V500, (_, connection, token) => connection.AcknowledgePublishesAsync(int.MaxValue, token));
        var options = MqttUplinkHarness.Options("5.0", broker.Uri);
        options.InFlightWindow = 17;
        options.SessionExpirySeconds = 600;
        var session = new MqttSessionSetup { DefaultClientId = "pole-0042", Will = new MqttApplicationMessage("city/pole-0042/status", "{\"state\":\"offline\"}"u8.ToArray(), retain: true) };
        var uplink = await MqttUplinkHarness.StartAsync(options, session);
        try
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await uplink.WaitUntilConnectedAsync(cancel.Token);
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
        Assert.True(broker.Connects.TryPeek(out var connect));
        Assert.Equal("pole-0042", connect.ClientId);
        Assert.Null(connect.Username);
        Assert.Null(connect.Password);
        Assert.False(connect.CleanStart);
        Assert.Equal(600u, connect.SessionExpiryInterval);
        Assert.Equal(17, connect.ReceiveMaximum);
        Assert.Equal(10, connect.KeepAliveSeconds);
        Assert.True(connect.Will!.Retain);
        Assert.Equal("city/pole-0042/status", connect.Will.Topic);
    }

    [Fact]
    public async Task In_flight_window_honours_the_brokers_receive_maximum()
    {
        var received = 0;
        var release = new TaskCompletionSource();
        await using var broker = new FakeMqttBroker(MqttProtocolVersion.V500, async (_, connection, token) =>
        {
            var publishes = new List<PublishPacket>();
            while (publishes.Count < 3)
            {
                if (await connection.ReadAsync(token) is PublishPacket publish)
                {
                    publishes.Add(publish);
                    Interlocked.Increment(ref received);
                }
            }
            await release.Task.WaitAsync(token);
            // Receive Maximum 3 reached: nothing more may arrive until one is acknowledged
            await connection.SendAsync(new PubAckPacket(publishes[0].PacketId), token);
            await connection.AcknowledgePublishesAsync(1, token);
            Interlocked.Increment(ref received);
            await Task.Delay(Timeout.Infinite, token);
        }, _ => new ConnAckPacket { ReceiveMaximum = 3 });
        var uplink = await MqttUplinkHarness.StartAsync(MqttUplinkHarness.Options("5.0", broker.Uri));
        try
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var outcomes = new List<Task<MqttPublishResult>>();
            for (var i = 0; i < 3; i++)
            {
                outcomes.Add(await uplink.EnqueuePublishAsync(new MqttApplicationMessage("t", new[] { (byte)i }), cancel.Token));
            }
            var fourth = uplink.EnqueuePublishAsync(new MqttApplicationMessage("t", new byte[] { 3 }), cancel.Token).AsTask();
            await MqttUplinkHarness.WaitUntilAsync(() => Volatile.Read(ref received) == 3, TimeSpan.FromSeconds(30), () => $"{received} publishes");
            await Task.Delay(200);
            Assert.False(fourth.IsCompleted, "a fourth publish must wait for a free slot");
            Assert.Equal(3, Volatile.Read(ref received));
            release.SetResult();
            Assert.Equal(MqttPublishOutcome.Delivered, (await outcomes[0].WaitAsync(cancel.Token)).Outcome);
            Assert.Equal(MqttPublishOutcome.Delivered, (await (await fourth).WaitAsync(cancel.Token)).Outcome);
            Assert.False(outcomes[1].IsCompleted);
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Publishes_the_broker_cannot_take_are_rejected_locally_not_sent()
    {
        await using var broker = new FakeMqttBroker(MqttProtocolVersion.V500, (_, connection, token) => connection.AcknowledgePublishesAsync(int.MaxValue, token),
            _ => new ConnAckPacket { MaximumPacketSize = 200, RetainAvailable = false });
        var uplink = await MqttUplinkHarness.StartAsync(MqttUplinkHarness.Options("5.0", broker.Uri));
        try
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var tooLarge = await uplink.PublishAsync(new MqttApplicationMessage("t", new byte[300]), cancel.Token);
            Assert.Equal(new MqttPublishResult(MqttPublishOutcome.Rejected, 0x95), tooLarge);
            var retained = await uplink.PublishAsync(new MqttApplicationMessage("t", "r"u8.ToArray(), retain: true), cancel.Token);
            Assert.Equal(new MqttPublishResult(MqttPublishOutcome.Rejected, 0x9A), retained);
            var fine = await uplink.PublishAsync(new MqttApplicationMessage("t", "ok"u8.ToArray()), cancel.Token);
            Assert.Equal(MqttPublishOutcome.Delivered, fine.Outcome);
            Assert.Equal(["ok"], broker.Acknowledged);
            Assert.Equal(1, broker.ConnectionCount);
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_puback_failure_code_is_reported_as_rejected()
    {
        await using var broker = new FakeMqttBroker(MqttProtocolVersion.V500, async (_, connection, token) =>
        {
            while (!token.IsCancellationRequested)
            {
                if (await connection.ReadAsync(token) is PublishPacket publish)
                {
                    await connection.SendAsync(new PubAckPacket(publish.PacketId, 0x97, "quota exceeded"), token);
                }
            }
        });
        var uplink = await MqttUplinkHarness.StartAsync(MqttUplinkHarness.Options("5.0", broker.Uri));
        try
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var result = await uplink.PublishAsync(new MqttApplicationMessage("t", "x"u8.ToArray()), cancel.Token);
            Assert.Equal(new MqttPublishResult(MqttPublishOutcome.Rejected, 0x97), result);
            Assert.Equal(MqttConnectionState.Connected, uplink.Status.State);
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
    }
}
