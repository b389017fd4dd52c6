using Gateway.Sync.Mqtt.Transport;

namespace Gateway.Tests.Sync.Mqtt.Transport;

public class MqttBrokerEndpointTests
{
    [Theory]
    [InlineData("mqtt://127.0.0.1", "127.0.0.1", 1883, false)]
    [InlineData("mqtt://broker.city.example:11883", "broker.city.example", 11883, false)]
    [InlineData("mqtts://broker.city.example", "broker.city.example", 8883, true)]
    [InlineData("mqtts://[::1]:9000", "::1", 9000, true)]
    public void Parses_scheme_host_and_default_ports(string uri, string host, int port, bool tls)
    {
        Assert.Equal(new MqttBrokerEndpoint(host, port, tls), MqttBrokerEndpoint.Parse(uri));
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:1883")]
    [InlineData("http://broker")]
    [InlineData("mqtt://user:secret@broker")]
    [InlineData("broker:1883")]
    public void Refuses_other_schemes_and_credentials_in_the_uri(string uri)
    {
        var error = Assert.Throws<FormatException>(() => MqttBrokerEndpoint.Parse(uri));
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }
}
