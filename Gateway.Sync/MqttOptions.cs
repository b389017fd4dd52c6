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
}
