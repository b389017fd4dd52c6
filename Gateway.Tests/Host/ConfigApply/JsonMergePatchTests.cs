using System.Text.Json.Nodes;
using Gateway.Host.ConfigApply;

namespace Gateway.Tests.Host.ConfigApply;

public class JsonMergePatchTests
{
    /// <summary>RFC 7396 Appendix A, every row: original, patch, result.</summary>
    [Theory]
    [InlineData("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("""{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [InlineData("""{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [InlineData("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("""{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [InlineData("""["a","b"]""", """["c","d"]""", """["c","d"]""")]
    [InlineData("""{"a":"b"}""", """["c"]""", """["c"]""")]
    [InlineData("""{"a":"foo"}""", "null", "null")]
    [InlineData("""{"a":"foo"}""", "\"bar\"", "\"bar\"")]
    [InlineData("""{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""")]
    [InlineData("""[1,2]""", """{"a":"b","c":null}""", """{"a":"b"}""")]
    [InlineData("""{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""")]
    public void The_examples_of_RFC_7396_appendix_A(string original, string patch, string expected)
    {
        var target = JsonNode.Parse(original);
        var before = target?.ToJsonString();

        var result = JsonMergePatch.Apply(target, JsonNode.Parse(patch));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), result), $"got {result?.ToJsonString() ?? "null"}");
        Assert.Equal(before, target?.ToJsonString()); // the target is not modified
    }

    [Fact]
    public void The_example_of_RFC_7396_section_3()
    {
        var target = JsonNode.Parse("""
            { "title": "Goodbye!", "author": { "givenName": "John", "familyName": "Doe" },
              "tags": [ "example", "sample" ], "content": "This will be unchanged" }
            """);
        var patch = JsonNode.Parse("""
            { "title": "Hello!", "phoneNumber": "+01-123-456-7890", "author": { "familyName": null }, "tags": [ "example" ] }
            """);

        var result = JsonMergePatch.Apply(target, patch);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            { "title": "Hello!", "author": { "givenName": "John" }, "tags": [ "example" ],
              "content": "This will be unchanged", "phoneNumber": "+01-123-456-7890" }
            """), result), result!.ToJsonString());
    }
}
