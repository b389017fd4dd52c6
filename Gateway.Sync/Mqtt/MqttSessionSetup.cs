using Gateway.Sync.Mqtt.Packets;

namespace Gateway.Sync.Mqtt;

/// <summary>
/// What the host decides about the MQTT session beyond <see cref="MqttOptions"/>: the client id when
/// <c>mqtt.clientId</c> is not set (the node id), the will, the message published after every
/// connect (the retained "online" status), the one published before a graceful stop, and the
/// subscriptions restored on every connect.
/// </summary>
public sealed class MqttSessionSetup
{
    public required string DefaultClientId { get; init; }

    /// <summary>Published by the broker if the connection is lost without DISCONNECT (SPEC: status <c>offline</c>).</summary>
    public MqttApplicationMessage? Will { get; init; }

    /// <summary>Built and published (awaited for PUBACK) right after each connect, before the state says Connected.</summary>
    public Func<MqttApplicationMessage>? OnlineMessage { get; init; }

    /// <summary>Built and published before the DISCONNECT of a graceful stop (a normal DISCONNECT suppresses the will).</summary>
    public Func<MqttApplicationMessage>? OfflineMessage { get; init; }

    public IReadOnlyList<MqttSubscription> Subscriptions { get; init; } = [];
}
