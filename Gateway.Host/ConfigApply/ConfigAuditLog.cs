using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Contracts;
using Gateway.Sync.Store;

namespace Gateway.Host.ConfigApply;

/// <summary>
/// <c>audit.jsonl</c> beside the store: one JSON line per apply attempt (applied, rejected,
/// rolled back, conflict), fsync'd before the caller is answered, so an answered change is on record
/// even after a power cut. Lines hold no secret: the diff comes masked (<see cref="ConfigDiff"/>).
/// </summary>
internal sealed class ConfigAuditLog(string path, TimeProvider time)
{
    public const string FileName = "audit.jsonl";

    private readonly Lock _gate = new();

    public string Path => path;

    public static string Beside(string storePath) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(storePath))!, FileName);

    public JsonObject Append(ConfigActor actor, ConfigApplyResult result, string? baseVersion, IReadOnlyList<ConfigDiffEntry> diff)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(result);
        var line = new JsonObject
        {
            ["ts"] = RecordJson.FormatTimestamp(time.GetUtcNow()),
            ["by"] = actor.User,
            ["via"] = actor.Via,
            ["version"] = result.Version,
            ["baseVersion"] = baseVersion,
            ["result"] = result.ResultText,
            ["diff"] = new JsonArray([.. diff.Select(d => (JsonNode)d.ToJson())]),
        };
        if (result.Errors.Count > 0)
        {
            line["errors"] = new JsonArray([.. result.Errors.Select(e => (JsonNode)new JsonObject { ["path"] = e.Path, ["message"] = e.Message })]);
        }
        if (result.Restarted is { } restarted)
        {
            line["restarted"] = restarted;
        }
        var bytes = Encoding.UTF8.GetBytes(line.ToJsonString(GatewayEvent.DataSerializerOptions) + "\n");
        lock (_gate)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        return line;
    }

    /// <summary>The lines written so far, oldest first (for the web page's audit view and tests).</summary>
    public IReadOnlyList<JsonObject> Read()
    {
        lock (_gate)
        {
            if (!File.Exists(path))
            {
                return [];
            }
            return [.. File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)).OfType<JsonObject>()];
        }
    }
}
