using System.Text.Json.Nodes;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Store;
using Gateway.Sync.Uplink;

namespace Gateway.Sync.RemoteCommands;

/// <summary><c>status</c>: the node's health as the platform needs it — uplink, store, clock, forwarding, and the
/// <see cref="IStatusSection"/>s others register (the host's components).</summary>
internal sealed class StatusCommand(NodeIdentity node, IMqttUplink uplink, IOutbox outbox, IClockSync clock, IForwarderStatus forwarder, TimeProvider time, IEnumerable<IStatusSection> sections) : ICommandHandler
{
    private readonly long _started = time.GetTimestamp();

    public string Name => "status";

    public ValueTask<JsonNode?> HandleAsync(JsonObject? args, CancellationToken cancellationToken)
    {
        var link = uplink.Status;
        var store = outbox.GetStatistics();
        var sent = forwarder.Status;
        var reply = new JsonObject
        {
            ["node"] = node.NodeId,
            ["site"] = node.Site,
            ["version"] = node.Version,
            ["ts"] = RecordJson.FormatTimestamp(time.GetUtcNow()),
            ["uptimeSeconds"] = Math.Round(time.GetElapsedTime(_started).TotalSeconds),
            ["clock"] = new JsonObject { ["synchronized"] = clock.IsSynchronized, ["trusted"] = clock.IsTrusted(time.GetUtcNow()), ["known"] = clock.IsTimeKnown },
            ["uplink"] = new JsonObject
            {
                ["state"] = link.State.ToString().ToLowerInvariant(),
                ["broker"] = link.Broker,
                ["since"] = RecordJson.FormatTimestamp(link.Since),
                ["connections"] = link.Connections,
                ["consecutiveFailures"] = link.ConsecutiveFailures,
                ["lastError"] = link.LastError,
            },
            ["store"] = new JsonObject
            {
                ["lastSeq"] = store.LastSeq,
                ["pendingReadings"] = store.PendingReadings,
                ["pendingEvents"] = store.PendingEvents,
                ["pendingSnapshots"] = store.PendingSnapshots,
                ["fileBytes"] = store.FileBytes,
                ["budgetBytes"] = store.BudgetBytes,
                ["droppedReadings"] = store.DroppedReadings,
                ["droppedEvents"] = store.DroppedEvents,
                ["writes"] = new JsonObject
                {
                    ["state"] = store.Writes.State.ToString().ToLowerInvariant(),
                    ["since"] = RecordJson.FormatTimestamp(store.Writes.Since),
                    ["consecutiveFailures"] = store.Writes.ConsecutiveFailures,
                    ["lastError"] = store.Writes.LastError,
                },
            },
            ["forwarded"] = new JsonObject
            {
                ["readings"] = sent.DeliveredReadings,
                ["events"] = sent.DeliveredEvents,
                ["snapshots"] = sent.DeliveredSnapshots,
                ["sessions"] = sent.Sessions,
            },
        };
        foreach (var section in sections)
        {
            reply[section.Name] = section.Read();
        }
        return ValueTask.FromResult<JsonNode?>(reply);
    }
}
