using Gateway.Contracts;
using Microsoft.Extensions.Logging;

namespace Gateway.Inference.Analytics;

/// <summary>
/// The crowd and litter analysis of one camera (<see cref="ICameraAnalytics"/>). A person is in a
/// crowd zone when the bottom centre of its box (its feet, where it stands) lies in the polygon; a
/// litter object when its box centre does. An analysis whose model's detections are missing from a
/// frame (the model failed on it) skips that frame rather than reading "nobody there".
/// </summary>
internal sealed class CameraAnalytics : ICameraAnalytics
{
    private readonly CameraOptions _camera;
    private readonly ILogger _logger;
    private readonly List<CrowdZoneCounter> _crowd;
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);

    public CameraAnalytics(CameraOptions camera, LitterStateFile? litterState, CrowdStateFile? crowdState, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(camera);
        _camera = camera;
        _logger = logger;
        _crowd = [];
        if (camera.Crowd is { } crowd)
        {
            ArgumentNullException.ThrowIfNull(crowdState);
            _crowd = [.. crowd.Zones.Select(z => new CrowdZoneCounter(camera.Id, new ZonePolygon(z.Name, z.Polygon), z, crowd.ReportSeconds, crowdState, time, logger))];
        }
        if (camera.Litter is { } litter)
        {
            ArgumentNullException.ThrowIfNull(litterState);
            Litter = new LitterAnalysis(camera.Id, litter, litterState, time, logger);
        }
        Models = new[] { camera.Crowd?.Model, camera.Litter?.Model }.OfType<string>().Where(m => m.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
    }

    public string Camera => _camera.Id;

    public IReadOnlyCollection<string> Models { get; }

    internal IReadOnlyList<CrowdZoneCounter> CrowdZones => _crowd;

    internal LitterAnalysis? Litter { get; }

    public IReadOnlyList<IngestRecord> Observe(ReadOnlySpan<byte> rgb24, int width, int height, IReadOnlyList<ModelDetections> detections, DateTimeOffset capturedAt, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(detections);
        // Checked before any state changes: a bad frame must not leave a counted but unreported object behind.
        if (width < 1 || height < 1 || rgb24.Length < (long)width * height * 3)
        {
            throw new ArgumentException($"camera {_camera.Id}: an RGB24 frame of {width}x{height} needs {(long)Math.Max(0, width) * Math.Max(0, height) * 3} bytes, got {rgb24.Length}", nameof(rgb24));
        }
        var output = new List<IngestRecord>();
        if (_crowd.Count > 0 && Find(detections, _camera.Crowd!.Model) is { } crowdModel)
        {
            ObserveCrowd(crowdModel, capturedAt, timestamp, output);
        }
        if (Litter is not null && Find(detections, _camera.Litter!.Model) is { } litterModel)
        {
            Litter.Observe(rgb24, width, height, litterModel, SnapshotRenderer.Persons(detections), capturedAt, timestamp, output);
        }
        return output;
    }

    private void ObserveCrowd(ModelDetections model, DateTimeOffset capturedAt, long timestamp, List<IngestRecord> output)
    {
        var person = SnapshotRenderer.IndexOf(model.Labels, SnapshotRenderer.PersonLabel);
        if (person < 0 && _warned.Add(model.ModelId))
        {
            Log.LabelMissing(_logger, _camera.Id, model.ModelId, SnapshotRenderer.PersonLabel, "crowd");
        }
        foreach (var zone in _crowd)
        {
            var count = 0;
            foreach (var d in model.Detections)
            {
                if (d.ClassId == person && zone.Zone.Contains((d.X1 + d.X2) / 2, d.Y2))
                {
                    count++;
                }
            }
            zone.Observe(count, capturedAt, timestamp, output);
        }
    }

    private static ModelDetections? Find(IReadOnlyList<ModelDetections> detections, string model)
    {
        foreach (var d in detections)
        {
            if (string.Equals(d.ModelId, model, StringComparison.Ordinal))
            {
                return d;
            }
        }
        return null;
    }
}
