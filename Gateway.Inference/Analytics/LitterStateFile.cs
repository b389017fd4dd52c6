using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace Gateway.Inference.Analytics;

/// <summary>
/// The open litter items of one camera, in <c>{stateDirectory}/litter-{camera}.json</c>, so that a
/// restart neither raises a second <c>litter.detected</c> for an object still there nor forgets to
/// clear one removed meanwhile. Replaced atomically (<see cref="StateFileIo"/>); an unreadable file is
/// moved aside and the camera starts with no open item.
/// </summary>
internal sealed class LitterStateFile(string path, TimeProvider time, ILogger logger)
{
    private const int FormatVersion = 1;

    private bool _failing;

    public string Path => path;

    /// <summary>The file for <paramref name="camera"/> in <paramref name="directory"/> (the id escaped so that any id is one file name).</summary>
    public static string For(string directory, string camera) =>
        System.IO.Path.Combine(directory, $"litter-{Uri.EscapeDataString(camera)}.json");

    public List<LitterItem> Load()
    {
        string? text;
        try
        {
            text = StateFileIo.ReadOrNull(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.StateUnreadable(logger, path, ex.Message, "(left in place)");
            return [];
        }
        if (text is null)
        {
            return [];
        }
        try
        {
            var state = JsonSerializer.Deserialize(text, LitterStateJson.Default.LitterStateDocument)
                ?? throw new JsonException("the file holds null");
            if (state.V != FormatVersion)
            {
                throw new JsonException($"format {state.V}, expected {FormatVersion}");
            }
            var items = state.Items.Select(Item).ToList();
            if (items.Count > 0)
            {
                Log.StateLoaded(logger, path, items.Count);
            }
            return items;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or NotSupportedException)
        {
            Log.StateUnreadable(logger, path, ex.Message, StateFileIo.MoveAside(path, time));
            return [];
        }
    }

    /// <summary>Writes the items; false when the file system refused (logged once per streak, the next save tries again).</summary>
    public bool Save(IEnumerable<LitterItem> items)
    {
        var document = new LitterStateDocument
        {
            V = FormatVersion,
            Items = items.Select(i => new LitterStateItem
            {
                Id = i.Id,
                Zone = i.Zone,
                Class = i.Class,
                Score = i.Score,
                Box = [i.Box.X1, i.Box.Y1, i.Box.X2, i.Box.Y2],
                FirstSeenTs = i.FirstSeen,
                DetectedSeq = i.DetectedSeq,
            }).ToList(),
        };
        try
        {
            StateFileIo.WriteAtomically(path, stream => JsonSerializer.Serialize(stream, document, LitterStateJson.Default.LitterStateDocument));
            if (_failing)
            {
                _failing = false;
                Log.StateWritesAgain(logger, path);
            }
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (!_failing)
            {
                _failing = true;
                Log.StateWriteFailed(logger, path, ex.Message);
            }
            return false;
        }
    }

    private static LitterItem Item(LitterStateItem s)
    {
        if (string.IsNullOrEmpty(s.Id) || string.IsNullOrEmpty(s.Zone) || string.IsNullOrEmpty(s.Class) || s.Box is not { Length: 4 } box)
        {
            throw new ArgumentException("an item lacks its id, zone, class or 4-number box");
        }
        return new LitterItem
        {
            Id = s.Id,
            Zone = s.Zone,
            Class = s.Class,
            Score = s.Score,
            Box = new BoxF(box[0], box[1], box[2], box[3]),
            FirstSeen = s.FirstSeenTs,
            DetectedSeq = s.DetectedSeq,
            SeqLost = s.DetectedSeq is null,
        };
    }
}

internal sealed class LitterStateDocument
{
    public int V { get; set; }

    public List<LitterStateItem> Items { get; set; } = [];
}

internal sealed class LitterStateItem
{
    public string Id { get; set; } = "";

    public string Zone { get; set; } = "";

    public string Class { get; set; } = "";

    public float Score { get; set; }

    public float[]? Box { get; set; }

    public DateTimeOffset FirstSeenTs { get; set; }

    public long? DetectedSeq { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(LitterStateDocument))]
internal sealed partial class LitterStateJson : JsonSerializerContext;
