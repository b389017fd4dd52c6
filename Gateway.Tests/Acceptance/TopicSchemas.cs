using System.Text.Json;
using Gateway.Tests.Support;
using Json.Schema;

namespace Gateway.Tests.Acceptance;

/// <summary>
/// The shipped topic schemas (docs/schemas, draft 2020-12) evaluated by JsonSchema.Net, with
/// <c>format</c> asserted (2020-12 only annotates it by default, and "ts is ISO-8601 UTC" is contract).
/// </summary>
public sealed class TopicSchemas
{
    public const string Status = "status";
    public const string Telemetry = "telemetry";
    public const string Event = "event";
    public const string Health = "health";
    public const string CommandRequest = "cmd-request";
    public const string CommandReply = "cmd-reply";

    private const string IdBase = "https://edge-gateway.invalid/schemas/";

    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    private static readonly Lazy<TopicSchemas> Loaded = new(() => new TopicSchemas(Repo.PathOf("docs", "schemas")));

    /// <summary>The reply schema's <c>$defs</c> entry that pins the result of each command.</summary>
    private static readonly Dictionary<string, string> ReplyDefinitions = new(StringComparer.Ordinal)
    {
        ["ping"] = "pingReply",
        ["status"] = "statusReply",
        ["config/get"] = "configGetReply",
        ["config/set"] = "configSetReply",
    };

    private readonly Dictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);

    private TopicSchemas(string folder)
    {
        var build = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        foreach (var name in new[] { Status, Telemetry, Event, Health, CommandRequest, CommandReply })
        {
            _schemas[name] = JsonSchema.FromText(File.ReadAllText(Path.Combine(folder, name + ".schema.json")), build);
        }
        foreach (var (command, definition) in ReplyDefinitions)
        {
            _schemas[ReplyKey(command)] = JsonSchema.FromText($$"""{ "$ref": "{{IdBase}}cmd-reply.schema.json#/$defs/{{definition}}" }""", build,
                new Uri($"{IdBase}by-command/{definition}"));
        }
    }

    public static TopicSchemas Shipped => Loaded.Value;

    /// <summary>The schema names that apply to a message on <paramref name="topic"/> below <paramref name="nodeTopic"/> ({prefix}/{node}); none for snapshots (JPEG).</summary>
    public static IReadOnlyList<string> For(string nodeTopic, string topic)
    {
        var rest = topic.StartsWith(nodeTopic + "/", StringComparison.Ordinal) ? topic[(nodeTopic.Length + 1)..] : null;
        return rest switch
        {
            "status" => [Status],
            "telemetry" => [Telemetry],
            "events" => [Event],
            "health" => [Health],
            null => throw new ArgumentException($"{topic} is not below {nodeTopic}", nameof(topic)),
            _ when rest.StartsWith("snapshots/", StringComparison.Ordinal) => [],
            _ when rest.StartsWith("cmd/", StringComparison.Ordinal) && rest.EndsWith("/reply", StringComparison.Ordinal) =>
                ReplyDefinitions.ContainsKey(rest[4..^6]) ? [CommandReply, ReplyKey(rest[4..^6])] : [CommandReply],
            _ when rest.StartsWith("cmd/", StringComparison.Ordinal) => [CommandRequest],
            _ => throw new ArgumentException($"{topic}: no such topic in SPEC section 3", nameof(topic)),
        };
    }

    /// <summary>The schema pinning the reply of one command (<c>cmd-reply</c>'s <c>$defs</c> entry).</summary>
    public static string ReplyKey(string command) => $"{CommandReply}#{command}";

    /// <summary>Every failing keyword as "instance location: message"; empty when the payload is valid (not JSON is one error).</summary>
    public IReadOnlyList<string> Validate(string schema, ReadOnlySpan<byte> payload)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload.ToArray());
        }
        catch (JsonException ex)
        {
            return [$"not JSON: {ex.Message}"];
        }
        using (document)
        {
            return Validate(schema, document.RootElement);
        }
    }

    public IReadOnlyList<string> Validate(string schema, string json) => Validate(schema, System.Text.Encoding.UTF8.GetBytes(json));

    public IReadOnlyList<string> Validate(string schema, JsonElement instance)
    {
        var results = _schemas[schema].Evaluate(instance, Options);
        if (results.IsValid)
        {
            return [];
        }
        var errors = (results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value} (at {d.EvaluationPath})"))
            .ToList();
        return errors.Count > 0 ? errors : ["invalid (no keyword named a cause)"];
    }
}
