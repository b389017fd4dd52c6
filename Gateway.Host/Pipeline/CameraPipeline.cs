using System.Globalization;
using System.Text.Json.Nodes;
using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Cameras;
using Gateway.Host.Configuration;
using Gateway.Host.Web;
using Gateway.Inference;
using Gateway.Inference.Analytics;
using Gateway.Inference.Detectors;
using Gateway.Inference.Scheduling;
using Gateway.Sync.RemoteCommands;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Pipeline;

/// <summary>
/// The cameras composed (issue 12): per camera a <see cref="CameraReader"/> (Drivers; ffmpeg, stall
/// watchdog, <c>camera.lost</c>/<c>camera.restored</c> through the drivers' output into the store),
/// whose newest frame goes to the camera's lane of one <see cref="InferenceScheduler"/> shared by all
/// cameras (Inference; at most <c>inference.threads</c> detector threads, fair rotation), which runs
/// the models the camera's <see cref="ICameraAnalytics"/> needs and stores what it returns. A model
/// that does not load stops only the cameras that need it, each with a <c>camera.lost</c> naming it.
/// Its figures go into the <c>status</c> reply (section <c>cameras</c>) and to whoever reads
/// <see cref="ICameraFiguresSource"/>; each camera's latest analysed frame to the web page's stills
/// (<see cref="ICameraStillSource"/>, kept in memory by <see cref="CameraStills"/>).
/// </summary>
internal sealed class CameraPipeline(
    IOptions<CamerasOptions> cameras,
    IOptions<InferenceOptions> inference,
    IEnumerable<ICameraAnalyticsFactory> analyticsFactories,
    IDetectionModelLoader modelLoader,
    IFrameProcessLauncher launcher,
    IDriverOutput driverOutput,
    IngestQueue ingest,
    CameraPipelineFiles files,
    TimeProvider time,
    ILogger<CameraPipeline> logger,
    PublishedStateReconciler? reconciler = null) : BackgroundService, IStatusSection, ICameraFiguresSource, ICameraStillSource
{
    private readonly CameraStills _stills = new(cameras.Value.Cameras);
    private IReadOnlyList<Entry> _entries = [];

    public string Name => "cameras";

    public IReadOnlyList<CameraFigures> GetFigures() => [.. Volatile.Read(ref _entries).Select(e => e.Figures(time))];

    public IReadOnlyList<JsonObject> Describe()
    {
        var figures = GetFigures().ToDictionary(f => f.Camera, StringComparer.Ordinal);
        return [.. cameras.Value.Cameras.Select(c => _stills.Describe(figures.GetValueOrDefault(c.Id), c))];
    }

    public bool Knows(string cameraId) => _stills.Knows(cameraId);

    public ValueTask<ReadOnlyMemory<byte>?> StillAsync(string cameraId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_stills.Render(cameraId) is { } jpeg ? new ReadOnlyMemory<byte>(jpeg) : (ReadOnlyMemory<byte>?)null);

    public JsonNode? Read()
    {
        var section = new JsonObject();
        foreach (var f in GetFigures())
        {
            section[f.Camera] = new JsonObject
            {
                ["state"] = f.State.ToString().ToLowerInvariant(),
                ["askedFps"] = f.AskedFps,
                ["analysisFps"] = Math.Round(f.AnalysisFps, 2),
                ["readFps"] = Math.Round(f.FramesPerSecond, 2),
                ["inferenceMs"] = Math.Round(f.InferenceMs, 1),
                ["frames"] = f.Frames,
                ["analysed"] = f.Analysed,
                ["dropped"] = f.Dropped,
                ["motionSkipped"] = f.MotionSkipped,
                ["analysisFailures"] = f.AnalysisFailures,
                ["starts"] = f.Starts,
                ["lastError"] = f.LastError,
                ["analysisError"] = f.AnalysisError,
                ["lastFrameTs"] = f.LastFrameAt?.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            };
        }
        return section;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var configured = cameras.Value.Cameras;
        if (configured.Count == 0)
        {
            return;
        }
        // Off the host's start: loading the models takes a second or more of CPU.
        await Task.Yield();
        // CameraAnalyticsCheck refuses the start without one; the last registered wins, as DI's own GetService does.
        var factory = analyticsFactories.LastOrDefault() ?? throw new InvalidOperationException("no ICameraAnalyticsFactory registered");
        var analytics = configured.Select(c => _stills.Keep(factory.Create(c))).ToList();
        var (loaded, unavailable) = LoadModels(analytics.SelectMany(a => a.Models).Distinct(StringComparer.Ordinal));
        using var models = new LoadedModels(loaded);
        using var scheduler = new InferenceScheduler(inference.Value.Threads, models, ingest, time, logger);
        var entries = new List<Entry>();
        var runs = new List<Task>();
        try
        {
            for (var i = 0; i < configured.Count; i++)
            {
                var camera = configured[i];
                if (analytics[i].Models.FirstOrDefault(unavailable.ContainsKey) is { } model)
                {
                    var reason = $"model '{model}' not loaded: {unavailable[model]}";
                    Log.ModelUnavailable(logger, camera.Id, model, unavailable[model]);
                    entries.Add(new Entry(camera, null, null, reason));
                    var data = new Dictionary<string, object?>(StringComparer.Ordinal) { ["camera"] = camera.Id, ["reason"] = reason };
                    await driverOutput.PublishAsync(GatewayEvent.Create(DriverEventTypes.CameraLost, camera.Id, data, time.GetUtcNow(), time.GetTimestamp()), stoppingToken).ConfigureAwait(false);
                    continue;
                }
                var reader = new CameraReader(SourceOptions(camera), launcher, driverOutput, time, logger);
                var lane = scheduler.Add(analytics[i], camera.Fps, camera.MotionGate);
                entries.Add(new Entry(camera, reader, lane, null));
            }
            Volatile.Write(ref _entries, entries);
            scheduler.Start();
            Log.PipelineStarted(logger, configured.Count, loaded.Count, inference.Value.Threads);
            foreach (var entry in entries.Where(e => e.Reader is not null))
            {
                runs.Add(entry.Reader!.RunAsync(stoppingToken));
                var id = entry.Camera.Id;
                runs.Add(CameraFrame.HandOverAsync(entry.Reader!, entry.Lane!, stoppingToken,
                    reconciler is null ? null : () => reconciler.CameraAnsweredAsync(id, stoppingToken)));
            }
            await Task.WhenAll(runs).ConfigureAwait(false);
        }
        finally
        {
            // Readers first: the pumps end with them, and the threads may finish their frames.
            foreach (var entry in entries)
            {
                entry.Reader?.Dispose();
            }
            scheduler.Stop();
        }
    }

    private (Dictionary<string, DetectionModel> Loaded, Dictionary<string, string> Unavailable) LoadModels(IEnumerable<string> ids)
    {
        var manifests = cameras.Value.Models.ToDictionary(m => m.Id, m => m.Manifest, StringComparer.Ordinal);
        var loaded = new Dictionary<string, DetectionModel>(StringComparer.Ordinal);
        var unavailable = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (!manifests.TryGetValue(id, out var manifest))
            {
                unavailable[id] = "no such model in the models section";
            }
            else if (files.Resolver.ResolveInput(manifest) is not { } path)
            {
                unavailable[id] = $"manifest '{manifest}' not found";
            }
            else
            {
                try
                {
                    loaded[id] = modelLoader.Load(path);
                }
#pragma warning disable CA1031 // the loader logged it with its stack; the cameras that need the model say why they stopped
                catch (Exception e)
#pragma warning restore CA1031
                {
                    unavailable[id] = e.Message;
                }
            }
        }
        return (loaded, unavailable);
    }

    private CameraSourceOptions SourceOptions(CameraOptions camera) => new()
    {
        Id = camera.Id,
        // A file is found like the configuration's other files; a missing one is left to ffmpeg, whose error camera.lost repeats.
        Source = camera.Source.Contains("://", StringComparison.Ordinal) ? camera.Source : files.Resolver.ResolveInput(camera.Source) ?? camera.Source,
        Fps = camera.Fps,
        Width = camera.Width,
        Height = camera.Height,
        StallAfter = TimeSpan.FromSeconds(camera.StallSeconds),
        FfmpegPath = files.FfmpegPath,
    };

    /// <summary>One configured camera: its reader and lane, or why it does not run.</summary>
    private sealed record Entry(CameraOptions Camera, CameraReader? Reader, CameraLane? Lane, string? Blocked)
    {
        public CameraFigures Figures(TimeProvider time)
        {
            if (Reader is null || Lane is null)
            {
                return new CameraFigures(Camera.Id, CameraState.Lost, 0, 0, 0, 0, Blocked, null, AskedFps: Camera.Fps, AnalysisError: Blocked);
            }
            var read = Reader.GetFigures();
            var analysis = Lane.GetFigures(time);
            return read with
            {
                Dropped = read.Dropped + analysis.Dropped,
                AskedFps = analysis.AskedFps,
                AnalysisFps = analysis.AnalysisFps,
                InferenceMs = analysis.InferenceMs,
                Analysed = analysis.Analysed,
                MotionSkipped = analysis.MotionSkipped,
                AnalysisFailures = analysis.Failures,
                AnalysisError = analysis.LastError,
            };
        }
    }
}

/// <summary>Where the pipeline finds the files the configuration names (model manifests, video files) and ffmpeg.</summary>
internal sealed record CameraPipelineFiles(ConfigFileResolver Resolver, string FfmpegPath = "ffmpeg");
