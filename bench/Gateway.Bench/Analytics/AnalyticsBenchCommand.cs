using System.Diagnostics;
using System.Globalization;
using Gateway.Bench.Support;
using Gateway.Inference;
using Gateway.Inference.Analytics;
using Gateway.Inference.Detectors;
using Gateway.Inference.Images;
using Gateway.Inference.Postprocessing;
using Gateway.Inference.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using static Gateway.Bench.Support.BenchEnvironment;

namespace Gateway.Bench.Analytics;

/// <summary>
/// Issue 12's analytics cost (docs/bench/analytics.md): on one 640×480 frame with four real persons
/// (darknet's person.jpg tiled 2×2), interleaved in one process — the person detector's inference
/// (the reference), an evidence snapshot (blur every person, draw, JPEG q80), the technician's still,
/// the per-frame analysis without an event (zones, counts, tracking), and the same evidence picture
/// made by an ffmpeg subprocess (gblur per person box, drawbox, mjpeg: the alternative that needs no
/// image library; its CPU is the child's). Medians of wall and CPU time.
/// </summary>
public sealed class AnalyticsBenchCommand : IBenchCommand
{
    public string Name => "analytics";

    public string Description => "evidence snapshot (blur + draw + JPEG) and per-frame analysis vs the detector's inference on the same 640x480 frame [--frames N] [--threads N]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var frames = Option(args, "--frames", 60);
        var threads = Option(args, "--threads", 2);
        var root = RepoRoot();
        var manifest = Path.Combine(root, "models", "person", "manifest.json");
        if (!File.Exists(manifest))
        {
            await Console.Error.WriteLineAsync($"{manifest} is missing: run tools/setup.sh").ConfigureAwait(false);
            return 1;
        }
        var work = Directory.CreateTempSubdirectory("gw-bench-analytics-");
        try
        {
            var framePath = Path.Combine(work.FullName, "frame.png");
            Run(BenchTool.Require("ffmpeg"), "-v", "error", "-i", "/usr/share/darknet/data/person.jpg", "-filter_complex",
                "[0]scale=320:240,split=4[a][b][c][d];[a][b]hstack[t];[c][d]hstack[u];[t][u]vstack", framePath);
            var frame = await FfmpegImageDecoder.DecodeAsync(framePath, cancellationToken).ConfigureAwait(false);
            using var model = DetectionModel.Load(manifest, new OnnxSessionOptions { IntraOpThreads = threads });
            using var detector = model.CreateDetector();
            var labels = model.Manifest.Labels;
            var detections = detector.Detect(frame.Pixels, frame.Width, frame.Height).ToArray();
            var all = new[] { new ModelDetections("person", labels, detections) };
            var persons = SnapshotRenderer.Persons(all);
            var zone = new ZonePolygon("kerb", [[0, 300], [640, 300], [640, 480], [0, 480]]);
            var evidence = new BoxF(400, 380, 440, 450);
            var analytics = new CameraAnalytics(Camera(), new LitterStateFile(Path.Combine(work.FullName, "litter.json"), TimeProvider.System, NullLogger.Instance), new CrowdStateFile(Path.Combine(work.FullName, "crowd.json"), TimeProvider.System, NullLogger.Instance), TimeProvider.System, NullLogger.Instance);

            Console.WriteLine($"ONNX Runtime {OnnxRuntimeLibrary.Version()}, intra-op threads {threads}, frame {frame.Width}x{frame.Height} with {persons.Count} detected person(s), {detections.Length} detection(s), {frames} interleaved rounds, {Environment.ProcessorCount} cores");
            var cases = new (string Name, Action Run)[]
            {
                ("inference (person model, reference)", () => detector.Detect(frame.Pixels, frame.Width, frame.Height)),
                ("evidence snapshot: blur persons + draw + JPEG q80", () => SnapshotRenderer.Evidence(frame.Pixels, frame.Width, frame.Height, persons, [evidence], [zone])),
                ("technician still: RenderStill", () => SnapshotRenderer.RenderStill(frame.Pixels, frame.Width, frame.Height, all, [[[0, 300], [640, 300], [640, 480], [0, 480]]])),
                ("analysis of a frame without an event", () => analytics.Observe(frame.Pixels, frame.Width, frame.Height, all, DateTimeOffset.UtcNow, Stopwatch.GetTimestamp())),
                ("evidence snapshot by an ffmpeg subprocess", () => FfmpegEvidence(frame, persons, evidence)),
            };
            for (var i = 0; i < 10; i++)
            {
                foreach (var c in cases)
                {
                    c.Run(); // tiered compilation and ORT warm-up
                }
            }
            var wall = cases.Select(_ => new double[frames]).ToArray();
            var cpu = cases.Select(_ => new double[frames]).ToArray();
            for (var f = 0; f < frames; f++)
            {
                // Interleaved so that load from other work on the machine hits every case alike.
                for (var c = 0; c < cases.Length; c++)
                {
                    var cpu0 = ProcessCpuClock.Nanoseconds() + ProcessCpuClock.ChildrenNanoseconds();
                    var t0 = Stopwatch.GetTimestamp();
                    cases[c].Run();
                    wall[c][f] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                    cpu[c][f] = (ProcessCpuClock.Nanoseconds() + ProcessCpuClock.ChildrenNanoseconds() - cpu0) / 1e6;
                }
            }
            var jpeg = SnapshotRenderer.Evidence(frame.Pixels, frame.Width, frame.Height, persons, [evidence], [zone]);
            Console.WriteLine($"evidence JPEG: {jpeg.Length} bytes");
            Console.WriteLine();
            Console.WriteLine("| case | wall ms (median) | CPU ms (median) | wall / inference | CPU / inference |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
            var (refWall, refCpu) = (Median(wall[0]), Median(cpu[0]));
            for (var c = 0; c < cases.Length; c++)
            {
                var (w, p) = (Median(wall[c]), Median(cpu[c]));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {cases[c].Name} | {w:F2} | {p:F2} | {w / refWall:F3} | {p / refCpu:F3} |"));
            }
            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The same picture through ffmpeg: each person box cut, blurred (sigma as SnapshotRenderer's) and put back, the evidence box drawn, q ≈ 80.</summary>
    private static byte[] FfmpegEvidence(RgbImage frame, IReadOnlyList<BoxF> persons, BoxF evidence)
    {
        var filter = new System.Text.StringBuilder("[0]null[f0]");
        for (var i = 0; i < persons.Count; i++)
        {
            var p = persons[i];
            var (x, y) = ((int)Math.Max(0, p.X1), (int)Math.Max(0, p.Y1));
            var (w, h) = ((int)Math.Min(frame.Width - x, p.X2 - x), (int)Math.Min(frame.Height - y, p.Y2 - y));
            var sigma = Math.Max(6, Math.Min(w, h) / 4);
            filter.Append(CultureInfo.InvariantCulture, $";[f{i}]split[s{i}][c{i}];[c{i}]crop={w}:{h}:{x}:{y},gblur=sigma={sigma}[b{i}];[s{i}][b{i}]overlay={x}:{y}[f{i + 1}]");
        }
        filter.Append(CultureInfo.InvariantCulture, $";[f{persons.Count}]drawbox=x={evidence.X1}:y={evidence.Y1}:w={evidence.X2 - evidence.X1}:h={evidence.Y2 - evidence.Y1}:color=red:t=3");
        var start = new ProcessStartInfo("ffmpeg") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{frame.Width}x{frame.Height}", "-i", "-", "-filter_complex", filter.ToString(), "-frames:v", "1", "-q:v", "4", "-f", "mjpeg", "-" })
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var jpeg = new MemoryStream();
        var read = process.StandardOutput.BaseStream.CopyToAsync(jpeg);
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(frame.Pixels);
        process.StandardInput.Close();
        read.Wait();
        process.WaitForExit();
        if (process.ExitCode != 0 || jpeg.Length == 0)
        {
            throw new InvalidOperationException($"ffmpeg evidence failed: {errors.Result}");
        }
        return jpeg.ToArray();
    }

    /// <summary>A camera with a crowd zone and a litter zone whose minSeconds no bench reaches: the per-frame work, no event.</summary>
    private static CameraOptions Camera() => new()
    {
        Id = "bench",
        Source = "bench.mp4",
        Crowd = new CrowdOptions
        {
            Model = "person",
            ReportSeconds = 10,
            Zones = [new CrowdZoneOptions { Name = "all", Polygon = [[0, 0], [640, 0], [640, 480], [0, 480]], AlertPersons = 1000, ClearPersons = 10 }],
        },
        Litter = new LitterOptions
        {
            Model = "person",
            Classes = ["person", "dog"], // litter classes this frame has, so that tracking does its work
            MinSeconds = 1e9,
            Zones = [new LitterZoneOptions { Name = "kerb", Polygon = [[0, 0], [640, 0], [640, 480], [0, 480]] }],
        },
    };
}
