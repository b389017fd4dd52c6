using System.Text.Json.Nodes;
using Gateway.Host.Configuration;

namespace Gateway.Tests.Host.Configuration;

public class ConfigRedactionTests
{
    [Fact]
    public void Secrets_are_masked_wherever_they_are_and_the_original_is_untouched()
    {
        var config = JsonNode.Parse("""
            { "mqtt": { "username": "pole-1", "password": "hunter2-hunter2", "keyFile": "/etc/k.pem" },
              "web": { "password": null },
              "devices": [ { "id": "d", "apiToken": "t0k", "nested": { "clientSecret": "s" } } ] }
            """)!.AsObject();

        var redacted = ConfigRedaction.Redact(config);

        Assert.Equal("***", redacted["mqtt"]!["password"]!.GetValue<string>());
        Assert.Equal("pole-1", redacted["mqtt"]!["username"]!.GetValue<string>());
        Assert.Equal("/etc/k.pem", redacted["mqtt"]!["keyFile"]!.GetValue<string>()); // a path, not a secret
        Assert.Null(redacted["web"]!["password"]); // "not set" stays visible as null
        Assert.Equal("***", redacted["devices"]![0]!["apiToken"]!.GetValue<string>());
        Assert.Equal("***", redacted["devices"]![0]!["nested"]!["clientSecret"]!.GetValue<string>());
        Assert.DoesNotContain("hunter2", redacted.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("hunter2-hunter2", config["mqtt"]!["password"]!.GetValue<string>());
    }
}
