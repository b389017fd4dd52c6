using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Drivers.Abstractions;
using Gateway.Sync.Store;
using Gateway.Sync.Uplink;

namespace Gateway.Host.Health;

/// <summary>
/// The <c>{prefix}/{node}/health</c> payload of SPEC section 3, exactly its fields:
/// <c>{"v":1,"node","ts","uptimeS","clock","backlog":{"records","oldestAgeS"},"droppedTotal",
/// "devices":{id:{"state","lastGoodTs"}},"cameras":{id:{"fps","inferenceMs"}},"cpuPercent","rssMB","diskFreeMB"}</c>.
/// A figure that is not known is <c>null</c>, never a made-up number: <c>inferenceMs</c> stays null until
/// the camera's analysis has run on a frame, <c>ts</c> / <c>lastGoodTs</c> while the time is unknown.
/// </summary>
internal sealed class HealthPayload(NodeHealthSampler sampler, NodeIdentity node) : IHealthPayloadSource
{
    private const double Megabyte = 1024 * 1024;

    public ReadOnlyMemory<byte> Build() =>
        JsonSerializer.SerializeToUtf8Bytes(ToJson(sampler.Sample(advanceCpuBaseline: true), node.NodeId));

    public static JsonObject ToJson(NodeHealth health, string nodeId)
    {
        ArgumentNullException.ThrowIfNull(health);
        var devices = new JsonObject();
        foreach (var d in health.Devices)
        {
            devices[d.Figures.Device] = new JsonObject
            {
                ["state"] = d.Figures.State == DeviceState.Offline ? "offline" : "online",
                ["lastGoodTs"] = Timestamp(d.LastGoodTs),
            };
        }
        var cameras = new JsonObject();
        foreach (var c in health.Cameras)
        {
            cameras[c.Camera] = new JsonObject
            {
                ["fps"] = Math.Round(c.FramesPerSecond, 2),
                ["inferenceMs"] = c.Analysed > 0 ? Math.Round(c.InferenceMs, 1) : null, // no frame analysed yet: no figure
            };
        }
        return new JsonObject
        {
            ["v"] = 1,
            ["node"] = nodeId,
            ["ts"] = Timestamp(health.Ts),
            ["uptimeS"] = (long)health.Uptime.TotalSeconds,
            ["clock"] = health.ClockKnown ? "synced" : "unsynced",
            ["backlog"] = new JsonObject
            {
                ["records"] = health.BacklogRecords,
                ["oldestAgeS"] = health.OldestAge is { } age ? (long)age.TotalSeconds : null,
            },
            ["droppedTotal"] = health.DroppedTotal,
            ["devices"] = devices,
            ["cameras"] = cameras,
            ["cpuPercent"] = health.CpuPercent is { } cpu ? Math.Round(cpu, 1) : null,
            ["rssMB"] = health.ResidentBytes is { } rss ? Math.Round(rss / Megabyte, 1) : null,
            ["diskFreeMB"] = health.DiskFreeBytes is { } free ? Math.Round(free / Megabyte, 1) : null,
        };
    }

    private static JsonNode? Timestamp(DateTimeOffset? at) => at is { } t ? RecordJson.FormatTimestamp(t) : null;
}
