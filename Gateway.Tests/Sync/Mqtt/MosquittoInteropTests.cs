using Gateway.Simulation.Mqtt;
using System.Security.Authentication;
using System.Text;
using Gateway.Sync;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Mqtt.Packets;
using Gateway.Sync.Mqtt.Transport;
using Gateway.Tests.Support;
using Gateway.Tests.Sync.Mqtt.Peers;

namespace Gateway.Tests.Sync.Mqtt;

/// <summary>Our client against a real mosquitto, checked by an independent paho subscriber.</summary>
public class MosquittoInteropTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Versions => new() { "3.1.1", "5.0" };

    private static List<MqttApplicationMessage> Numbered(string topic, int count) =>
        [.. Enumerable.Range(1, count).Select(i => new MqttApplicationMessage(topic, Encoding.UTF8.GetBytes($"{{\"seq\":{i}}}")))];

    private static async Task PublishAndExpectExactly(IMqttUplink uplink, PahoSubscriber paho, string topic, int count)
    {
        var messages = Numbered(topic, count);
        messages.Add(new MqttApplicationMessage(topic, "END"u8.ToArray()));
        await MqttUplinkHarness.PublishAllAsync(uplink, messages, Patience);
        await paho.WaitForMessagesAsync(m => m.Any(x => x.Payload.AsSpan().SequenceEqual("END"u8)), Patience);
        // one publisher, QoS 1, one connection: exactly these payloads, in order, nothing else
        Assert.Equal(messages.Select(m => Encoding.UTF8.GetString(m.Payload.Span)), paho.Messages.Select(m => Encoding.UTF8.GetString(m.Payload)));
        Assert.All(paho.Messages, m => Assert.Equal(topic, m.Topic));
    }

    // Starts an uplink with these options, publishes `count` numbered messages and the END marker, stops it.
    private static async Task PublishThroughAsync(MqttOptions options, PahoSubscriber paho, string topic, int count)
    {
        var uplink = await MqttUplinkHarness.StartAsync(options);
        try
        {
            await PublishAndExpectExactly(uplink, paho, topic, count);
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Plain_tcp_publishes_reach_an_independent_subscriber_exactly(string version)
    {
        await using var broker = MosquittoPeer.Create();
        await broker.StartAsync();
        using var paho = new PahoSubscriber(broker.Port, "city/pole-0001/telemetry");
        await paho.WaitUntilReadyAsync();
        var uplink = await MqttUplinkHarness.StartAsync(MqttUplinkHarness.Options(version, broker.Uri));
        try
        {
            await PublishAndExpectExactly(uplink, paho, "city/pole-0001/telemetry", 500);
            Assert.Equal(MqttConnectionState.Connected, uplink.Status.State);
            Assert.Equal(1, uplink.Status.Connections);
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
        Assert.Equal(MqttConnectionState.Stopped, uplink.Status.State);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Tls_with_server_verification_against_the_ca_file(string version)
    {
        using var pki = new TestCertificates();
        await using var broker = MosquittoPeer.Create(pki);
        await broker.StartAsync();
        using var paho = new PahoSubscriber(broker.Port, "city/pole-0001/events");
        await paho.WaitUntilReadyAsync();
        var options = MqttUplinkHarness.Options(version, $"mqtts://localhost:{broker.TlsPort}");
        options.CaFile = pki.CaFile;
        await PublishThroughAsync(options, paho, "city/pole-0001/events", 100);
    }

    [Fact]
    public async Task Tls_refuses_a_server_from_another_ca_and_a_name_the_certificate_does_not_carry()
    {
        using var pki = new TestCertificates();
        using var otherPki = new TestCertificates("some-other-ca");
        await using var broker = MosquittoPeer.Create(pki);
        await broker.StartAsync();
        using var cancel = new CancellationTokenSource(Patience);

        var foreignTrust = new MqttTransportConnector(new MqttTlsSettings(otherPki.CaFile));
        await Assert.ThrowsAsync<AuthenticationException>(() => foreignTrust.ConnectAsync(new MqttBrokerEndpoint("localhost", broker.TlsPort, true), cancel.Token));

        // the certificate names DNS:localhost only; 127.0.0.1 must fail the host-name check even with the right CA
        var rightTrust = new MqttTransportConnector(new MqttTlsSettings(pki.CaFile));
        await Assert.ThrowsAsync<AuthenticationException>(() => rightTrust.ConnectAsync(new MqttBrokerEndpoint("127.0.0.1", broker.TlsPort, true), cancel.Token));
        await using var good = await rightTrust.ConnectAsync(new MqttBrokerEndpoint("localhost", broker.TlsPort, true), cancel.Token);

        // the supervisor turns the refusal into a failing state, not an exception
        var options = MqttUplinkHarness.Options("5.0", $"mqtts://localhost:{broker.TlsPort}");
        options.CaFile = otherPki.CaFile;
        var uplink = await MqttUplinkHarness.StartAsync(options);
        try
        {
            await MqttUplinkHarness.WaitUntilAsync(() => uplink.Status is { State: MqttConnectionState.Failing, ConsecutiveFailures: >= 2 }, Patience, () => $"{uplink.Status}");
            Assert.Equal(0, uplink.Status.Connections);
            Assert.Contains("Authentication", uplink.Status.LastError, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Tls_with_a_client_certificate_from_pem_files(string version)
    {
        using var pki = new TestCertificates();
        await using var broker = MosquittoPeer.Create(pki, requireClientCertificate: true);
        await broker.StartAsync();
        using var paho = new PahoSubscriber(broker.Port, "city/pole-0001/telemetry");
        await paho.WaitUntilReadyAsync();

        var withoutCertificate = MqttUplinkHarness.Options(version, $"mqtts://localhost:{broker.TlsPort}");
        withoutCertificate.CaFile = pki.CaFile;
        var refused = await MqttUplinkHarness.StartAsync(withoutCertificate);
        try
        {
            await MqttUplinkHarness.WaitUntilAsync(() => refused.Status.ConsecutiveFailures >= 2, Patience, () => $"{refused.Status}");
            Assert.Equal(0, refused.Status.Connections);
        }
        finally
        {
            await refused.StopAsync(CancellationToken.None);
        }

        var options = MqttUplinkHarness.Options(version, $"mqtts://localhost:{broker.TlsPort}");
        options.CaFile = pki.CaFile;
        options.CertFile = pki.ClientCertFile;
        options.KeyFile = pki.ClientKeyFile;
        await PublishThroughAsync(options, paho, "city/pole-0001/telemetry", 100);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Subscribes_and_receives_qos1_commands_from_mosquitto_pub(string version)
    {
        var mosquittoPub = ExternalTool.Require("mosquitto_pub");
        await using var broker = MosquittoPeer.Create();
        await broker.StartAsync();
        var session = new MqttSessionSetup { DefaultClientId = "pole-cmd", Subscriptions = [new MqttSubscription("city/pole-0001/cmd/#")] };
        var uplink = await MqttUplinkHarness.StartAsync(MqttUplinkHarness.Options(version, broker.Uri), session);
        try
        {
            using var connected = new CancellationTokenSource(Patience);
            await uplink.WaitUntilConnectedAsync(connected.Token);
            for (var i = 1; i <= 5; i++)
            {
                var result = ExternalTool.Run(mosquittoPub, ["-h", "127.0.0.1", "-p", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "-q", "1", "-t", $"city/pole-0001/cmd/ping", "-m", $"{{\"id\":\"r{i}\",\"args\":{{}}}}"], Patience);
                Assert.True(result.ExitCode == 0, result.StdErr);
            }
            var received = new List<MqttApplicationMessage>();
            using var cancel = new CancellationTokenSource(Patience);
            while (received.Count < 5)
            {
                received.Add(await uplink.Incoming.ReadAsync(cancel.Token));
            }
            Assert.Equal(Enumerable.Range(1, 5).Select(i => $"{{\"id\":\"r{i}\",\"args\":{{}}}}"), received.Select(m => Encoding.UTF8.GetString(m.Payload.Span)));
            Assert.All(received, m => Assert.Equal("city/pole-0001/cmd/ping", m.Topic));
            Assert.All(received, m => Assert.Equal(MqttQualityOfService.AtLeastOnce, m.Qos));
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Broker_restarted_repeatedly_mid_stream_loses_nothing(string version)
    {
        await using var broker = MosquittoPeer.Create();
        await broker.StartAsync();
        using var paho = new PahoSubscriber(broker.Port, "city/pole-0001/telemetry");
        await paho.WaitUntilReadyAsync();
        var uplink = await MqttUplinkHarness.StartAsync(MqttUplinkHarness.Options(version, broker.Uri));
        const int count = 3000;
        var messages = Numbered("city/pole-0001/telemetry", count);
        var restarts = 0;
        try
        {
            // every third batch of 200 is still in flight when the broker goes down
            await MqttUplinkHarness.PublishAllAsync(uplink, messages, TimeSpan.FromSeconds(90), async batch =>
            {
                if (batch % 3 == 1 && restarts < 4)
                {
                    restarts++;
                    await broker.StopAsync();
                    await Task.Delay(200);
                    await broker.StartAsync();
                }
            });
            Assert.Equal(4, restarts);
            Assert.True(uplink.Status.Connections >= 5, $"{uplink.Status}");
            // duplicates are allowed; a gap is not
            await paho.WaitForMessagesAsync(m => m.Select(x => Encoding.UTF8.GetString(x.Payload)).Distinct().Count() == count, TimeSpan.FromSeconds(60));
            Assert.Equal(messages.Select(m => Encoding.UTF8.GetString(m.Payload.Span)).Order(), paho.Messages.Select(m => Encoding.UTF8.GetString(m.Payload)).Distinct().Order());
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Online_status_after_connect_and_offline_status_on_a_graceful_stop()
    {
        await using var broker = MosquittoPeer.Create();
        await broker.StartAsync();
        using var paho = new PahoSubscriber(broker.Port, "city/pole-0001/status");
        await paho.WaitUntilReadyAsync();
        var session = new MqttSessionSetup
        {
            DefaultClientId = "pole-0001",
            Will = new MqttApplicationMessage("city/pole-0001/status", "{\"state\":\"offline\"}"u8.ToArray(), retain: true),
            OnlineMessage = () => new MqttApplicationMessage("city/pole-0001/status", "{\"state\":\"online\"}"u8.ToArray(), retain: true),
            OfflineMessage = () => new MqttApplicationMessage("city/pole-0001/status", "{\"state\":\"offline\"}"u8.ToArray(), retain: true),
        };
        var uplink = await MqttUplinkHarness.StartAsync(MqttUplinkHarness.Options("5.0", broker.Uri), session);
        await paho.WaitForMessagesAsync(m => m.Count == 1, Patience);
        await uplink.StopAsync(CancellationToken.None);
        await paho.WaitForMessagesAsync(m => m.Count == 2, Patience);
        Assert.Equal(["{\"state\":\"online\"}", "{\"state\":\"offline\"}"], paho.Messages.Select(m => Encoding.UTF8.GetString(m.Payload)));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task A_connection_that_dies_without_disconnect_makes_the_broker_publish_the_will(string version)
    {
        await using var broker = MosquittoPeer.Create();
        await broker.StartAsync();
        using var paho = new PahoSubscriber(broker.Port, "city/pole-0001/status");
        await paho.WaitUntilReadyAsync();
        var connector = new RecordingConnector(new MqttTransportConnector(new MqttTlsSettings()));
        var session = new MqttSessionSetup
        {
            DefaultClientId = "pole-will-" + version,
            Will = new MqttApplicationMessage("city/pole-0001/status", "{\"state\":\"offline\"}"u8.ToArray(), retain: true),
            OnlineMessage = () => new MqttApplicationMessage("city/pole-0001/status", "{\"state\":\"online\"}"u8.ToArray(), retain: true),
        };
        var uplink = await MqttUplinkHarness.StartAsync(MqttUplinkHarness.Options(version, broker.Uri), session, connector);
        try
        {
            await paho.WaitForMessagesAsync(m => m.Count == 1, Patience);
            await connector.Streams.Single().DisposeAsync(); // the link drops: no DISCONNECT is sent
            // the broker publishes the will; the supervisor reconnects and says online again
            await paho.WaitForMessagesAsync(m => m.Count >= 3, Patience);
            Assert.Equal(["{\"state\":\"online\"}", "{\"state\":\"offline\"}", "{\"state\":\"online\"}"], paho.Messages.Take(3).Select(m => Encoding.UTF8.GetString(m.Payload)));
            Assert.Equal(2, uplink.Status.Connections);
        }
        finally
        {
            await uplink.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Passes connections through and keeps their streams, so a test can cut one.</summary>
    private sealed class RecordingConnector(IMqttTransportConnector inner) : IMqttTransportConnector
    {
        public System.Collections.Concurrent.ConcurrentQueue<Stream> Streams { get; } = new();

        public async Task<Stream> ConnectAsync(MqttBrokerEndpoint endpoint, CancellationToken cancellationToken)
        {
            var stream = await inner.ConnectAsync(endpoint, cancellationToken);
            if (Streams.IsEmpty)
            {
                Streams.Enqueue(stream);
            }
            return stream;
        }
    }
}
