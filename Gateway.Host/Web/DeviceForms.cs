using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Host.Configuration;

namespace Gateway.Host.Web;

/// <summary>
/// What the devices page's edit form needs, derived from the shipped schema rather than written a
/// second time in JavaScript: per device type, its keys with kind, limits, default and whether they
/// are required (<see cref="FieldsJson"/>); and the profile files a Modbus device may name
/// (<see cref="Profiles"/>). Arrays and objects (a device's own <c>points</c>) have no form field:
/// the page keeps them as they are in the configuration.
/// </summary>
internal static class DeviceForms
{
    private static readonly Lazy<JsonObject> Fields = new(() => Build(LoadSchema()));

    /// <summary>The schema the configuration is validated against, as embedded in this assembly.</summary>
    public static string SchemaText()
    {
        using var stream = typeof(JsonSchemaValidator).Assembly.GetManifestResourceStream("gateway.schema.json")
            ?? throw new InvalidOperationException("the configuration schema is not embedded in this build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary><c>{"types":[{"type","required":[…],"fields":[{key,kind,required,…}]}]}</c>, a fresh copy per call.</summary>
    public static JsonObject FieldsJson() => (JsonObject)Fields.Value.DeepClone();

    private static JsonObject LoadSchema() => JsonNode.Parse(SchemaText())!.AsObject();

    internal static JsonObject Build(JsonObject schema)
    {
        var types = new JsonArray();
        foreach (var branch in Resolve(schema, "#/$defs/device")!["allOf"]!.AsArray())
        {
            if (branch?["if"]?["properties"]?["type"]?["const"]?.GetValue<string>() is not { } type || branch["then"] is not JsonObject then)
            {
                continue;
            }
            var body = Merge(schema, then);
            var required = body["required"]?.AsArray().Select(r => r!.GetValue<string>()).ToHashSet(StringComparer.Ordinal) ?? [];
            var fields = new JsonArray();
            foreach (var (key, declared) in body["properties"]?.AsObject() ?? [])
            {
                if (declared is not JsonObject property || Field(schema, key, property, required.Contains(key)) is not { } field)
                {
                    continue; // "id": true, "type": true — the form's own fields; arrays and objects are kept as they are
                }
                fields.Add(field);
            }
            types.Add(new JsonObject { ["type"] = type, ["fields"] = fields });
        }
        return new JsonObject { ["types"] = types };
    }

    private static JsonObject? Field(JsonObject schema, string key, JsonObject declared, bool required)
    {
        var property = Merge(schema, declared);
        string kind;
        if (property["enum"] is JsonArray)
        {
            kind = "enum";
        }
        else if (property["type"]?.GetValue<string>() is { } type && type is "string" or "integer" or "number" or "boolean")
        {
            kind = type;
        }
        else
        {
            return null;
        }
        var field = new JsonObject { ["key"] = key, ["kind"] = kind, ["required"] = required };
        foreach (var name in new[] { "enum", "minimum", "maximum", "exclusiveMinimum", "minLength", "pattern", "default", "description" })
        {
            if (property[name] is { } value)
            {
                field[name] = value.DeepClone();
            }
        }
        return field;
    }

    /// <summary>A schema object with its <c>$ref</c> followed; the referring object's own keywords (a more specific description) win.</summary>
    private static JsonObject Merge(JsonObject schema, JsonObject node)
    {
        var merged = node["$ref"]?.GetValue<string>() is { } reference ? Merge(schema, Resolve(schema, reference)!) : [];
        foreach (var (key, value) in node)
        {
            if (key != "$ref")
            {
                merged[key] = value?.DeepClone();
            }
        }
        return merged;
    }

    private static JsonObject? Resolve(JsonObject schema, string reference)
    {
        JsonNode? node = schema;
        foreach (var part in reference.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node?[part];
        }
        return node as JsonObject;
    }

    /// <summary>
    /// The profiles a device's <c>profile</c> may name as <c>profiles/FILE.json</c>: every such file in
    /// the folders <see cref="ConfigFileResolver"/> searches, the first of a name winning as it does when
    /// the configuration is loaded. A file that cannot be read is listed with its problem, not hidden.
    /// </summary>
    public static JsonArray Profiles(string configPath)
    {
        var resolver = new ConfigFileResolver(Path.GetDirectoryName(Path.GetFullPath(configPath)));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new JsonArray();
        foreach (var dir in resolver.SearchDirectories)
        {
            var folder = Path.Combine(dir, "profiles");
            if (!Directory.Exists(folder))
            {
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
            {
                var value = "profiles/" + Path.GetFileName(file);
                if (!seen.Add(value))
                {
                    continue;
                }
                var item = new JsonObject { ["value"] = value, ["file"] = file };
                try
                {
                    var profile = JsonNode.Parse(File.ReadAllText(file), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
                    item["name"] = profile?["name"]?.DeepClone();
                    item["manufacturer"] = profile?["manufacturer"]?.DeepClone();
                    item["points"] = (profile?["points"] as JsonArray)?.Count;
                }
                catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException)
                {
                    item["problem"] = e.Message;
                }
                list.Add(item);
            }
        }
        return list;
    }
}
