using System.Text.Json.Nodes;
using Gateway.Sync.Store;
using Gateway.Sync.Uplink;

namespace Gateway.Sync.RemoteCommands;

/// <summary><c>ping</c>: proves the round trip; answers with the node's clock and version.</summary>
internal sealed class PingCommand(NodeIdentity node, TimeProvider time) : ICommandHandler
{
    public string Name => "ping";

    public ValueTask<JsonNode?> HandleAsync(JsonObject? args, CancellationToken cancellationToken) =>
        ValueTask.FromResult<JsonNode?>(new JsonObject
        {
            ["pong"] = true,
            ["node"] = node.NodeId,
            ["ts"] = RecordJson.FormatTimestamp(time.GetUtcNow()),
            ["version"] = node.Version,
        });
}
