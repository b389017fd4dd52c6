using System.Text.Json.Nodes;
using Gateway.Host.ConfigApply;

namespace Gateway.Tests.Host.ConfigApply;

public class RedactedSecretsTests
{
    [Fact]
    public void A_mask_sent_back_keeps_the_running_value_at_the_same_place_also_in_arrays_matched_by_id()
    {
        var running = JsonNode.Parse("""
            { "mqtt": { "username": "pole-1", "password": "hunter2-hunter2" },
              "devices": [ { "id": "a", "apiToken": "token-a" }, { "id": "b", "apiToken": "token-b" } ],
              "list": [ { "secret": "first" } ] }
            """)!;
        // The editor moved device b first, changed a's token, and sent the rest back as config/get showed it.
        var incoming = JsonNode.Parse("""
            { "mqtt": { "username": "pole-1", "password": "***" },
              "devices": [ { "id": "b", "apiToken": "***" }, { "id": "a", "apiToken": "new-token-a" }, { "id": "c", "apiToken": "***" } ],
              "list": [ { "secret": "***" } ] }
            """)!;

        RedactedSecrets.Restore(incoming, running);

        Assert.Equal("hunter2-hunter2", (string?)incoming["mqtt"]!["password"]);
        Assert.Equal("token-b", (string?)incoming["devices"]![0]!["apiToken"]);
        Assert.Equal("new-token-a", (string?)incoming["devices"]![1]!["apiToken"]);
        // A new device has no running secret: the mask is dropped, never written as its value.
        Assert.False(incoming["devices"]![2]!.AsObject().ContainsKey("apiToken"));
        Assert.Equal("first", (string?)incoming["list"]![0]!["secret"]); // no id: by index
    }

    [Fact]
    public void A_mask_over_a_secret_the_file_does_not_hold_is_removed_so_an_environment_override_keeps_working()
    {
        var running = JsonNode.Parse("""{ "mqtt": { "username": "pole-1" } }""")!; // password from GATEWAY_mqtt__password
        var incoming = JsonNode.Parse("""{ "mqtt": { "username": "pole-1", "password": "***" } }""")!;

        RedactedSecrets.Restore(incoming, running);

        Assert.False(incoming["mqtt"]!.AsObject().ContainsKey("password"));
    }
}
