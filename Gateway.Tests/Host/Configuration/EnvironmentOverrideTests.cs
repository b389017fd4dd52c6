using Gateway.Host.Configuration;
using Gateway.Tests.Support;

namespace Gateway.Tests.Host.Configuration;

public class EnvironmentOverrideTests
{
    private static readonly string SpecExample = Repo.PathOf("config", "examples", "spec-section4.json");

    private static ConfigLoadResult Load(params (string Name, string Value)[] env) =>
        GatewayConfigLoader.LoadFile(SpecExample, env.Select(e => new KeyValuePair<string, string?>(e.Name, e.Value)));

    [Fact]
    public void Overrides_single_keys_the_usual_dotnet_way()
    {
        var result = Load(
            ("GATEWAY_mqtt__username", "pole-0001"),
            ("GATEWAY_mqtt__password", "12345678901234"),
            ("GATEWAY_devices__0__pollMs", "500"),
            ("GATEWAY_NODE__SITE", "minhang/xinzhuang"),
            ("OTHER_mqtt__password", "ignored"));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var o = result.Options!;
        Assert.Equal("pole-0001", o.Mqtt.Username);
        Assert.Equal("12345678901234", o.Mqtt.Password); // a digit-only secret stays a string where the key is a string
        Assert.Equal(500, o.Devices[0].PollMs);
        Assert.Equal("minhang/xinzhuang", o.Node.Site); // keys match case-insensitively
    }

    [Fact]
    public void Override_can_replace_an_array_and_append_an_item()
    {
        var result = Load(
            ("GATEWAY_mqtt__brokers", "[\"mqtts://a.example:8883\"]"),
            ("GATEWAY_mqtt__brokers__1", "mqtts://b.example:8883"));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(["mqtts://a.example:8883", "mqtts://b.example:8883"], result.Options!.Mqtt.Brokers);
    }

    [Fact]
    public void Overridden_values_are_validated_like_the_file()
    {
        var result = Load(("GATEWAY_devices__0__pollMs", "-3"), ("GATEWAY_mqtt__keepAlive", "30"));

        Assert.Equal(["mqtt.keepAlive", "devices[0].pollMs"], result.Errors.Select(e => e.Path));
    }

    [Fact]
    public void An_index_beyond_the_end_of_an_array_is_an_error()
    {
        var result = Load(("GATEWAY_devices__7__pollMs", "500"));

        var error = Assert.Single(result.Errors);
        Assert.Equal("env GATEWAY_devices__7__pollMs: '7' is not a valid index for an array of 2 item(s)", error.ToString());
    }
}
