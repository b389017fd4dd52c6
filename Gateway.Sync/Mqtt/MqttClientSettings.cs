using Gateway.Sync.Mqtt.Packets;

namespace Gateway.Sync.Mqtt;

/// <summary>Everything one connection needs, resolved from <see cref="MqttOptions"/> and the session setup.</summary>
internal sealed record MqttClientSettings
{
    public required string ClientId { get; init; }

    public MqttProtocolVersion ProtocolVersion { get; init; } = MqttProtocolVersion.V500;

    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(60);

    public string? Username { get; init; }

    public string? Password { get; init; }

    public MqttApplicationMessage? Will { get; init; }

    /// <summary>0 = a clean session each time; otherwise the broker keeps our session (and queued QoS 1 commands) this long.</summary>
    public uint SessionExpirySeconds { get; init; } = 86_400;

    /// <summary>Our upper bound of unacknowledged QoS 1 publishes; the broker's Receive Maximum may lower it.</summary>
    public int InFlightWindow { get; init; } = 100;

    public int MaxIncomingPacketSize { get; init; } = 1024 * 1024;

    /// <summary>TCP + TLS + CONNACK, and also SUBACK.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The longest a PUBACK may be outstanding, or a write may take, before the connection is declared dead.</summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public static MqttClientSettings From(MqttOptions options, string clientId, MqttApplicationMessage? will) => new()
    {
        ClientId = options.ClientId ?? clientId,
        ProtocolVersion = options.ProtocolVersion == "3.1.1" ? MqttProtocolVersion.V311 : MqttProtocolVersion.V500,
        KeepAlive = TimeSpan.FromSeconds(options.KeepAliveSeconds),
        Username = options.Username,
        Password = options.Password,
        Will = will,
        SessionExpirySeconds = options.SessionExpirySeconds,
        InFlightWindow = options.InFlightWindow,
        MaxIncomingPacketSize = options.MaxIncomingPacketBytes,
        ConnectTimeout = TimeSpan.FromSeconds(options.ConnectTimeoutSeconds),
        AckTimeout = TimeSpan.FromSeconds(options.AckTimeoutSeconds),
    };
}
