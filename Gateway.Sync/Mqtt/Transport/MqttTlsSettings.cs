namespace Gateway.Sync.Mqtt.Transport;

/// <summary>
/// TLS material for <c>mqtts://</c> brokers. Server verification is always on: without
/// <see cref="CaFile"/> the system trust store is used, with it the file's certificates are the only
/// trust roots. There is deliberately no switch to turn verification off.
/// </summary>
public sealed record MqttTlsSettings(string? CaFile = null, string? CertFile = null, string? KeyFile = null);
