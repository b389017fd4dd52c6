using System.Text.Json.Nodes;
using Gateway.Tests.Support;

namespace Gateway.Tests.Conventions;

/// <summary>
/// docs/configuration.md is generated from the shipped schema by tools/gen-config-docs.py, so that
/// the reference an operator reads is the one the gateway enforces.
/// </summary>
public sealed class ConfigurationDocTests
{
    private const string Regenerate = "/usr/bin/python3 tools/gen-config-docs.py";

    [Fact]
    public void Docs_configuration_md_is_what_the_generator_makes_of_the_shipped_schema()
    {
        var generated = Generate();
        Assert.True(generated.ExitCode == 0, $"{Regenerate} failed ({generated.ExitCode}): {generated.StdErr}");
        var committed = File.ReadAllText(Repo.PathOf("docs", "configuration.md"));
        Assert.True(committed == generated.StdOut,
            $"docs/configuration.md is out of date with config/gateway.schema.json; regenerate it with `{Regenerate}`. "
            + FirstDifference(committed, generated.StdOut));
    }

    [Fact]
    public void The_reference_has_a_row_for_keys_of_every_section_of_the_schema()
    {
        // Guards the comparison above against a generator that silently skips a section.
        var text = File.ReadAllText(Repo.PathOf("docs", "configuration.md"));
        var schema = JsonNode.Parse(File.ReadAllText(Repo.PathOf("config", "gateway.schema.json")))!.AsObject();
        foreach (var (section, _) in schema["properties"]!.AsObject())
        {
            Assert.Contains($"| `{section}", text, StringComparison.Ordinal);
        }
        foreach (var row in new[] { "`mqtt.caFile`", "`devices[].points[].order`", "`cameras[].crowd.zones[].alertPersons`", "`buses[].rs485`" })
        {
            Assert.Contains(row, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_generator_refuses_a_schema_key_without_a_description_and_names_it()
    {
        using var dir = new TempDirectory();
        var schema = JsonNode.Parse(File.ReadAllText(Repo.PathOf("config", "gateway.schema.json")))!.AsObject();
        var durability = schema["properties"]!["storage"]!["properties"]!["durability"]!.AsObject();
        Assert.True(durability.Remove("description"), "storage.durability has no description to remove");
        var file = Path.Combine(dir.Path, "gateway.schema.json");
        File.WriteAllText(file, schema.ToJsonString());

        var result = Generate("--schema", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("storage.durability", result.StdErr, StringComparison.Ordinal);
        Assert.Equal("", result.StdOut);
    }

    private static ExternalTool.Result Generate(params string[] extra) =>
        ExternalTool.Run(ExternalTool.Python, [Repo.PathOf("tools", "gen-config-docs.py"), "--stdout", .. extra],
            TimeSpan.FromSeconds(60), workingDirectory: Repo.Root);

    private static string FirstDifference(string committed, string generated)
    {
        var a = committed.Split('\n');
        var b = generated.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var left = i < a.Length ? a[i] : "(end of file)";
            var right = i < b.Length ? b[i] : "(end of file)";
            if (left != right)
            {
                return $"First difference at line {i + 1}:\n  file:      {left}\n  generated: {right}";
            }
        }
        return "";
    }
}
