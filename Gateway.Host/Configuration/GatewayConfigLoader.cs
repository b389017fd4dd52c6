using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Host.Configuration;

/// <summary>Outcome of loading a configuration: the bound options, or every error found.</summary>
public sealed record ConfigLoadResult(GatewayOptions? Options, IReadOnlyList<ConfigError> Errors, IReadOnlyList<ConfigError> Warnings, JsonObject? Document)
{
    public bool IsValid => Errors.Count == 0 && Options is not null;
}

/// <summary>
/// Reads the configuration file, applies environment overrides, validates it against the
/// shipped JSON Schema and the semantic rules, and binds it. Every error is reported with its
/// JSON path; nothing is bound from an invalid file.
/// </summary>
public static class GatewayConfigLoader
{
    private static readonly Lazy<JsonSchemaValidator> Schema = new(JsonSchemaValidator.FromEmbeddedGatewaySchema);

    internal static readonly JsonSerializerOptions BindOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = false,
    };

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = false,
    };

    public static ConfigLoadResult LoadFile(string path, IEnumerable<KeyValuePair<string, string?>>? environment = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Failed(new ConfigError("", $"cannot read configuration file '{path}': {ex.Message}"));
        }
        return LoadText(text, Path.GetDirectoryName(Path.GetFullPath(path)), environment);
    }

    public static ConfigLoadResult LoadText(string json, string? configDirectory, IEnumerable<KeyValuePair<string, string?>>? environment = null)
    {
        JsonObject root;
        try
        {
            var node = JsonNode.Parse(json, documentOptions: DocumentOptions);
            if (node is not JsonObject obj)
            {
                return Failed(new ConfigError("", $"the configuration must be a JSON object, not {(node is null ? "null" : node.GetValueKind().ToString().ToLowerInvariant())}"));
            }
            root = obj;
        }
        catch (JsonException ex)
        {
            // System.Text.Json reports 0-based positions; editors count from 1.
            var line = (ex.LineNumber ?? 0) + 1;
            var column = (ex.BytePositionInLine ?? 0) + 1;
            return Failed(new ConfigError("", $"invalid JSON at line {line}, column {column}: {FirstSentence(ex.Message)}"));
        }

        var errors = new List<ConfigError>();
        var warnings = new List<ConfigError>();
        var literals = EnvironmentOverrides.Apply(root, environment ?? ProcessEnvironment(), errors);
        if (errors.Count > 0)
        {
            return new ConfigLoadResult(null, errors, warnings, root);
        }

        var schemaErrors = Schema.Value.Validate(root);
        // An override read as a number/bool where the schema wants a string is meant as that string.
        var retry = literals.Where(l => schemaErrors.Any(e => e.Path == l.Path)).ToList();
        if (retry.Count > 0)
        {
            retry.ForEach(l => l.MakeString());
            schemaErrors = Schema.Value.Validate(root);
        }
        errors.AddRange(schemaErrors);
        if (errors.Count > 0)
        {
            return new ConfigLoadResult(null, errors, warnings, root);
        }

        var options = root.Deserialize<GatewayOptions>(BindOptions)!;
        new ConfigSemanticValidator(Schema.Value, new ConfigFileResolver(configDirectory), errors, warnings).Validate(options);
        if (errors.Count > 0)
        {
            return new ConfigLoadResult(null, errors, warnings, root);
        }
        options.Mqtt.ClientId ??= options.Node.Id;
        return new ConfigLoadResult(options, errors, warnings, root);
    }

    /// <summary>System.Text.Json's message without its position suffix and its advice to programmers.</summary>
    internal static string FirstSentence(string message)
    {
        foreach (var marker in new[] { " Path:", " LineNumber:", " Change the reader options." })
        {
            var cut = message.IndexOf(marker, StringComparison.Ordinal);
            if (cut > 0)
            {
                message = message[..cut];
            }
        }
        return message.TrimEnd();
    }

    private static ConfigLoadResult Failed(ConfigError error) => new(null, [error], [], null);

    private static IEnumerable<KeyValuePair<string, string?>> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .Select(e => new KeyValuePair<string, string?>((string)e.Key, e.Value as string));
}
