using System.Text.Json.Nodes;

namespace Gateway.Sync.RemoteCommands;

/// <summary>
/// A part of the <c>status</c> reply that Sync cannot know itself (e.g. the host's supervision of
/// its components): registered in DI, each appears under its <see cref="Name"/>.
/// </summary>
public interface IStatusSection
{
    /// <summary>The member of the reply's result object, e.g. <c>components</c>.</summary>
    string Name { get; }

    /// <summary>The section as it is now; called once per <c>status</c> request.</summary>
    JsonNode? Read();
}
