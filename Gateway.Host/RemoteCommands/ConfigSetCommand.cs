using System.Text.Json.Nodes;
using Gateway.Host.ConfigApply;
using Gateway.Sync.RemoteCommands;

namespace Gateway.Host.RemoteCommands;

/// <summary>
/// <c>config/set</c> (SPEC section 3): a whole file or a merge patch, through the one apply path
/// (<see cref="IConfigApplier"/>). Applied: <c>{"applied":true,"version":…}</c>. Otherwise
/// <c>"ok":false</c> with <c>"error"</c> — exactly "version conflict" for a stale <c>baseVersion</c> —
/// and, beside it, <c>"errors":[{"path","message"}]</c> and <c>"rolledBack":true</c> where they apply.
/// </summary>
internal sealed class ConfigSetCommand(IConfigApplier applier) : ICommandHandler
{
    public string Name => "config/set";

    public async ValueTask<JsonNode?> HandleAsync(JsonObject? args, CancellationToken cancellationToken)
    {
        if (!ConfigChange.TryParse(args, out var change, out var error))
        {
            var path = error!.Path.Length == 0 ? "args" : $"args.{error.Path}";
            throw new CommandException(error.Message, new JsonObject
            {
                ["errors"] = new JsonArray(new JsonObject { ["path"] = path, ["message"] = error.Message }),
            });
        }
        // Not the dispatcher's deadline: once the file is written, the apply and its rollback must finish.
        var result = await applier.ApplyAsync(change!, ConfigActor.CityBrain, CancellationToken.None).ConfigureAwait(false);
        if (result.Applied)
        {
            return result.ToJson();
        }
        throw new CommandException(result.Error!, result.ToJson());
    }
}
