using System.Text.Json.Nodes;
using Gateway.Host.Configuration;
using Gateway.Simulation.Video;

namespace Gateway.Host.Cli;

/// <summary>
/// The demo's camera <c>cam-1</c> (config/demo.json): a synthetic street video made once into the
/// demo's data folder (<see cref="StreetSceneVideo"/>) and played in a loop, so that every loop a
/// crowd gathers and disperses and a cup is left on the ledge and picked up. Without the photos,
/// ffmpeg or the person model the demo runs without cameras and says why in one line.
/// </summary>
internal static class DemoCamera
{
    public const string CameraId = "cam-1";

    /// <summary>One loop of the video: 60 s, thresholds of demo.json give one gathering pair and one litter pair in it.</summary>
    public static readonly IReadOnlyList<StreetSegment> Timeline =
    [
        new(10, 1, false),
        new(20, 5, true),
        new(10, 2, true),
        new(20, 1, false),
    ];

    /// <summary>Points <c>cam-1</c> of the written demo configuration at the video, or removes the cameras and says why.</summary>
    public static async Task PrepareAsync(string configPath, Action<string> report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var root = JsonNode.Parse(await File.ReadAllTextAsync(configPath, cancellationToken).ConfigureAwait(false))!.AsObject();
        if (root["cameras"] is not JsonArray cameras || cameras.FirstOrDefault(c => (string?)c?["id"] == CameraId) is not JsonObject camera)
        {
            return;
        }
        var dataDirectory = Path.GetDirectoryName(Path.GetFullPath(configPath))!;
        string? missing = null;
        try
        {
            var resolver = new ConfigFileResolver(dataDirectory);
            var manifests = root["models"]?.AsArray().Select(m => (string?)m?["manifest"]).OfType<string>() ?? [];
            if (manifests.FirstOrDefault(m => resolver.ResolveInput(m) is null) is { } manifest)
            {
                throw new FileNotFoundException($"the person model {manifest} is missing; run tools/setup.sh");
            }
            using var video = new StreetSceneVideo(Timeline, StreetScenePhotos.Locate(Directory.GetCurrentDirectory(), AppContext.BaseDirectory), fps: 2);
            var path = await video.WriteAsync(dataDirectory, cancellationToken).ConfigureAwait(false);
            camera["source"] = path;
            report($"camera {CameraId} plays {Path.GetFileName(path)} in a loop: every {video.DurationSeconds:0} s a crowd gathers and disperses, a cup is left on the ledge and picked up");
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidOperationException or InvalidDataException or IOException)
        {
            missing = e.Message;
        }
        if (missing is not null)
        {
            root.Remove("cameras");
            root.Remove("models");
            report($"no camera ({missing})");
        }
        await File.WriteAllTextAsync(configPath, root.ToJsonString(new() { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
    }
}
