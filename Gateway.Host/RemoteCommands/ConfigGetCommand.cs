using System.Text.Json.Nodes;
using Gateway.Host.Configuration;
using Gateway.Host.Hosting;
using Gateway.Sync.RemoteCommands;

namespace Gateway.Host.RemoteCommands;

/// <summary>
/// <c>config/get</c> (SPEC section 3): the configuration in force — the file with its environment
/// overrides applied — with every secret redacted, and its version.
/// </summary>
internal sealed class ConfigGetCommand(GatewayRunInfo run) : ICommandHandler
{
    public string Name => "config/get";

    public ValueTask<JsonNode?> HandleAsync(JsonObject? args, CancellationToken cancellationToken) =>
        ValueTask.FromResult<JsonNode?>(new JsonObject
        {
            ["version"] = VersionOf(run.EffectiveConfig),
            ["path"] = run.ConfigPath,
            ["config"] = ConfigRedaction.Redact(run.EffectiveConfig),
        });

    /// <summary>
    /// The version of a configuration: SHA-256 of its compact JSON text, so that an editor can say
    /// which configuration it changed (SPEC <c>baseVersion</c>) and two editors never overwrite each other.
    /// </summary>
    public static string VersionOf(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(config.ToJsonString())));
    }
}
