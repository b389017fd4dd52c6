using Gateway.Sync.Mqtt.Packets;
using Gateway.Sync.Mqtt.Transport;

namespace Gateway.Sync.Mqtt;

// Session state (MQTT 5.0 / 3.1.1 §4.4): packet ids, requests waiting for their acknowledgement,
// and the QoS 1 publishes carried from one connection to the next.
internal sealed partial class MqttClient
{
    private readonly Dictionary<ushort, PendingRequest> _pending = [];
    private readonly InFlightWindow _window;
    private ushort _lastPacketId;
    private long _publishOrder;
    private IReadOnlyList<UnacknowledgedPublish> _unacknowledged = [];

    /// <summary>
    /// After <see cref="Completion"/>: the QoS 1 publishes still unacknowledged when the connection
    /// ended, oldest first, if the session outlives the connection (their outcomes are still pending);
    /// empty otherwise (they completed as <see cref="MqttPublishOutcome.ConnectionLost"/>).
    /// </summary>
    public IReadOnlyList<UnacknowledgedPublish> TakeUnacknowledged()
    {
        lock (_gate)
        {
            var taken = _unacknowledged;
            _unacknowledged = [];
            return taken;
        }
    }

    /// <summary>
    /// MQTT 5.0 §4.4 [MQTT-4.4.0-1] (3.1.1 the same): on a connection with Clean Start 0 and Session
    /// Present 1, unacknowledged PUBLISH packets are sent again with their original packet ids, before
    /// anything new — so order is kept. They count against the in-flight window (§4.9).
    /// </summary>
    private void ResumeSession(IReadOnlyList<UnacknowledgedPublish> carried)
    {
        var resume = ConnAck.SessionPresent && _settings.SessionExpirySeconds > 0;
        var now = _time.GetTimestamp();
        foreach (var publish in carried)
        {
            if (publish.Outcome.Task.IsCompleted)
            {
                continue; // its publisher already gave up on it before it reached the socket
            }
            if (resume && Resent < Window && _pending.TryAdd(publish.PacketId, new PendingRequest(publish.Outcome, null, now, publish.Message, ++_publishOrder)))
            {
                _window.TryAcquire();
                _lastPacketId = publish.PacketId;
                _outgoing.Writer.TryWrite(new PublishPacket { Message = publish.Message, PacketId = publish.PacketId, Duplicate = true });
                Resent++;
            }
            else
            {
                // no session on the broker (or a smaller window now): the publisher must send it again
                publish.Outcome.TrySetResult(MqttPublishResult.ConnectionLost);
            }
        }
    }

    private long? OldestPendingSince()
    {
        lock (_gate)
        {
            long? oldest = null;
            foreach (var pending in _pending.Values)
            {
                oldest = oldest is null ? pending.Since : Math.Min(oldest.Value, pending.Since);
            }
            return oldest;
        }
    }

    private void CompletePublish(ushort packetId, MqttPublishResult result)
    {
        var pending = Take(packetId, isPublish: true);
        // Publishers waiting for the slot or for this outcome resume inline here; what they queue
        // is drained by the reader once after this batch.
        Volatile.Write(ref _dispatchingThread, Environment.CurrentManagedThreadId);
        try
        {
            _window.Release();
            pending.Publish!.TrySetResult(result);
        }
        finally
        {
            Volatile.Write(ref _dispatchingThread, 0);
        }
    }

    private PendingRequest Take(ushort packetId, bool isPublish)
    {
        lock (_gate)
        {
            if (!_pending.Remove(packetId, out var pending) || (pending.Publish is not null) != isPublish)
            {
                // MQTT 5.0 §4.6: an acknowledgement must match an outstanding request
                throw new MqttProtocolException($"unexpected acknowledgement for packet id {packetId}");
            }
            return pending;
        }
    }

    private ushort AllocatePacketId(PendingRequest pending)
    {
        // Called under _gate. The window (≤ 65535) keeps free ids available.
        for (var i = 0; i < ushort.MaxValue; i++)
        {
            _lastPacketId = _lastPacketId == ushort.MaxValue ? (ushort)1 : (ushort)(_lastPacketId + 1);
            if (_pending.TryAdd(_lastPacketId, pending))
            {
                return _lastPacketId;
            }
        }
        throw new InvalidOperationException("no free packet identifier");
    }

    /// <summary>An outstanding QoS 1 publish (with its message and send order) or subscribe, waiting for its acknowledgement since <paramref name="Since"/>.</summary>
    private sealed record PendingRequest(TaskCompletionSource<MqttPublishResult>? Publish, TaskCompletionSource<SubAckPacket?>? Subscribe, long Since, MqttApplicationMessage? Message, long Order);
}
