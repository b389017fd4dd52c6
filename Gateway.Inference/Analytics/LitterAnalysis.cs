using Gateway.Contracts;
using Microsoft.Extensions.Logging;

namespace Gateway.Inference.Analytics;

/// <summary>
/// Litter of one camera (SPEC section 2): objects of the litter classes whose box centre lies in a
/// litter zone are tracked from frame to frame (greedy IoU matching); one that stays
/// <c>minSeconds</c> becomes an open item with <c>litter.detected</c> and its evidence snapshot; an
/// open item whose spot has had no litter object for <c>clearSeconds</c> ends with <c>litter.cleared</c>
/// and an "after" snapshot. An object overlapping an open item is that item, never a new candidate:
/// that, and the items surviving restarts in <see cref="LitterStateFile"/>, is "never two events for one object".
/// </summary>
internal sealed class LitterAnalysis
{
    /// <summary>COCO's left-object classes: the stand-in until a city supplies a litter model (issue 12).</summary>
    public static readonly IReadOnlyList<string> DefaultClasses = ["bottle", "cup", "handbag", "backpack", "suitcase"];

    /// <summary>Boxes of one object in consecutive frames overlap far more; two objects side by side far less.</summary>
    internal const float MatchIoU = 0.3f;

    /// <summary>A candidate survives this many frames without a match (the detector's misses), then is forgotten.</summary>
    internal const int MaxMissedFrames = 5;

    private readonly string _camera;
    private readonly LitterOptions _options;
    private readonly IReadOnlyList<ZonePolygon> _zones;
    private readonly HashSet<string> _classes;
    private readonly LitterStateFile _state;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<Track> _tracks = [];
    private readonly List<LitterItem> _items;
    private readonly Lock _gate = new();

    public LitterAnalysis(string camera, LitterOptions options, LitterStateFile state, TimeProvider time, ILogger logger)
    {
        _camera = camera;
        _options = options;
        _zones = options.Zones.Select(z => new ZonePolygon(z.Name, z.Polygon)).ToList();
        _classes = new HashSet<string>(options.Classes.Count > 0 ? options.Classes : DefaultClasses, StringComparer.OrdinalIgnoreCase);
        _state = state;
        _time = time;
        _logger = logger;
        _items = state.Load();
    }

    public IReadOnlyCollection<string> Classes => _classes;

    public IReadOnlyList<ZonePolygon> Zones => _zones;

    /// <summary>The open items (a copy), for tests and figures.</summary>
    public IReadOnlyList<LitterItem> OpenItems
    {
        get
        {
            lock (_gate)
            {
                return [.. _items];
            }
        }
    }

    public void Observe(ReadOnlySpan<byte> rgb24, int width, int height, ModelDetections model, IReadOnlyList<BoxF> persons, DateTimeOffset capturedAt, long timestamp, List<IngestRecord> output)
    {
        var candidates = new List<Candidate>();
        for (var i = 0; i < model.Detections.Count; i++)
        {
            var d = model.Detections[i];
            if (d.ClassId >= 0 && d.ClassId < model.Labels.Count && _classes.Contains(model.Labels[d.ClassId]))
            {
                candidates.Add(new Candidate(BoxF.Of(d), model.Labels[d.ClassId], d.Score));
            }
        }
        lock (_gate)
        {
            MatchItems(candidates, timestamp);
            MatchTracks(candidates, capturedAt, timestamp);
            Promote(rgb24, width, height, persons, capturedAt, timestamp, output);
            Clear(rgb24, width, height, persons, capturedAt, timestamp, output);
        }
    }

    /// <summary>An open item is matched by any litter object over its spot (a bottle later seen as a cup is still there); those objects are used up.</summary>
    private void MatchItems(List<Candidate> candidates, long timestamp)
    {
        foreach (var item in _items)
        {
            item.LastMatched ??= timestamp; // a restored item's clock starts at this run's first frame
            var matched = candidates.RemoveAll(c => c.Box.IoU(item.Box) >= MatchIoU);
            if (matched > 0)
            {
                item.LastMatched = timestamp;
            }
        }
    }

    /// <summary>Greedy: the best-overlapping (track, object) pairs of one class first, each used once.</summary>
    private void MatchTracks(List<Candidate> candidates, DateTimeOffset capturedAt, long timestamp)
    {
        var inZone = candidates.Select(c => (Candidate: c, Zone: _zones.FirstOrDefault(z => z.Contains(c.Box.CentreX, c.Box.CentreY)))).Where(c => c.Zone is not null).ToList();
        var pairs = new List<(float IoU, int Track, int Candidate)>();
        for (var t = 0; t < _tracks.Count; t++)
        {
            for (var c = 0; c < inZone.Count; c++)
            {
                if (string.Equals(_tracks[t].Class, inZone[c].Candidate.Class, StringComparison.OrdinalIgnoreCase)
                    && _tracks[t].Box.IoU(inZone[c].Candidate.Box) is var iou && iou >= MatchIoU)
                {
                    pairs.Add((iou, t, c));
                }
            }
        }
        pairs.Sort((a, b) => b.IoU.CompareTo(a.IoU));
        var trackUsed = new bool[_tracks.Count];
        var candidateUsed = new bool[inZone.Count];
        foreach (var (_, t, c) in pairs)
        {
            if (trackUsed[t] || candidateUsed[c])
            {
                continue;
            }
            trackUsed[t] = candidateUsed[c] = true;
            var track = _tracks[t];
            track.Box = inZone[c].Candidate.Box;
            track.Score = Math.Max(track.Score, inZone[c].Candidate.Score);
            track.Missed = 0;
        }
        for (var t = _tracks.Count - 1; t >= 0; t--)
        {
            if (!trackUsed[t] && ++_tracks[t].Missed > MaxMissedFrames)
            {
                _tracks.RemoveAt(t);
            }
        }
        for (var c = 0; c < inZone.Count; c++)
        {
            if (!candidateUsed[c])
            {
                var (candidate, zone) = inZone[c];
                _tracks.Add(new Track(candidate.Class, zone!.Name, timestamp, capturedAt) { Box = candidate.Box, Score = candidate.Score });
            }
        }
    }

    private void Promote(ReadOnlySpan<byte> rgb24, int width, int height, IReadOnlyList<BoxF> persons, DateTimeOffset capturedAt, long timestamp, List<IngestRecord> output)
    {
        for (var t = 0; t < _tracks.Count; t++)
        {
            var track = _tracks[t];
            // Seen in this frame (a track coasting on misses is not evidence) for minSeconds.
            if (track.Missed > 0 || _time.GetElapsedTime(track.FirstSeen, timestamp).TotalSeconds < _options.MinSeconds)
            {
                continue;
            }
            _tracks.RemoveAt(t--);
            var item = new LitterItem
            {
                Id = Guid.NewGuid().ToString("N"),
                Zone = track.Zone,
                Class = track.Class,
                Score = track.Score,
                Box = track.Box,
                FirstSeen = track.FirstSeenAt,
                LastMatched = timestamp,
            };
            var snapshot = SnapshotRenderer.Evidence(rgb24, width, height, persons, [item.Box], ZoneOf(item));
            _items.Add(item);
            // Saved before the event is queued: a restart from here on knows the object is reported.
            _state.Save(_items);
            var data = new Dictionary<string, object?>
            {
                ["camera"] = _camera,
                ["zone"] = item.Zone,
                ["class"] = item.Class,
                ["score"] = AnalyticsJson.Score(item.Score),
                ["box"] = AnalyticsJson.Box(item.Box),
                ["firstSeenTs"] = AnalyticsJson.Time(item.FirstSeen),
                ["snapshot"] = true,
            };
            var detected = GatewayEvent.Create(AnalyticsEventTypes.LitterDetected, _camera, data, capturedAt, timestamp) with
            {
                Snapshot = snapshot,
                Stored = seq => SetSeq(item, seq),
                // The store dates firstSeenTs as it dates the event: not 1970 while the clock is unsynced.
                DataTimes = new Dictionary<string, long>(StringComparer.Ordinal) { ["firstSeenTs"] = track.FirstSeen },
            };
            output.Add(new IngestRecord(default, detected));
            Log.LitterDetected(_logger, _camera, item.Zone, item.Class, item.Score, string.Join(',', AnalyticsJson.Box(item.Box)));
        }
    }

    private void Clear(ReadOnlySpan<byte> rgb24, int width, int height, IReadOnlyList<BoxF> persons, DateTimeOffset capturedAt, long timestamp, List<IngestRecord> output)
    {
        for (var i = 0; i < _items.Count; i++)
        {
            var item = _items[i];
            if (_time.GetElapsedTime(item.LastMatched!.Value, timestamp).TotalSeconds < _options.ClearSeconds)
            {
                continue;
            }
            if (item.DetectedSeq is null && !item.SeqLost)
            {
                continue; // the store has not said the detection's seq yet: the clearing must name it, and must not overtake it
            }
            var snapshot = SnapshotRenderer.Evidence(rgb24, width, height, persons, [item.Box], ZoneOf(item));
            _items.RemoveAt(i--);
            _state.Save(_items);
            var data = new Dictionary<string, object?>
            {
                ["camera"] = _camera,
                ["zone"] = item.Zone,
                ["detectedSeq"] = item.DetectedSeq,
                ["snapshot"] = true,
            };
            output.Add(new IngestRecord(default, GatewayEvent.Create(AnalyticsEventTypes.LitterCleared, _camera, data, capturedAt, timestamp) with { Snapshot = snapshot }));
            Log.LitterCleared(_logger, _camera, item.Zone, item.Class, item.DetectedSeq);
        }
    }

    /// <summary>Told by the store (on its writer) once the detection is committed; written down so a restart can still name it.</summary>
    private void SetSeq(LitterItem item, long seq)
    {
        lock (_gate)
        {
            item.DetectedSeq = seq;
            if (_items.Contains(item))
            {
                _state.Save(_items);
            }
        }
    }

    private IEnumerable<ZonePolygon> ZoneOf(LitterItem item) => _zones.Where(z => z.Name == item.Zone);

    private readonly record struct Candidate(BoxF Box, string Class, float Score);

    private sealed class Track(string @class, string zone, long firstSeen, DateTimeOffset firstSeenAt)
    {
        public string Class => @class;

        public string Zone => zone;

        public long FirstSeen => firstSeen;

        public DateTimeOffset FirstSeenAt => firstSeenAt;

        public BoxF Box { get; set; }

        public float Score { get; set; }

        public int Missed { get; set; }
    }
}
