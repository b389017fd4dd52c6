namespace Gateway.Sync.Mqtt;

/// <summary>The broker answered CONNECT with a failure code (MQTT 3.1.1 §3.2.2.3, MQTT 5.0 §3.2.2.2).</summary>
public sealed class MqttConnectionRefusedException : Exception
{
    public MqttConnectionRefusedException(byte reasonCode, string? reasonString)
        : base($"broker refused the connection: reason 0x{reasonCode:X2}{(reasonString is null ? "" : " " + reasonString)}")
    {
        ReasonCode = reasonCode;
    }

    public MqttConnectionRefusedException()
    {
    }

    public MqttConnectionRefusedException(string message)
        : base(message)
    {
    }

    public MqttConnectionRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public byte ReasonCode { get; }
}
