using System.Threading.Channels;
using Gateway.Sync.Mqtt.Packets;

namespace Gateway.Sync.Mqtt;

// What callers ask of a connection: PUBLISH (within the broker's announced limits) and SUBSCRIBE.
internal sealed partial class MqttClient
{
    private readonly uint _maxOutgoingPacketSize;

    /// <summary>
    /// Queues a publish. Waits for a free in-flight slot (QoS 1) and queue space, then returns a
    /// task that completes when the broker acknowledged it (QoS 1), once queued (QoS 0), or as
    /// <see cref="MqttPublishOutcome.ConnectionLost"/> when the connection ends first.
    /// </summary>
    public async ValueTask<Task<MqttPublishResult>> EnqueuePublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        if (!IsOpen)
        {
            return Task.FromResult(MqttPublishResult.ConnectionLost);
        }
        if ((uint)PublishPacket.GetEncodedLength(message, _settings.ProtocolVersion) > _maxOutgoingPacketSize)
        {
            // MQTT 5.0 §3.1.2.11.4 (the broker's limit): sending it would get us disconnected
            return Task.FromResult(new MqttPublishResult(MqttPublishOutcome.Rejected, 0x95));
        }
        if (ConnAck.MaximumQos is { } maximumQos && (byte)message.Qos > maximumQos)
        {
            // §3.2.2.3.4: never above the broker's Maximum QoS; at-least-once cannot be silently downgraded
            return Task.FromResult(new MqttPublishResult(MqttPublishOutcome.Rejected, 0x9B));
        }
        if (message.Retain && ConnAck.RetainAvailable == false)
        {
            // §3.2.2.3.5: a retained PUBLISH to a broker without retain support is a protocol error
            return Task.FromResult(new MqttPublishResult(MqttPublishOutcome.Rejected, 0x9A));
        }
        try
        {
            if (message.Qos == MqttQualityOfService.AtMostOnce)
            {
                await WriteOutgoingAsync(new PublishPacket { Message = message }, cancellationToken).ConfigureAwait(false);
                return Task.FromResult(MqttPublishResult.Sent);
            }
            if (!await _window.AcquireAsync(cancellationToken).ConfigureAwait(false))
            {
                return Task.FromResult(MqttPublishResult.ConnectionLost); // closed while waiting for a slot
            }
            // Deliberately synchronous continuations: a forwarder awaiting this outcome resumes on the
            // reader as the PUBACK is parsed and writes its next PUBLISH straight away, without a
            // thread hop per message. Its continuation must therefore not block (it may await freely).
            var outcome = new TaskCompletionSource<MqttPublishResult>();
            ushort packetId;
            lock (_gate)
            {
                if (!IsOpen)
                {
                    _window.Release();
                    return Task.FromResult(MqttPublishResult.ConnectionLost);
                }
                packetId = AllocatePacketId(new PendingRequest(outcome, null, _time.GetTimestamp(), message, ++_publishOrder));
            }
            try
            {
                await WriteOutgoingAsync(new PublishPacket { Message = message, PacketId = packetId }, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // never queued: give the id and the slot back, or the watchdog would later see an overdue PUBACK
                bool removed;
                lock (_gate)
                {
                    removed = _pending.Remove(packetId);
                }
                if (removed)
                {
                    _window.Release();
                }
                // if the close already carried it to the next connection: it was never sent, do not resend it
                outcome.TrySetResult(MqttPublishResult.ConnectionLost);
                throw;
            }
            return outcome.Task;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Task.FromResult(MqttPublishResult.ConnectionLost);
        }
        catch (ChannelClosedException)
        {
            return Task.FromResult(MqttPublishResult.ConnectionLost);
        }
    }

    /// <summary>SUBSCRIBE and wait for SUBACK (within the connect timeout); returns the granted QoS / reason code per filter.</summary>
    public async Task<IReadOnlyList<byte>> SubscribeAsync(IReadOnlyList<MqttSubscription> subscriptions, CancellationToken cancellationToken)
    {
        var pending = new PendingRequest(null, new TaskCompletionSource<SubAckPacket?>(TaskCreationOptions.RunContinuationsAsynchronously), _time.GetTimestamp(), null, 0);
        ushort packetId;
        lock (_gate)
        {
            if (!IsOpen)
            {
                throw new IOException("connection closed");
            }
            packetId = AllocatePacketId(pending);
        }
        using var timeout = new CancellationTokenSource(_settings.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        await WriteOutgoingAsync(new SubscribePacket { PacketId = packetId, Subscriptions = subscriptions }, linked.Token).ConfigureAwait(false);
        var subAck = await pending.Subscribe!.Task.WaitAsync(linked.Token).ConfigureAwait(false);
        return subAck?.ReasonCodes ?? throw new IOException("connection closed before SUBACK");
    }
}
