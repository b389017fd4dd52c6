using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace Gateway.Inference.Analytics;

/// <summary>
/// The open gatherings of one camera's crowd zones, in <c>{stateDirectory}/crowd-{camera}.json</c>, so
/// that a restart during a gathering neither raises a second <c>crowd.gathering</c> nor forgets its
/// <c>crowd.dispersed</c>. Written (atomically, <see cref="StateFileIo"/>) before the gathering is
/// handed out, again with its seq when the store tells it, and once the dispersal is handed out.
/// Shared by the camera's zones (each names its own); the store's writer and the camera's inference
/// thread both call in, hence the lock. An unreadable file is moved aside and the camera starts with
/// no open gathering; a file that cannot be written is logged once per streak, the analysis goes on in memory.
/// </summary>
internal sealed class CrowdStateFile(string path, TimeProvider time, ILogger logger)
{
    private const int FormatVersion = 1;

    private readonly Lock _gate = new();
    private Dictionary<string, OpenGathering>? _open;
    private bool _failing;

    public string Path => path;

    /// <summary>The file for <paramref name="camera"/> in <paramref name="directory"/> (the id escaped so that any id is one file name).</summary>
    public static string For(string directory, string camera) =>
        System.IO.Path.Combine(directory, $"crowd-{Uri.EscapeDataString(camera)}.json");

    /// <summary>The gathering of <paramref name="zone"/> still open when the last run stopped, if any.</summary>
    public OpenGathering? Restore(string zone)
    {
        lock (_gate)
        {
            return Open().GetValueOrDefault(zone);
        }
    }

    /// <summary>A gathering was raised (its event not yet stored): written before the event leaves the analysis.</summary>
    public void Opened(string zone, DateTimeOffset since) => Change(open => open[zone] = new OpenGathering(zone, since, null));

    /// <summary>The store committed the gathering as <paramref name="seq"/>: written so that a restart can still name it.</summary>
    public void SeqKnown(string zone, long seq) => Change(open =>
    {
        if (open.TryGetValue(zone, out var g))
        {
            open[zone] = g with { GatheringSeq = seq };
        }
    });

    /// <summary>The dispersal was handed out: the gathering is over.</summary>
    public void Closed(string zone) => Change(open => open.Remove(zone));

    private void Change(Action<Dictionary<string, OpenGathering>> change)
    {
        lock (_gate)
        {
            change(Open());
            Save(_open!.Values);
        }
    }

    private Dictionary<string, OpenGathering> Open() => _open ??= Load();

    private Dictionary<string, OpenGathering> Load()
    {
        string? text;
        try
        {
            text = StateFileIo.ReadOrNull(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.CrowdStateUnreadable(logger, path, ex.Message, "(left in place)");
            return new(StringComparer.Ordinal);
        }
        if (text is null)
        {
            return new(StringComparer.Ordinal);
        }
        try
        {
            var document = JsonSerializer.Deserialize(text, CrowdStateJson.Default.CrowdStateDocument) ?? throw new JsonException("the file holds null");
            if (document.V != FormatVersion)
            {
                throw new JsonException($"format {document.V}, expected {FormatVersion}");
            }
            var open = new Dictionary<string, OpenGathering>(StringComparer.Ordinal);
            foreach (var g in document.Gatherings)
            {
                if (string.IsNullOrEmpty(g.Zone) || g.SinceTs is not { } since)
                {
                    throw new JsonException("a gathering lacks its zone or sinceTs");
                }
                open[g.Zone] = new OpenGathering(g.Zone, since, g.GatheringSeq);
            }
            if (open.Count > 0)
            {
                Log.CrowdStateLoaded(logger, path, string.Join(", ", open.Keys));
            }
            return open;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            Log.CrowdStateUnreadable(logger, path, ex.Message, StateFileIo.MoveAside(path, time));
            return new(StringComparer.Ordinal);
        }
    }

    private void Save(IEnumerable<OpenGathering> open)
    {
        var document = new CrowdStateDocument
        {
            V = FormatVersion,
            Gatherings = [.. open.Select(g => new CrowdStateGathering { Zone = g.Zone, SinceTs = g.SinceTs, GatheringSeq = g.GatheringSeq })],
        };
        try
        {
            StateFileIo.WriteAtomically(path, stream => JsonSerializer.Serialize(stream, document, CrowdStateJson.Default.CrowdStateDocument));
            if (_failing)
            {
                _failing = false;
                Log.CrowdStateWritesAgain(logger, path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (!_failing)
            {
                _failing = true;
                Log.CrowdStateWriteFailed(logger, path, ex.Message);
            }
        }
    }
}

/// <summary>A gathering raised and not yet dispersed; <see cref="GatheringSeq"/> null until the store said it (or when it never will: the gateway stopped first).</summary>
internal sealed record OpenGathering(string Zone, DateTimeOffset SinceTs, long? GatheringSeq);

internal sealed class CrowdStateDocument
{
    public int V { get; set; }

    public List<CrowdStateGathering> Gatherings { get; set; } = [];
}

internal sealed class CrowdStateGathering
{
    public string Zone { get; set; } = "";

    public DateTimeOffset? SinceTs { get; set; }

    public long? GatheringSeq { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(CrowdStateDocument))]
internal sealed partial class CrowdStateJson : JsonSerializerContext;
