using System.Text.Json.Nodes;
using Gateway.Host.Configuration;

namespace Gateway.Tests.Host.Configuration;

public class JsonSchemaValidatorTests
{
    private static List<string> Validate(string schema, string instance) =>
        new JsonSchemaValidator(JsonNode.Parse(schema)!).Validate(JsonNode.Parse(instance)).Select(e => e.ToString()).ToList();

    [Fact]
    public void Integer_accepts_a_zero_fraction_and_rejects_others()
    {
        const string schema = """{"type":"object","properties":{"n":{"type":"integer"}}}""";

        Assert.Empty(Validate(schema, """{"n": 3.0}"""));
        Assert.Equal(["n: expected integer, got number 3.5"], Validate(schema, """{"n": 3.5}"""));
    }

    [Fact]
    public void If_then_applies_only_when_the_condition_holds()
    {
        const string schema = """
            {"type":"object",
             "if":{"properties":{"kind":{"const":"a"}},"required":["kind"]},
             "then":{"required":["a"]},
             "else":{"required":["b"]}}
            """;

        Assert.Equal(["a: required key is missing"], Validate(schema, """{"kind":"a"}"""));
        Assert.Equal(["b: required key is missing"], Validate(schema, """{"kind":"z"}"""));
        Assert.Empty(Validate(schema, """{"kind":"a","a":1}"""));
    }

    [Fact]
    public void Paths_name_array_items_and_odd_keys()
    {
        const string schema = """{"type":"object","additionalProperties":{"type":"array","items":{"type":"string"}}}""";

        Assert.Equal(["list[1]: expected string, got number 2", "[\"odd key\"][0]: expected string, got true"],
            Validate(schema, """{"list":["a",2],"odd key":[true]}"""));
    }

    [Fact]
    public void Unsupported_keyword_refuses_to_load_rather_than_being_ignored()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new JsonSchemaValidator(JsonNode.Parse("""{"properties":{"a":{"oneOf":[]}}}""")!));

        Assert.Contains("'oneOf'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unresolvable_reference_refuses_to_load()
    {
        Assert.Throws<InvalidOperationException>(() => new JsonSchemaValidator(JsonNode.Parse("""{"$ref":"#/$defs/none"}""")!));
    }

    [Theory]
    [InlineData("pasword", "password")]
    [InlineData("topicprefix", "topicPrefix")]
    [InlineData("zzzzzz", null)]
    public void Suggests_the_closest_known_key(string typo, string? expected)
    {
        Assert.Equal(expected, JsonSchemaValidator.ClosestName(typo, ["password", "username", "topicPrefix"]));
    }
}
