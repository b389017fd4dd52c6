using System.Text.Json.Nodes;
using Gateway.Drivers.Abstractions;
using Gateway.Sync.RemoteCommands;

namespace Gateway.Host.Health;

/// <summary>
/// The <c>status</c> reply's <c>health</c> member: the health topic's figures plus what a technician
/// asking on purpose wants (each device's offline reason, polls, failed polls, last poll duration).
/// Does not move the CPU baseline of the topic.
/// </summary>
internal sealed class HealthStatusSection(NodeHealthSampler sampler) : IStatusSection
{
    public string Name => "health";

    public JsonNode? Read()
    {
        var health = sampler.Sample(advanceCpuBaseline: false);
        var json = HealthPayload.ToJson(health, "");
        json.Remove("v");
        json.Remove("node"); // both already in the reply
        json.Remove("ts");
        var devices = (JsonObject)json["devices"]!;
        foreach (var d in health.Devices)
        {
            var f = d.Figures;
            var entry = (JsonObject)devices[f.Device]!;
            entry["reason"] = f.Reason;
            entry["goodReadings"] = f.GoodReadings;
            entry["badReadings"] = f.BadReadings;
            entry["polls"] = f.Polls;
            entry["failedPolls"] = f.FailedPolls;
            entry["lastPollMs"] = f.LastPollLatency is { } l ? Math.Round(l.TotalMilliseconds, 1) : null;
            entry["offlineCount"] = f.OfflineTransitions;
        }
        return json;
    }
}
