namespace Gateway.Sync.Uplink;

/// <summary>The topics of SPEC section 3 for one node: <c>{prefix}/{node}/…</c>.</summary>
public sealed class UplinkTopics
{
    public UplinkTopics(string prefix, string nodeId)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        Root = $"{prefix}/{nodeId}";
        Status = $"{Root}/status";
        Telemetry = $"{Root}/telemetry";
        Events = $"{Root}/events";
        Health = $"{Root}/health";
        CommandFilter = $"{Root}/cmd/#";
        CommandPrefix = $"{Root}/cmd/";
    }

    public string Root { get; }

    public string Status { get; }

    public string Telemetry { get; }

    public string Events { get; }

    /// <summary>The live, unretained health figures (not stored: a figure that missed its moment is worthless).</summary>
    public string Health { get; }

    /// <summary>The subscription that receives every command.</summary>
    public string CommandFilter { get; }

    public string CommandPrefix { get; }

    public string Snapshot(long eventSeq) => $"{Root}/snapshots/{eventSeq}";

    public static string Reply(string commandTopic) => commandTopic + "/reply";

    /// <summary>The command name of a topic under <c>cmd/</c> (e.g. <c>config/get</c>); null for replies and foreign topics.</summary>
    public string? CommandName(string topic)
    {
        if (!topic.StartsWith(CommandPrefix, StringComparison.Ordinal))
        {
            return null;
        }
        var name = topic[CommandPrefix.Length..];
        // Our own replies come back through the cmd/# subscription (MQTT 3.1.1 has no No Local option).
        return name.Length == 0 || name.EndsWith("/reply", StringComparison.Ordinal) || name == "reply" ? null : name;
    }
}
