namespace Gateway.Sync;

/// <summary>The <c>mqtt</c> section: the uplink to the city brain (SPEC sections 3 and 4).</summary>
public sealed class MqttOptions
{
    public IList<string> Brokers { get; set; } = [];

    public string TopicPrefix { get; set; } = "city";

    /// <summary>Client identifier; the node id when not set.</summary>
    public string? ClientId { get; set; }

    public string ProtocolVersion { get; set; } = "5.0";

    public int KeepAliveSeconds { get; set; } = 60;

    public string? Username { get; set; }

    /// <summary>Secret: never logged, redacted wherever configuration is shown.</summary>
    public string? Password { get; set; }

    public string? CaFile { get; set; }

    public string? CertFile { get; set; }

    public string? KeyFile { get; set; }

    /// <summary>Unacknowledged QoS 1 publishes in flight at once; the broker's MQTT 5 Receive Maximum lowers it.</summary>
    public int InFlightWindow { get; set; } = 100;

    /// <summary>Broker-side session lifetime after a disconnect (MQTT 5 Session Expiry); 0 = clean session each connect.</summary>
    public uint SessionExpirySeconds { get; set; } = 86_400;

    /// <summary>Limit for TCP connect + TLS handshake + CONNACK (and SUBACK).</summary>
    public double ConnectTimeoutSeconds { get; set; } = 15;

    /// <summary>A PUBACK or a socket write outstanding longer than this declares the connection dead.</summary>
    public double AckTimeoutSeconds { get; set; } = 30;

    /// <summary>Reconnect back-off: the first ceiling (full jitter draws from 0 to the ceiling, which doubles per failure).</summary>
    public double ReconnectMinSeconds { get; set; } = 1;

    /// <summary>Reconnect back-off: the largest ceiling.</summary>
    public double ReconnectMaxSeconds { get; set; } = 120;

    /// <summary>Largest packet accepted from the broker (also announced as MQTT 5 Maximum Packet Size).</summary>
    public int MaxIncomingPacketBytes { get; set; } = 1024 * 1024;

    /// <summary>Received messages (commands) buffered for the consumer; when full the client stops reading.</summary>
    public int IncomingQueueCapacity { get; set; } = 256;

    /// <summary>Readings per telemetry message at most.</summary>
    public int TelemetryBatchSize { get; set; } = 500;

    /// <summary>How long a partial batch of live readings waits for more before it is sent.</summary>
    public int TelemetryBatchDelayMs { get; set; } = 1000;

    /// <summary>Backlog readings per second at most after an outage (cellular links); 0 = unlimited. Live data is never limited.</summary>
    public double DrainReadingsPerSecond { get; set; }
}
