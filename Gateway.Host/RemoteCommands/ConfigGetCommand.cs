using System.Text.Json.Nodes;
using Gateway.Host.ConfigApply;
using Gateway.Host.Configuration;
using Gateway.Sync.RemoteCommands;

namespace Gateway.Host.RemoteCommands;

/// <summary>
/// <c>config/get</c> (SPEC section 3): the configuration in force — the file with its environment
/// overrides applied — with every secret redacted, and its version (what <c>config/set</c>'s
/// <c>baseVersion</c> is checked against).
/// </summary>
internal sealed class ConfigGetCommand(RunningConfiguration running) : ICommandHandler
{
    public string Name => "config/get";

    public ValueTask<JsonNode?> HandleAsync(JsonObject? args, CancellationToken cancellationToken)
    {
        var current = running.Current;
        return ValueTask.FromResult<JsonNode?>(new JsonObject
        {
            ["version"] = current.Version,
            ["path"] = running.ConfigPath,
            ["config"] = ConfigRedaction.Redact(current.EffectiveDocument),
        });
    }
}
