using System.Globalization;
using System.Text.Json.Nodes;
using Gateway.Drivers.Cameras;
using Gateway.Inference;
using Gateway.Inference.Analytics;

namespace Gateway.Host.Pipeline;

/// <summary>
/// The latest analysed frame of each camera, with its detections, for the technician's page: kept
/// in memory only (one buffer per camera, overwritten by the next analysed frame, never written to
/// disk) and turned into a JPEG only on request, through <see cref="SnapshotRenderer.RenderStill"/>,
/// so no unblurred picture ever leaves the process. The per-zone person counts are the crowd
/// analysis's own <c>zone/&lt;name&gt;/persons</c> readings: the page shows what the platform gets.
/// </summary>
internal sealed class CameraStills
{
    private const string ZonePrefix = "zone/";
    private const string PersonsSuffix = "/persons";

    private readonly Dictionary<string, Slot> _slots;

    public CameraStills(IEnumerable<CameraOptions> cameras)
    {
        ArgumentNullException.ThrowIfNull(cameras);
        _slots = cameras.ToDictionary(c => c.Id, c => new Slot(c), StringComparer.Ordinal);
    }

    public bool Knows(string camera) => _slots.ContainsKey(camera);

    /// <summary>The analysis of <paramref name="analytics"/>' camera, keeping each frame it sees here on its way through.</summary>
    public ICameraAnalytics Keep(ICameraAnalytics analytics)
    {
        ArgumentNullException.ThrowIfNull(analytics);
        return _slots.TryGetValue(analytics.Camera, out var slot) ? new Keeping(analytics, slot) : analytics;
    }

    /// <summary>The latest still as a JPEG (persons blurred, detections and zones drawn), or null before the camera's first analysed frame.</summary>
    public byte[]? Render(string camera) => _slots.TryGetValue(camera, out var slot) ? slot.Render() : null;

    /// <summary>What the page shows beside a camera: its frame size, zones (kind, points, latest count) and when its still was taken.</summary>
    public JsonObject Describe(CameraFigures? figures, CameraOptions camera)
    {
        ArgumentNullException.ThrowIfNull(camera);
        var slot = _slots.GetValueOrDefault(camera.Id);
        var counts = slot?.Counts() ?? new Dictionary<string, (long, DateTimeOffset)>();
        var zones = new JsonArray();
        foreach (var zone in camera.Crowd?.Zones ?? [])
        {
            var item = Zone(zone.Name, "crowd", zone.Polygon);
            if (counts.TryGetValue(zone.Name, out var count))
            {
                item["persons"] = count.Item1;
                item["personsTs"] = Timestamp(count.Item2);
            }
            zones.Add(item);
        }
        foreach (var zone in camera.Litter?.Zones ?? [])
        {
            zones.Add(Zone(zone.Name, "litter", zone.Polygon));
        }
        return new JsonObject
        {
            ["id"] = camera.Id,
            ["state"] = (figures?.State ?? CameraState.Starting).ToString().ToLowerInvariant(),
            ["fps"] = Math.Round(figures?.FramesPerSecond ?? 0, 2),
            ["askedFps"] = camera.Fps,
            ["analysisFps"] = Math.Round(figures?.AnalysisFps ?? 0, 2),
            ["width"] = camera.Width,
            ["height"] = camera.Height,
            ["lastError"] = figures?.LastError ?? figures?.AnalysisError,
            ["stillTs"] = slot?.CapturedAt is { } at ? Timestamp(at) : null,
            ["crowdModel"] = camera.Crowd?.Model,
            ["litterModel"] = camera.Litter?.Model,
            ["zones"] = zones,
            ["detections"] = slot?.Detections() ?? [],
        };
    }

    private static JsonObject Zone(string name, string kind, IList<double[]> polygon) => new()
    {
        ["name"] = name,
        ["kind"] = kind,
        ["points"] = new JsonArray([.. polygon.Select(p => (JsonNode)new JsonArray([.. p.Select(v => (JsonNode)v)]))]),
    };

    private static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    /// <summary>
    /// One camera's latest frame. Guarded by its own lock: the inference thread copies a frame in
    /// (a memcpy, a millisecond at 640×480) and a page's request renders from it; a render holds the
    /// camera's thread for its few tens of milliseconds, which only a technician's click causes.
    /// </summary>
    private sealed class Slot(CameraOptions camera)
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, (long Persons, DateTimeOffset At)> _counts = new(StringComparer.Ordinal);
        private readonly IEnumerable<double[]>[] _zones = [.. (camera.Crowd?.Zones.Select(z => z.Polygon) ?? []).Concat(camera.Litter?.Zones.Select(z => z.Polygon) ?? [])];
        private byte[] _frame = [];
        private int _width;
        private int _height;
        private IReadOnlyList<ModelDetections> _detections = [];

        public DateTimeOffset? CapturedAt { get; private set; }

        public void Store(ReadOnlySpan<byte> rgb24, int width, int height, IReadOnlyList<ModelDetections> detections, DateTimeOffset capturedAt)
        {
            var length = width * height * 3;
            if (width < 1 || height < 1 || rgb24.Length < length)
            {
                return; // the analysis refuses such a frame itself, with the reason
            }
            lock (_gate)
            {
                if (_frame.Length != length)
                {
                    _frame = new byte[length];
                }
                rgb24[..length].CopyTo(_frame);
                (_width, _height, _detections, CapturedAt) = (width, height, detections, capturedAt);
            }
        }

        public void Counted(IReadOnlyList<Gateway.Contracts.IngestRecord> records)
        {
            foreach (var record in records)
            {
                var point = record.Event is null ? record.Reading.Point : null;
                if (point is not null && point.StartsWith(ZonePrefix, StringComparison.Ordinal) && point.EndsWith(PersonsSuffix, StringComparison.Ordinal)
                    && record.Reading.Value.Kind != Gateway.Contracts.ReadingValueKind.None)
                {
                    var zone = point[ZonePrefix.Length..^PersonsSuffix.Length];
                    lock (_gate)
                    {
                        _counts[zone] = ((long)record.Reading.Value.AsDouble(), record.Reading.MeasuredAt);
                    }
                }
            }
        }

        public Dictionary<string, (long, DateTimeOffset)> Counts()
        {
            lock (_gate)
            {
                return _counts.ToDictionary(c => c.Key, c => (c.Value.Persons, c.Value.At), StringComparer.Ordinal);
            }
        }

        /// <summary>What the models found on the kept frame: label, score and box [x1, y1, x2, y2] in frame pixels.</summary>
        public JsonArray Detections()
        {
            IReadOnlyList<ModelDetections> detections;
            lock (_gate)
            {
                detections = _detections;
            }
            return new JsonArray([.. detections.SelectMany(m => m.Detections.Select(d => (JsonNode)new JsonObject
            {
                ["model"] = m.ModelId,
                ["label"] = d.ClassId >= 0 && d.ClassId < m.Labels.Count ? m.Labels[d.ClassId] : d.ClassId.ToString(CultureInfo.InvariantCulture),
                ["score"] = Math.Round(d.Score, 3),
                ["box"] = new JsonArray(Math.Round(d.X1, 1), Math.Round(d.Y1, 1), Math.Round(d.X2, 1), Math.Round(d.Y2, 1)),
            }))]);
        }

        public byte[]? Render()
        {
            lock (_gate)
            {
                return CapturedAt is null ? null : SnapshotRenderer.RenderStill(_frame, _width, _height, _detections, _zones);
            }
        }
    }

    /// <summary>The camera's analysis with the frame kept on its way in and the zone counts on their way out.</summary>
    private sealed class Keeping(ICameraAnalytics inner, Slot slot) : ICameraAnalytics
    {
        public string Camera => inner.Camera;

        public IReadOnlyCollection<string> Models => inner.Models;

        public IReadOnlyList<Gateway.Contracts.IngestRecord> Observe(ReadOnlySpan<byte> rgb24, int width, int height, IReadOnlyList<ModelDetections> detections, DateTimeOffset capturedAt, long timestamp)
        {
            slot.Store(rgb24, width, height, detections, capturedAt);
            var records = inner.Observe(rgb24, width, height, detections, capturedAt, timestamp);
            slot.Counted(records);
            return records;
        }
    }
}
