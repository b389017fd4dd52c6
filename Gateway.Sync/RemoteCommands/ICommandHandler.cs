using System.Text.Json.Nodes;

namespace Gateway.Sync.RemoteCommands;

/// <summary>
/// One command of SPEC section 3 (<c>{prefix}/{node}/cmd/{name}</c>). Handlers are registered in
/// DI as <see cref="ICommandHandler"/>; the dispatcher replies with <c>{"id":…,"ok":true,"result":…}</c>,
/// or with <c>"ok":false</c> and the message of a <see cref="CommandException"/>.
/// </summary>
public interface ICommandHandler
{
    /// <summary>The name after <c>cmd/</c>, e.g. <c>ping</c> or <c>config/get</c>.</summary>
    string Name { get; }

    ValueTask<JsonNode?> HandleAsync(JsonObject? args, CancellationToken cancellationToken);
}

/// <summary>A command that cannot be carried out; its message goes back to the platform as <c>error</c>.</summary>
public sealed class CommandException : Exception
{
    public CommandException()
    {
    }

    public CommandException(string message)
        : base(message)
    {
    }

    public CommandException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>A refusal with more to say than its message, e.g. <c>"errors":[{"path":…,"message":…}]</c>: these members go into the reply beside <c>"error"</c>.</summary>
    public CommandException(string message, JsonObject details)
        : base(message)
    {
        Details = details;
    }

    public JsonObject? Details { get; }
}
