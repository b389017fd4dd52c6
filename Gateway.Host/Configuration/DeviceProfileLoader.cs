using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Drivers;

namespace Gateway.Host.Configuration;

/// <summary>
/// Merges each Modbus device's <c>profile</c> file into its points (the profile's first, counted in
/// <see cref="DeviceOptions.ProfilePointCount"/> so that the Modbus rules name a profile point by its
/// file). A profile is found like every file the configuration names (<see cref="ConfigFileResolver"/>)
/// and must pass the schema's <c>profile</c> definition; a profile that does not is an error and merges nothing.
/// </summary>
internal sealed class DeviceProfileLoader(JsonSchemaValidator schema, ConfigFileResolver files, List<ConfigError> errors)
{
    public void Merge(IList<DeviceOptions> devices)
    {
        for (var i = 0; i < devices.Count; i++)
        {
            var device = devices[i];
            if (device.Type != "modbus" || device.Profile is not { } profile || Load(profile, $"devices[{i}].profile") is not { } points)
            {
                continue;
            }
            var profilePoints = points.Deserialize<List<PointOptions>>(GatewayConfigLoader.BindOptions)!;
            device.Points = [.. profilePoints, .. device.Points];
            device.ProfilePointCount = profilePoints.Count;
        }
    }

    private JsonArray? Load(string profile, string path)
    {
        var file = files.ResolveInput(profile);
        if (file is null)
        {
            errors.Add(new ConfigError(path, $"profile file '{profile}' not found (searched {string.Join(", ", files.SearchDirectories)})"));
            return null;
        }
        JsonNode? document;
        try
        {
            document = JsonNode.Parse(File.ReadAllText(file), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            errors.Add(new ConfigError(path, $"profile '{profile}' is not valid JSON: line {(ex.LineNumber ?? 0) + 1}, column {(ex.BytePositionInLine ?? 0) + 1}: {GatewayConfigLoader.FirstSentence(ex.Message)}"));
            return null;
        }
        catch (IOException ex)
        {
            errors.Add(new ConfigError(path, $"profile '{profile}' cannot be read: {ex.Message}"));
            return null;
        }
        var problems = schema.Validate(document, "#/$defs/profile", $"{path}({profile})");
        errors.AddRange(problems);
        return problems.Count == 0 ? document!["points"]!.AsArray() : null;
    }
}
