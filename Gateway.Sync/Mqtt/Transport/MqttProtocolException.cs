namespace Gateway.Sync.Mqtt.Transport;

/// <summary>The peer broke the protocol (malformed, unexpected or oversized packet): the connection must end.</summary>
public sealed class MqttProtocolException : Exception
{
    public MqttProtocolException(string message)
        : base(message)
    {
    }

    public MqttProtocolException()
    {
    }

    public MqttProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
