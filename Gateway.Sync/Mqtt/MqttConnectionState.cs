namespace Gateway.Sync.Mqtt;

/// <summary>The uplink's connection state, for health reporting.</summary>
public enum MqttConnectionState
{
    /// <summary>Opening TCP/TLS and waiting for CONNACK.</summary>
    Connecting,

    /// <summary>CONNACK accepted and subscriptions in place; publishes flow.</summary>
    Connected,

    /// <summary>The last attempt or connection failed; waiting out the back-off before the next broker.</summary>
    Failing,

    /// <summary>The host is stopping or has stopped the uplink.</summary>
    Stopped,
}
