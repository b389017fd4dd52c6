using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Inference;

/// <summary>
/// The <c>models</c>/<c>cameras</c> rules a JSON Schema cannot express: unique ids, a source the
/// camera reader understands, analyses that name a defined model, zone names unique per analysis,
/// and crowd thresholds that cannot flap. Run at start (<c>ValidateOnStart</c>) and by the Host's
/// <c>check-config</c> through <see cref="Problems"/>; whether manifest and video files exist is the
/// Host's check (they resolve against the configuration file's directory and only warn).
/// </summary>
public sealed class CamerasOptionsValidator : IValidateOptions<CamerasOptions>
{
    public ValidateOptionsResult Validate(string? name, CamerasOptions options) => OptionsProblems.ToResult(Problems(options));

    /// <summary>Every problem, with the configuration path of the key at fault.</summary>
    public static IReadOnlyList<(string Path, string Message)> Problems(CamerasOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<(string Path, string Message)>();
        var models = UniqueIds(options.Models.Select(m => m.Id), "models", "model", problems);
        UniqueIds(options.Cameras.Select(c => c.Id), "cameras", "camera", problems);
        for (var i = 0; i < options.Cameras.Count; i++)
        {
            var camera = options.Cameras[i];
            var path = $"cameras[{i}]";
            if (SourceProblem(camera.Source) is { } problem)
            {
                problems.Add(($"{path}.source", problem));
            }
            FrameProblems(camera, path, problems);
            if (camera.Crowd is { } crowd)
            {
                CheckModel(crowd.Model, $"{path}.crowd.model", models, problems);
                var names = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var z = 0; z < crowd.Zones.Count; z++)
                {
                    var zone = crowd.Zones[z];
                    CheckZoneName(zone.Name, z, $"{path}.crowd", names, problems);
                    CheckPolygon(zone.Polygon, camera, $"{path}.crowd.zones[{z}].polygon", problems);
                    if (zone.ClearPersons >= zone.AlertPersons)
                    {
                        problems.Add(($"{path}.crowd.zones[{z}].clearPersons", $"must be lower than alertPersons ({zone.AlertPersons}) so that an alert cannot flap"));
                    }
                }
            }
            if (camera.Litter is { } litter)
            {
                CheckModel(litter.Model, $"{path}.litter.model", models, problems);
                var names = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var z = 0; z < litter.Zones.Count; z++)
                {
                    CheckZoneName(litter.Zones[z].Name, z, $"{path}.litter", names, problems);
                    CheckPolygon(litter.Zones[z].Polygon, camera, $"{path}.litter.zones[{z}].polygon", problems);
                }
            }
        }
        return problems;
    }

    /// <summary>The analysis frame, the stall time and the motion gate within the schema's bounds (options built in code skip the schema).</summary>
    private static void FrameProblems(CameraOptions camera, string path, List<(string Path, string Message)> problems)
    {
        if (camera.Width is < 16 or > 3840)
        {
            problems.Add(($"{path}.width", "must be from 16 to 3840"));
        }
        if (camera.Height is < 16 or > 2160)
        {
            problems.Add(($"{path}.height", "must be from 16 to 2160"));
        }
        if (camera.StallSeconds is not (>= 1 and <= 600))
        {
            problems.Add(($"{path}.stallSeconds", "must be from 1 to 600"));
        }
        if (camera.MotionGate is { } gate)
        {
            if (gate.MinChangedPercent is not (> 0 and <= 100))
            {
                problems.Add(($"{path}.motionGate.minChangedPercent", "must be above 0 and at most 100"));
            }
            if (gate.MaxSkipSeconds is not (>= 0 and <= 3600))
            {
                problems.Add(($"{path}.motionGate.maxSkipSeconds", "must be from 0 to 3600"));
            }
        }
    }

    /// <summary>
    /// Zone points are pixels of the analysis frame (width × height), not of the camera's own
    /// resolution: a point outside it is almost always a polygon drawn on a full-size picture.
    /// </summary>
    private static void CheckPolygon(IList<double[]> polygon, CameraOptions camera, string path, List<(string Path, string Message)> problems)
    {
        for (var p = 0; p < polygon.Count; p++)
        {
            var point = polygon[p];
            if (point.Length == 2 && (point[0] is < 0 || point[0] > camera.Width || point[1] is < 0 || point[1] > camera.Height))
            {
                problems.Add(($"{path}[{p}]", $"point [{point[0]}, {point[1]}] lies outside the {camera.Width}x{camera.Height} analysis frame (zone points are pixels of the frame as analysed: cameras[].width/height)"));
            }
        }
    }

    /// <summary>Why a source that names a URI cannot be read; null for a good URI or a file path (whose existence the Host checks).</summary>
    private static string? SourceProblem(string source)
    {
        if (!source.Contains("://", StringComparison.Ordinal))
        {
            return null;
        }
        if (!Uri.TryCreate(source, UriKind.Absolute, out var uri))
        {
            return $"invalid source URI '{source}'";
        }
        return uri.Scheme switch
        {
            "rtsp" or "rtsps" when uri.Host.Length > 0 => null,
            "v4l2" when uri.AbsolutePath.StartsWith("/dev/video", StringComparison.Ordinal) => null,
            _ => $"invalid source '{source}': expected rtsp://host/path, v4l2:///dev/videoN or a file path",
        };
    }

    private static void CheckModel(string model, string path, Dictionary<string, int> models, List<(string Path, string Message)> problems)
    {
        if (!models.ContainsKey(model))
        {
            var defined = models.Count == 0 ? "no models are defined" : $"defined: {string.Join(", ", models.Keys)}";
            problems.Add((path, $"unknown model '{model}' ({defined})"));
        }
    }

    private static void CheckZoneName(string name, int index, string analysisPath, Dictionary<string, int> names, List<(string Path, string Message)> problems)
    {
        if (!names.TryAdd(name, index))
        {
            problems.Add(($"{analysisPath}.zones[{index}].name", $"duplicate zone name '{name}' (also zones[{names[name]}])"));
        }
    }

    private static Dictionary<string, int> UniqueIds(IEnumerable<string> ids, string section, string noun, List<(string Path, string Message)> problems)
    {
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            if (!first.TryAdd(id, i))
            {
                problems.Add(($"{section}[{i}].id", $"duplicate {noun} id '{id}' (also {section}[{first[id]}])"));
            }
        }
        return first;
    }
}
