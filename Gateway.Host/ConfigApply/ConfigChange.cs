using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Host.Configuration;

namespace Gateway.Host.ConfigApply;

/// <summary>
/// A requested change: a whole file (<see cref="Config"/>) or an RFC 7396 merge patch
/// (<see cref="Patch"/>) of the running file, optionally against <see cref="BaseVersion"/>.
/// </summary>
public sealed record ConfigChange(JsonObject? Config, JsonObject? Patch, string? BaseVersion)
{
    public static ConfigChange WholeFile(JsonObject config, string? baseVersion = null) => new(config, null, baseVersion);

    public static ConfigChange MergePatch(JsonObject patch, string? baseVersion = null) => new(null, patch, baseVersion);

    /// <summary>
    /// Reads a request body: <c>config/set</c>'s args or <c>PUT /api/config</c>'s body, the same
    /// shape — <c>{"config":{…}}</c> or <c>{"patch":{…}}</c>, with <c>"baseVersion"</c> (or
    /// <c>"version"</c>, as <c>GET /api/config</c> returns it). Errors name the member at fault.
    /// </summary>
    public static bool TryParse(JsonObject? body, out ConfigChange? change, out ConfigError? error)
    {
        change = null;
        error = null;
        if (body is null)
        {
            error = new ConfigError("", "expected {\"config\":{…}} or {\"patch\":{…}}, optionally with \"baseVersion\"");
            return false;
        }
        var config = body["config"];
        var patch = body["patch"];
        if ((config is null) == (patch is null))
        {
            error = new ConfigError("", config is null
                ? "expected \"config\" (the whole file) or \"patch\" (an RFC 7396 merge patch)"
                : "give either \"config\" or \"patch\", not both");
            return false;
        }
        if (config is not null and not JsonObject)
        {
            error = new ConfigError("config", "must be a JSON object (the whole configuration file)");
            return false;
        }
        if (patch is not null and not JsonObject)
        {
            error = new ConfigError("patch", "must be a JSON object (an RFC 7396 merge patch of the configuration)");
            return false;
        }
        var versionKey = body.ContainsKey("baseVersion") ? "baseVersion" : "version";
        string? baseVersion = null;
        if (body[versionKey] is { } v)
        {
            if (v is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
            {
                error = new ConfigError(versionKey, "must be a string (the version config/get returned)");
                return false;
            }
            baseVersion = value.GetValue<string>();
        }
        change = new ConfigChange(config?.DeepClone().AsObject(), patch?.DeepClone().AsObject(), baseVersion);
        return true;
    }
}
