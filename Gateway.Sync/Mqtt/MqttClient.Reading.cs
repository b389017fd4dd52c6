using Gateway.Sync.Mqtt.Packets;
using Gateway.Sync.Mqtt.Transport;

namespace Gateway.Sync.Mqtt;

// The read loop: every packet from the broker dispatched (PUBACK, SUBACK, PUBLISH, PINGRESP, DISCONNECT).
internal sealed partial class MqttClient
{
    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        var version = _settings.ProtocolVersion;
        while (!cancellationToken.IsCancellationRequested)
        {
            var received = await _channel.ReadPacketAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _lastReceived, _time.GetTimestamp());
            await DispatchAsync(received, version, cancellationToken).ConfigureAwait(false);
            // Publishes queued by continuations of the PUBACKs just read go out together, in one
            // socket write, once no further packet is waiting in the buffer.
            if (!_channel.HasBufferedPacket)
            {
                await DrainOutgoingAsync().ConfigureAwait(false);
            }
        }
    }

    private async ValueTask DispatchAsync(MqttReceivedPacket received, MqttProtocolVersion version, CancellationToken cancellationToken)
    {
        if (received.FirstByte == 0x40 && received.Body.Length == 2)
        {
            // the common PUBACK (§3.4.2.1: success, no properties) without allocating a packet
            CompletePublish(System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(received.Body.Span), MqttPublishResult.Delivered);
            return;
        }
        if (!MqttPacketCodec.TryDecode(received.FirstByte, received.Body.Span, version, out var packet, out var error))
        {
            throw new MqttProtocolException(error);
        }
        switch (packet)
        {
            case PubAckPacket pubAck:
                CompletePublish(pubAck.PacketId, pubAck.IsSuccess ? MqttPublishResult.Delivered : new MqttPublishResult(MqttPublishOutcome.Rejected, pubAck.ReasonCode));
                break;
            case SubAckPacket subAck:
                Take(subAck.PacketId, isPublish: false).Subscribe!.TrySetResult(subAck);
                break;
            case PublishPacket publish:
                // the consumer's queue may be full and hold us here: first send what earlier PUBACKs of this batch queued
                await DrainOutgoingAsync().ConfigureAwait(false);
                // At least once (MQTT 5.0 §4.3.2): PUBACK only after the message is in the consumer's queue.
                await _incoming.WriteAsync(publish.Message, cancellationToken).ConfigureAwait(false);
                if (publish.Message.Qos == MqttQualityOfService.AtLeastOnce)
                {
                    await WriteOutgoingAsync(new PubAckPacket(publish.PacketId), cancellationToken).ConfigureAwait(false);
                }
                break;
            case PingRespPacket:
                break;
            case DisconnectPacket disconnect:
                throw new IOException($"broker sent DISCONNECT, reason 0x{disconnect.ReasonCode:X2}{(disconnect.ReasonString is null ? "" : " " + disconnect.ReasonString)}");
            default:
                throw new MqttProtocolException($"unexpected {packet!.Type} from the broker");
        }
    }
}
