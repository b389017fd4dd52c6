using System.Text.Json.Nodes;
using Gateway.Host.Configuration;

namespace Gateway.Host.ConfigApply;

/// <summary>
/// What became of a change. <see cref="Version"/> is the version in force afterwards (the new one
/// when applied, the unchanged one otherwise); <see cref="Errors"/> say why it was refused or
/// rolled back, each with its JSON path; <see cref="Restarted"/> what was restarted to apply it
/// (<c>"host"</c>, or the components, e.g. <c>"modbus"</c>), null when nothing needed to be.
/// </summary>
public sealed record ConfigApplyResult(
    ConfigApplyOutcome Outcome,
    string Version,
    IReadOnlyList<ConfigError> Errors,
    string? Restarted = null,
    IReadOnlyList<ConfigDiffEntry>? Diff = null)
{
    public const string VersionConflict = "version conflict";

    public bool Applied => Outcome == ConfigApplyOutcome.Applied;

    public bool RolledBack => Outcome == ConfigApplyOutcome.RolledBack;

    public bool Conflict => Outcome == ConfigApplyOutcome.Conflict;

    /// <summary>The audit log's word for it.</summary>
    public string ResultText => Outcome switch
    {
        ConfigApplyOutcome.Applied => "applied",
        ConfigApplyOutcome.Rejected => "rejected",
        ConfigApplyOutcome.Conflict => "conflict",
        _ => "rolled-back",
    };

    /// <summary>The <c>config.applied</c> event's word for it (SPEC section 3 knows three: a conflict is a rejection).</summary>
    public string EventResult => Outcome switch
    {
        ConfigApplyOutcome.Applied => "applied",
        ConfigApplyOutcome.RolledBack => "rolled-back",
        _ => "rejected",
    };

    /// <summary>The error message of a refusal (SPEC section 3: exactly "version conflict" for a stale base).</summary>
    public string? Error => Outcome switch
    {
        ConfigApplyOutcome.Applied => null,
        ConfigApplyOutcome.Conflict => VersionConflict,
        ConfigApplyOutcome.Rejected => "invalid configuration",
        _ => "the new configuration failed after apply; the previous one was restored",
    };

    /// <summary>The reply's fields besides <c>ok</c> / <c>error</c>, for <c>config/set</c> and <c>PUT /api/config</c>.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["applied"] = Applied, ["version"] = Version };
        if (RolledBack)
        {
            json["rolledBack"] = true;
        }
        if (Restarted is not null)
        {
            json["restarted"] = Restarted;
        }
        if (Errors.Count > 0)
        {
            json["errors"] = new JsonArray([.. Errors.Select(e => (JsonNode)new JsonObject { ["path"] = e.Path, ["message"] = e.Message })]);
        }
        return json;
    }
}
