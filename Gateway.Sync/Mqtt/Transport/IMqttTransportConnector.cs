namespace Gateway.Sync.Mqtt.Transport;

/// <summary>The seam where the client gets its byte stream; tests substitute in-memory or faulty streams.</summary>
internal interface IMqttTransportConnector
{
    Task<Stream> ConnectAsync(MqttBrokerEndpoint endpoint, CancellationToken cancellationToken);
}
