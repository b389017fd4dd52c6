namespace Gateway.Sync.Mqtt;

/// <summary>A snapshot of the uplink for health: never contains credentials.</summary>
/// <param name="State">Connected, connecting, failing or stopped.</param>
/// <param name="Broker">The broker in use or being tried (<c>mqtt(s)://host:port</c>).</param>
/// <param name="Since">When the state was entered.</param>
/// <param name="ConsecutiveFailures">Failed attempts since the last good connection.</param>
/// <param name="LastError">Why the last attempt or connection ended, if it did.</param>
/// <param name="Connections">How many connections have been established since start.</param>
public sealed record MqttUplinkStatus(
    MqttConnectionState State,
    string? Broker,
    DateTimeOffset Since,
    int ConsecutiveFailures,
    string? LastError,
    long Connections);
