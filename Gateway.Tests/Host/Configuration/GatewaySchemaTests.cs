using System.Text.Json.Nodes;
using Gateway.Host.Configuration;
using Gateway.Tests.Support;

namespace Gateway.Tests.Host.Configuration;

/// <summary>The shipped schema accepts every shipped example, by our validator and by an independent one.</summary>
public class GatewaySchemaTests
{
    private static readonly string SchemaPath = Repo.PathOf("config", "gateway.schema.json");

    private static IEnumerable<string> ConfigFiles() =>
        Directory.GetFiles(Repo.PathOf("config", "examples"), "*.json").Append(Repo.PathOf("config", "demo.json")).Order(StringComparer.Ordinal);

    private static IEnumerable<string> ProfileFiles() =>
        Directory.GetFiles(Repo.PathOf("profiles"), "*.json").Order(StringComparer.Ordinal);

    public static TheoryData<string> ShippedConfigs() => new(ConfigFiles().Select(f => Path.GetRelativePath(Repo.Root, f)));

    public static TheoryData<string> ShippedProfiles() => new(ProfileFiles().Select(f => Path.GetRelativePath(Repo.Root, f)));

    [Theory]
    [MemberData(nameof(ShippedConfigs))]
    public void Shipped_configuration_passes_the_gateway_validator(string relativePath)
    {
        var result = GatewayConfigLoader.LoadFile(Repo.PathOf(relativePath), []);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }

    [Theory]
    [MemberData(nameof(ShippedProfiles))]
    public void Shipped_profile_passes_the_gateway_validator(string relativePath)
    {
        var schema = JsonSchemaValidator.FromEmbeddedGatewaySchema();

        var errors = schema.Validate(JsonNode.Parse(File.ReadAllText(Repo.PathOf(relativePath))), "#/$defs/profile");

        Assert.Empty(errors);
    }

    [Fact]
    public void Embedded_schema_is_the_shipped_file()
    {
        using var stream = typeof(GatewayConfigLoader).Assembly.GetManifestResourceStream("gateway.schema.json")!;
        using var reader = new StreamReader(stream);
        Assert.Equal(File.ReadAllText(SchemaPath), reader.ReadToEnd());
    }

    [Fact]
    public void Independent_validator_accepts_the_schema_and_every_shipped_example()
    {
        // python3-jsonschema (Draft 2020-12) is an implementation we did not write.
        ExternalTool.RequirePythonModules("jsonschema");
        var configs = ConfigFiles().ToList();
        var profiles = ProfileFiles().ToList();
        Assert.NotEmpty(configs);
        Assert.NotEmpty(profiles);
        const string script = """
            import json, sys
            from jsonschema import Draft202012Validator
            schema = json.load(open(sys.argv[1]))
            Draft202012Validator.check_schema(schema)
            configs = Draft202012Validator(schema)
            profiles = Draft202012Validator({"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/profile"})
            bad = 0
            for kind, path in (a.split("=", 1) for a in sys.argv[2:]):
                v = configs if kind == "config" else profiles
                for e in v.iter_errors(json.load(open(path))):
                    bad += 1
                    print(f"{path}: {e.json_path}: {e.message}")
            print(f"checked {len(sys.argv) - 2} files, {bad} errors")
            sys.exit(1 if bad else 0)
            """;
        var args = new List<string> { "-c", script, SchemaPath };
        args.AddRange(configs.Select(c => $"config={c}"));
        args.AddRange(profiles.Select(p => $"profile={p}"));

        var run = ExternalTool.Run(ExternalTool.Python, args, TimeSpan.FromSeconds(60));

        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
        Assert.Contains($"checked {args.Count - 3} files, 0 errors", run.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Independent_validator_rejects_what_ours_rejects()
    {
        // The same broken documents must fail in both implementations: the schema means what we think it means.
        ExternalTool.RequirePythonModules("jsonschema");
        var broken = new[]
        {
            """{"node":{"id":"p"},"storage":{"path":"x"},"mqtt":{"brokers":[]}}""",
            """{"node":{"id":"p"},"storage":{"path":"x"},"mqtt":{"brokers":["mqtt://a:1"]},"devices":[{"id":"d","type":"modbus","endpoint":"tcp://a:1","points":[{"name":"n","table":"holding","address":0,"type":"float"}]}]}""",
            """{"node":{"id":"p"},"storage":{"path":"x"},"mqtt":{"brokers":["mqtt://a:1"]},"devices":[{"id":"d","type":"gpio-input","chip":"gpiochip0","line":1,"unitId":3}]}""",
            """{"node":{"id":"p"},"storage":{"path":"x","extra":1},"mqtt":{"brokers":["mqtt://a:1"]}}""",
        };
        var ours = JsonSchemaValidator.FromEmbeddedGatewaySchema();
        using var dir = new TempDirectory();
        var files = new List<string>();
        for (var i = 0; i < broken.Length; i++)
        {
            Assert.NotEmpty(ours.Validate(JsonNode.Parse(broken[i])));
            files.Add(dir.File($"broken{i}.json"));
            File.WriteAllText(files[^1], broken[i]);
        }
        const string script = """
            import json, sys
            from jsonschema import Draft202012Validator
            v = Draft202012Validator(json.load(open(sys.argv[1])))
            print(sum(1 for p in sys.argv[2:] if not v.is_valid(json.load(open(p)))))
            """;

        var run = ExternalTool.Run(ExternalTool.Python, ["-c", script, SchemaPath, .. files], TimeSpan.FromSeconds(60));

        Assert.Equal(broken.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), run.StdOut.Trim());
    }
}
