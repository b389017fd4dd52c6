using System.Text.Json.Nodes;
using Gateway.Host.Configuration;
using Gateway.Host.Hosting;
using Gateway.Sync.RemoteCommands;

namespace Gateway.Host.RemoteCommands;

/// <summary>
/// <c>config/get</c> (SPEC section 3): the configuration in force — the file with its environment
/// overrides applied — with every secret redacted.
/// </summary>
internal sealed class ConfigGetCommand(GatewayRunInfo run) : ICommandHandler
{
    public string Name => "config/get";

    public ValueTask<JsonNode?> HandleAsync(JsonObject? args, CancellationToken cancellationToken) =>
        ValueTask.FromResult<JsonNode?>(new JsonObject
        {
            ["path"] = run.ConfigPath,
            ["config"] = ConfigRedaction.Redact(run.EffectiveConfig),
        });
}
