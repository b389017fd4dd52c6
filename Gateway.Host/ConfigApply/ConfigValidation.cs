using System.Text.Json.Nodes;
using Gateway.Host.Configuration;

namespace Gateway.Host.ConfigApply;

/// <summary>
/// What <see cref="IConfigApplier.ValidateAsync"/> found, without writing anything: the change's
/// errors (each with its JSON path), its diff against the running file (secrets masked, as the
/// audit records it), and what applying it would restart.
/// </summary>
public sealed record ConfigValidation(string Version, IReadOnlyList<ConfigError> Errors, IReadOnlyList<ConfigDiffEntry> Diff, string? WouldRestart, bool Conflict = false)
{
    public bool Valid => Errors.Count == 0;

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["valid"] = Valid,
            ["version"] = Version,
            ["errors"] = new JsonArray([.. Errors.Select(e => (JsonNode)new JsonObject { ["path"] = e.Path, ["message"] = e.Message })]),
            ["diff"] = new JsonArray([.. Diff.Select(d => (JsonNode)d.ToJson())]),
        };
        if (Conflict)
        {
            json["conflict"] = true;
        }
        if (WouldRestart is not null)
        {
            json["wouldRestart"] = WouldRestart;
        }
        return json;
    }
}
