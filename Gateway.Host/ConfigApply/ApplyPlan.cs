using System.Text.Json.Nodes;
using Gateway.Host.Hosting;

namespace Gateway.Host.ConfigApply;

/// <summary>
/// What applying a change takes: which live component groups restart (<see cref="LiveComponents"/>),
/// or the whole host, decided by the sections that differ in the effective documents. A section no
/// group owns is read once by the host (node, storage, mqtt, web, logging, host, inference,
/// models, cameras, and any key not known here): it restarts the host.
/// </summary>
internal sealed record ApplyPlan(bool RestartHost, IReadOnlyList<string> Groups)
{
    public bool Nothing => !RestartHost && Groups.Count == 0;

    /// <summary>How the result names it: "host", or the groups, e.g. "modbus,pole-sensors".</summary>
    public string? Restarted => RestartHost ? "host" : Groups.Count > 0 ? string.Join(",", Groups) : null;

    public static ApplyPlan For(JsonObject before, JsonObject after)
    {
        var groups = new SortedSet<string>(StringComparer.Ordinal);
        var host = false;
        foreach (var section in ConfigDiff.ChangedSections(before, after))
        {
            switch (section)
            {
                case "$schema":
                    break;
                case "time":
                    groups.Add(LiveComponents.Time);
                    break;
                case "buses":
                    groups.Add(LiveComponents.Modbus);
                    break;
                case "devices":
                    if (!JsonNode.DeepEquals(Devices(before, modbus: true), Devices(after, modbus: true)))
                    {
                        groups.Add(LiveComponents.Modbus);
                    }
                    if (!JsonNode.DeepEquals(Devices(before, modbus: false), Devices(after, modbus: false)))
                    {
                        groups.Add(LiveComponents.PoleSensors);
                    }
                    break;
                default:
                    host = true;
                    break;
            }
        }
        return new ApplyPlan(host, host ? [] : [.. groups]);
    }

    private static JsonArray Devices(JsonObject config, bool modbus) =>
        new([.. (config["devices"] as JsonArray ?? []).Where(d => IsModbus(d) == modbus).Select(d => d?.DeepClone())]);

    private static bool IsModbus(JsonNode? device) =>
        device is JsonObject o && o["type"] is JsonValue t && t.TryGetValue<string>(out var type) && type == "modbus";
}
