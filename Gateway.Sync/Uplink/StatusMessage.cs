using System.Text.Json;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Store;

namespace Gateway.Sync.Uplink;

/// <summary>The retained <c>{prefix}/{node}/status</c> message of SPEC section 3.</summary>
public static class StatusMessage
{
    public static MqttApplicationMessage Create(UplinkTopics topics, NodeIdentity node, string state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(node);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, RecordJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("state", state);
            json.WriteString("node", node.NodeId);
            json.WriteString("ts", RecordJson.FormatTimestamp(now));
            json.WriteString("version", node.Version);
            json.WriteEndObject();
        }
        return new MqttApplicationMessage(topics.Status, buffer.ToArray(), retain: true);
    }

    /// <summary>
    /// The session setup the uplink needs: client id, the will (<c>offline</c>, stamped with the time
    /// the gateway started, since a will is fixed at CONNECT), <c>online</c> after every connect,
    /// <c>offline</c> before a graceful stop, and the command subscription.
    /// </summary>
    public static MqttSessionSetup Session(UplinkTopics topics, NodeIdentity node, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return new MqttSessionSetup
        {
            DefaultClientId = node.NodeId,
            Will = Create(topics, node, "offline", time.GetUtcNow()),
            OnlineMessage = () => Create(topics, node, "online", time.GetUtcNow()),
            OfflineMessage = () => Create(topics, node, "offline", time.GetUtcNow()),
            Subscriptions = [new Mqtt.Packets.MqttSubscription(topics.CommandFilter)],
        };
    }
}
