using System.Collections.Concurrent;
using System.Threading.Channels;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Mqtt.Packets;
using Gateway.Sync.Mqtt.Transport;
using Gateway.Tests.Sync.Mqtt.Peers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sync.Mqtt;

/// <summary>Keep-alive and acknowledgement timeouts, driven by a manual clock against a silent broker.</summary>
public class MqttClientTimeoutTests
{
    private static readonly MqttClientSettings Settings = new()
    {
        ClientId = "pole-t",
        KeepAlive = TimeSpan.FromSeconds(10),
        AckTimeout = TimeSpan.FromSeconds(30),
    };

    private static async Task<MqttClient> ConnectAsync(FakeMqttBroker broker, TimeProvider time, MqttClientSettings? settings = null) =>
        await MqttClient.ConnectAsync(new MqttTransportConnector(new MqttTlsSettings()), MqttBrokerEndpoint.Parse(broker.Uri), settings ?? Settings,
            Channel.CreateBounded<MqttApplicationMessage>(4).Writer, time, NullLogger.Instance, CancellationToken.None);

    // Moves the manual clock a second at a time, giving the client's loops a moment to re-arm their timers.
    private static async Task AdvanceUntilClosedAsync(FakeTimeProvider time, MqttClient client)
    {
        for (var second = 0; second < 120 && client.IsOpen; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(15);
        }
    }

    [Fact]
    public async Task A_broker_that_never_answers_pingreq_is_declared_dead()
    {
        var seen = new ConcurrentQueue<MqttPacketType>();
        await using var broker = new FakeMqttBroker(MqttProtocolVersion.V500, async (_, connection, token) =>
        {
            while (!token.IsCancellationRequested)
            {
                seen.Enqueue((await connection.ReadAsync(token)).Type); // never answers
            }
        });
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var client = await ConnectAsync(broker, time);
        await AdvanceUntilClosedAsync(time, client);
        Assert.False(client.IsOpen);
        Assert.Contains("keep alive", await client.Completion, StringComparison.Ordinal);
        Assert.Contains(MqttPacketType.PingReq, seen);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(600u)]
    public async Task An_overdue_puback_ends_the_connection_and_the_publish_is_reported_lost_or_carried_by_the_session(uint sessionExpiry)
    {
        await using var broker = new FakeMqttBroker(MqttProtocolVersion.V500, async (_, connection, token) =>
        {
            while (!token.IsCancellationRequested)
            {
                if (await connection.ReadAsync(token) is PingReqPacket)
                {
                    await connection.SendAsync(PingRespPacket.Instance, token); // alive, but never acknowledges
                }
            }
        });
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        // A keep alive longer than the acknowledgement timeout: no ping round trip has to win a race
        // against the stepped clock on a loaded machine; only the PUBACK deadline can end the connection.
        await using var client = await ConnectAsync(broker, time, Settings with { SessionExpirySeconds = sessionExpiry, KeepAlive = TimeSpan.FromSeconds(120) });
        var outcome = await client.EnqueuePublishAsync(new MqttApplicationMessage("t", "x"u8.ToArray()), CancellationToken.None);
        await AdvanceUntilClosedAsync(time, client);
        Assert.Contains("overdue", await client.Completion, StringComparison.Ordinal);
        var carried = client.TakeUnacknowledged();
        if (sessionExpiry == 0)
        {
            // a clean session ends with the connection: the publisher must send it again
            Assert.Equal(MqttPublishOutcome.ConnectionLost, (await outcome).Outcome);
            Assert.Empty(carried);
        }
        else
        {
            // the session outlives the connection: carried, still pending, to be resent with its id (§4.4)
            Assert.False(outcome.IsCompleted);
            var publish = Assert.Single(carried);
            Assert.Equal("x"u8.ToArray(), publish.Message.Payload.ToArray());
            Assert.Same(outcome, publish.Outcome.Task);
        }
    }
}
