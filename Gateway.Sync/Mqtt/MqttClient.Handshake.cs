using System.Threading.Channels;
using Gateway.Sync.Mqtt.Packets;
using Gateway.Sync.Mqtt.Transport;
using Microsoft.Extensions.Logging;

namespace Gateway.Sync.Mqtt;

// Opening and closing the conversation: CONNECT/CONNACK within the connect timeout (MQTT 5.0 §3.1, §3.2)
// and the normal DISCONNECT (§3.14).
internal sealed partial class MqttClient
{
    /// <summary>
    /// Opens the transport, sends CONNECT and waits for a successful CONNACK, all within
    /// <see cref="MqttClientSettings.ConnectTimeout"/>. Throws on any failure, leaving
    /// <paramref name="carried"/> untouched. On success the client owns <paramref name="carried"/>
    /// (the unacknowledged publishes of the previous connection): if the broker kept the session
    /// they are sent again first, with their original packet ids and DUP set (MQTT 5.0 §4.4); if
    /// not, or beyond the in-flight window, they complete as <see cref="MqttPublishOutcome.ConnectionLost"/>.
    /// </summary>
    public static async Task<MqttClient> ConnectAsync(IMqttTransportConnector connector, MqttBrokerEndpoint endpoint, MqttClientSettings settings,
        ChannelWriter<MqttApplicationMessage> incoming, TimeProvider time, ILogger logger, CancellationToken cancellationToken,
        IReadOnlyList<UnacknowledgedPublish>? carried = null)
    {
        using var timeout = new CancellationTokenSource(settings.ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        MqttChannel? channel = null;
        try
        {
            var stream = await connector.ConnectAsync(endpoint, linked.Token).ConfigureAwait(false);
            channel = new MqttChannel(stream, settings.MaxIncomingPacketSize);
            var connect = new ConnectPacket
            {
                ClientId = settings.ClientId,
                CleanStart = settings.SessionExpirySeconds == 0,
                KeepAliveSeconds = (ushort)Math.Clamp(settings.KeepAlive.TotalSeconds, 0, ushort.MaxValue),
                Username = settings.Username,
                // (a null byte[] would silently become an empty, non-null ReadOnlyMemory: test explicitly)
                Password = settings.Password is null ? null : (ReadOnlyMemory<byte>?)System.Text.Encoding.UTF8.GetBytes(settings.Password),
                Will = settings.Will,
                SessionExpiryInterval = settings.SessionExpirySeconds,
                ReceiveMaximum = (ushort)Math.Clamp(settings.InFlightWindow, 1, ushort.MaxValue),
                MaximumPacketSize = (uint)settings.MaxIncomingPacketSize,
            };
            var bytes = new byte[MqttPacketCodec.GetEncodedLength(connect, settings.ProtocolVersion)];
            MqttPacketCodec.Encode(connect, settings.ProtocolVersion, bytes);
            await channel.WriteAsync(bytes, linked.Token).ConfigureAwait(false);

            var received = await channel.ReadPacketAsync(linked.Token).ConfigureAwait(false);
            if (!MqttPacketCodec.TryDecode(received.FirstByte, received.Body.Span, settings.ProtocolVersion, out var packet, out var error))
            {
                throw new MqttProtocolException($"bad answer to CONNECT: {error}");
            }
            if (packet is not ConnAckPacket connAck)
            {
                throw new MqttProtocolException($"expected CONNACK, got {packet!.Type}");
            }
            if (connAck.ReasonCode != 0)
            {
                throw new MqttConnectionRefusedException(connAck.ReasonCode, connAck.ReasonString);
            }
            var client = new MqttClient(channel, settings, connAck, incoming, time, logger);
            client.ResumeSession(carried ?? []);
            client.Start();
            if (client.Resent > 0)
            {
                await client.DrainOutgoingAsync().ConfigureAwait(false);
            }
            return client;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }
            throw new TimeoutException($"no CONNACK from {endpoint} within {settings.ConnectTimeout.TotalSeconds:0.#} s");
        }
        catch
        {
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }
            throw;
        }
    }

    /// <summary>A normal DISCONNECT (the broker discards the will, MQTT 5.0 §3.14.4), then closes.</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        if (!IsOpen)
        {
            return;
        }
        try
        {
            await WriteOutgoingAsync(DisconnectPacket.Normal, cancellationToken).ConfigureAwait(false);
            // Drain explicitly: running as a PUBACK continuation on the reader, WriteOutgoingAsync only
            // queued it, and the connection closes below, before the reader would drain.
            await DrainOutgoingAsync().ConfigureAwait(false);
            // wait until whoever holds the write lock has put the DISCONNECT on the wire
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            _writeLock.Release();
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            // closing anyway
        }
        await CloseAsync("disconnected by the client").ConfigureAwait(false);
    }
}
