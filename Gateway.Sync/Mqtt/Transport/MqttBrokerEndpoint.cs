namespace Gateway.Sync.Mqtt.Transport;

/// <summary>One entry of <c>mqtt.brokers</c>: <c>mqtt://host[:1883]</c> or <c>mqtts://host[:8883]</c>.</summary>
public sealed record MqttBrokerEndpoint(string Host, int Port, bool UseTls)
{
    public static MqttBrokerEndpoint Parse(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.Host.Length == 0)
        {
            throw new FormatException($"broker '{uri}' is not an absolute mqtt:// or mqtts:// URI");
        }
        var tls = parsed.Scheme switch
        {
            "mqtt" => false,
            "mqtts" => true,
            _ => throw new FormatException($"broker '{uri}': scheme must be mqtt or mqtts"),
        };
        if (parsed.UserInfo.Length > 0)
        {
            throw new FormatException("broker URIs must not carry credentials; use mqtt.username and mqtt.password");
        }
        var port = parsed.IsDefaultPort || parsed.Port < 0 ? (tls ? 8883 : 1883) : parsed.Port;
        return new MqttBrokerEndpoint(parsed.IdnHost, port, tls);
    }

    public override string ToString() => $"{(UseTls ? "mqtts" : "mqtt")}://{Host}:{Port}";
}
