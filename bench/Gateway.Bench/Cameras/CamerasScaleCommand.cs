using System.Diagnostics;
using System.Globalization;
using Gateway.Bench.Support;
using Gateway.Drivers;
using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Cameras;
using Gateway.Drivers.Modbus;
using Gateway.Host.Pipeline;
using Gateway.Inference;
using Gateway.Inference.Analytics;
using Gateway.Inference.Detectors;
using Gateway.Inference.Runtime;
using Gateway.Inference.Scheduling;
using Gateway.Simulation.Modbus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Bench.Cameras;

/// <summary>
/// N cameras at 1 frame/s through the product's pieces — one <see cref="CameraReader"/> (real ffmpeg,
/// a looped 640×480 file played at real time) per camera, one <see cref="InferenceScheduler"/> with
/// the real CenterNet person model on <c>inference.threads</c> threads, the records into the shared
/// <see cref="IngestQueue"/> — beside a Modbus TCP meter polled every 100 ms by the real driver.
/// Per run: analysis frames/s achieved against asked, this process's CPU and ffmpeg's CPU per analysed
/// frame, latency from a frame's read to its record leaving the queue, RSS, and the Modbus polls'
/// interval error against a run without cameras (the reference, same process, same minutes). Then the
/// motion gate: the same cameras on a still and on a moving scene, gate off and on.
/// </summary>
public sealed class CamerasScaleCommand : IBenchCommand
{
    private const int PollMs = 100;

    public string Name => "cameras-scale";

    public string Description => "1/4/8 cameras at 1 frame/s with the person model beside a Modbus meter; motion gate on a still vs moving scene (args: [seconds=20] [counts=1,4,8] [gateCameras=4])";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        var counts = (args.Length > 1 ? args[1] : "1,4,8").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
        var gateCameras = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4;
        var ffmpeg = BenchTool.Require("ffmpeg");
        var manifest = Path.GetFullPath(Path.Combine("models", "person", "manifest.json"));
        if (!File.Exists(manifest))
        {
            Console.Error.WriteLine($"{manifest} not found: run from the repository root after tools/setup.sh");
            return 1;
        }
        var dir = Directory.CreateTempSubdirectory("gw-bench-cameras");
        try
        {
            var moving = Path.Combine(dir.FullName, "moving.mp4");
            var still = Path.Combine(dir.FullName, "still.mp4");
            MakeScene(ffmpeg, moving, panning: true);
            MakeScene(ffmpeg, still, panning: false);
            using var model = DetectionModel.Load(manifest, new OnnxSessionOptions { IntraOpThreads = 2 });
            using var models = new LoadedModels(new Dictionary<string, DetectionModel>(StringComparer.Ordinal) { ["person"] = model });

            Console.WriteLine($"{Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the start (the machine is shared: other work competes for the cores);");
            Console.WriteLine($"scene: darknet person.jpg panned across a 640x480 H.264 file at 15 frames/s (1 s key frames), each camera its own ffmpeg; {seconds} s measured after 8 s warm-up;");
            Console.WriteLine($"1 inference thread (inference.threads default), ONNX Runtime intra-op 2; Modbus TCP meter polled every {PollMs} ms by the real driver.");
            Console.WriteLine();
            Console.WriteLine("| cameras | asked f/s per camera | achieved f/s per camera (min–max) | achieved / asked | gateway CPU ms/analysed frame | ffmpeg CPU ms/analysed frame | inference ms | latency frame→record p50 / p95 ms | dropped | gateway RSS MB (peak) | ffmpeg PSS MB (sum, peak) | Modbus poll interval error p50 / p99 / max ms | Modbus p99 / reference p99 |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            var reference = await MeasureAsync(ffmpeg, moving, 0, models, null, Math.Min(seconds, 10), cancellationToken);
            Print(reference, reference);
            foreach (var n in counts)
            {
                Print(await MeasureAsync(ffmpeg, moving, n, models, null, seconds, cancellationToken), reference);
            }

            Console.WriteLine();
            Console.WriteLine($"Motion gate ({gateCameras} cameras, minChangedPercent 0.1, maxSkipSeconds 10):");
            Console.WriteLine();
            Console.WriteLine("| scene | gate | analysed | detector skipped | gateway CPU ms/analysed frame | CPU with gate / without (same scene) |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
            var gate = new MotionGateOptions { MinChangedPercent = 0.1, MaxSkipSeconds = 10 };
            foreach (var (scene, file) in new[] { ("still", still), ("moving", moving) })
            {
                var off = await MeasureAsync(ffmpeg, file, gateCameras, models, null, seconds, cancellationToken);
                var on = await MeasureAsync(ffmpeg, file, gateCameras, models, gate, seconds, cancellationToken);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {scene} | off | {off.Analysed} | {off.Skipped} | {off.OwnMsPerFrame:0.0} | 1.00 (reference) |"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {scene} | on | {on.Analysed} | {on.Skipped} | {on.OwnMsPerFrame:0.0} | {on.OwnMsPerFrame / off.OwnMsPerFrame:0.00} |"));
            }
            return 0;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private sealed record Result(int Cameras, double Asked, double MinFps, double MaxFps, double MeanFps, double OwnMsPerFrame, double FfmpegMsPerFrame,
        double InferenceMs, double LatencyP50, double LatencyP95, long Dropped, double RssMb, double FfmpegPssMb, double PollP50, double PollP99, double PollMax, long Analysed, long Skipped);

    private static void Print(Result r, Result reference)
    {
        var fps = r.Cameras == 0 ? "—" : string.Create(CultureInfo.InvariantCulture, $"{r.MeanFps:0.00} ({r.MinFps:0.00}–{r.MaxFps:0.00})");
        var ratio = r.Cameras == 0 ? "—" : (r.MeanFps / r.Asked).ToString("0.00", CultureInfo.InvariantCulture);
        string PerFrame(double v) => r.Cameras == 0 ? "—" : v.ToString("0.0", CultureInfo.InvariantCulture);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {(r.Cameras == 0 ? "0 (reference)" : r.Cameras)} | {(r.Cameras == 0 ? "—" : r.Asked)} | {fps} | {ratio} | {PerFrame(r.OwnMsPerFrame)} | {PerFrame(r.FfmpegMsPerFrame)} | {PerFrame(r.InferenceMs)} | {(r.Cameras == 0 ? "—" : $"{r.LatencyP50:0} / {r.LatencyP95:0}")} | {r.Dropped} | {r.RssMb:0} | {r.FfmpegPssMb:0} | {r.PollP50:0.0} / {r.PollP99:0.0} / {r.PollMax:0.0} | {r.PollP99 / Math.Max(0.1, reference.PollP99):0.00} |"));
    }

    private static async Task<Result> MeasureAsync(string ffmpeg, string video, int cameras, LoadedModels models, MotionGateOptions? gate, int seconds, CancellationToken cancellationToken)
    {
        await using var meter = new SimulatedModbusServer(new SimulatedModbusOptions { Registers = new WaterMeterRegisters(TimeProvider.System) });
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Error))
            .AddSingleton(TimeProvider.System)
            .AddModbusDrivers(o => o.Devices =
            [
                new DeviceOptions
                {
                    Id = "water-1", Type = "modbus", Endpoint = $"tcp://127.0.0.1:{meter.Port}", UnitId = 1, PollMs = PollMs,
                    Points = [new PointOptions { Name = "register0", Table = "holding", Address = 0 }],
                },
            ]);
        await using var provider = services.BuildServiceProvider();
        var queue = provider.GetRequiredService<IngestQueue>();
        var output = provider.GetRequiredService<IDriverOutput>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var drain = new Drain();
        var draining = drain.RunAsync(queue, stop.Token);
        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(cancellationToken);
        }

        using var scheduler = new InferenceScheduler(1, models, queue, TimeProvider.System, NullLogger.Instance);
        var readers = new List<CameraReader>();
        var lanes = new List<CameraLane>();
        var runs = new List<Task>();
        for (var i = 0; i < cameras; i++)
        {
            var options = new CameraSourceOptions { Id = $"cam-{i}", Source = video, FfmpegPath = ffmpeg, Fps = 1, Width = 640, Height = 480 };
            var reader = new CameraReader(options, new FfmpegProcessLauncher(), output, TimeProvider.System, NullLogger.Instance);
            var lane = scheduler.Add(new PersonCount(options.Id), options.Fps, gate);
            readers.Add(reader);
            lanes.Add(lane);
            runs.Add(reader.RunAsync(stop.Token));
            runs.Add(CameraFrame.HandOverAsync(reader, lane, stop.Token));
        }
        scheduler.Start();

        await Task.Delay(TimeSpan.FromSeconds(cameras == 0 ? 2 : 8), cancellationToken);
        var before = lanes.Select(l => l.GetFigures(TimeProvider.System)).ToList();
        var ownBefore = ProcessCpuClock.Nanoseconds();
        var ffmpegBefore = FfmpegChildren.CpuNanoseconds();
        drain.StartWindow();
        var rssPeak = 0.0;
        var ffmpegPss = 0.0;
        var window = Stopwatch.StartNew();
        while (window.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            await Task.Delay(500, cancellationToken);
            rssPeak = Math.Max(rssPeak, SelfRssMb());
            ffmpegPss = Math.Max(ffmpegPss, FfmpegChildren.PssMb());
        }
        var elapsed = window.Elapsed.TotalSeconds;
        var own = ProcessCpuClock.Nanoseconds() - ownBefore;
        var ffmpegCpu = FfmpegChildren.CpuNanoseconds() - ffmpegBefore;
        var (latencies, polls) = drain.EndWindow();
        var after = lanes.Select(l => l.GetFigures(TimeProvider.System)).ToList();

        await stop.CancelAsync();
        await Task.WhenAll(runs);
        readers.ForEach(r => r.Dispose());
        scheduler.Stop();
        foreach (var service in Enumerable.Reverse(hosted))
        {
            await service.StopAsync(CancellationToken.None);
        }
        await draining;

        var analysed = after.Zip(before, (a, b) => a.Analysed - b.Analysed).ToList();
        var total = Math.Max(1, analysed.Sum());
        var fps = analysed.Select(a => a / elapsed).DefaultIfEmpty(0).ToList();
        var pollErrors = polls.Select(p => Math.Abs(p - PollMs)).Order().ToList();
        return new Result(cameras, 1, fps.Min(), fps.Max(), fps.Average(), own / 1e6 / total, ffmpegCpu / 1e6 / total,
            after.Select(a => a.InferenceMs).DefaultIfEmpty(0).Average(), Percentile(latencies, 0.5), Percentile(latencies, 0.95),
            after.Zip(before, (a, b) => a.Dropped - b.Dropped).Sum() + readers.Sum(r => r.GetFigures().Dropped), rssPeak, ffmpegPss,
            Percentile(pollErrors, 0.5), Percentile(pollErrors, 0.99), pollErrors.DefaultIfEmpty(0).Max(),
            analysed.Sum(), after.Zip(before, (a, b) => a.MotionSkipped - b.MotionSkipped).Sum());
    }

    private static double Percentile(List<double> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }
        sorted.Sort();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
    }

    private static double SelfRssMb()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    private static void MakeScene(string ffmpeg, string path, bool panning)
    {
        // A real photograph: the 768x576 person.jpg, cropped to 640x480 — panning 4 px a frame, or still.
        var x = panning ? "'mod(n*4,128)'" : "64";
        var args = new[]
        {
            "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-loop", "1", "-framerate", "15", "-i", "/usr/share/darknet/data/person.jpg",
            "-t", "20", "-vf", $"scale=768:576,crop=640:480:{x}:48", "-c:v", "libx264", "-preset", "veryfast", "-g", "15", "-pix_fmt", "yuv420p", path,
        };
        using var process = Process.Start(ffmpeg, args)!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg could not make {path}");
        }
    }

    /// <summary>The smallest real analysis: persons on the frame as one reading, dated by the frame (so the drain can time it).</summary>
    private sealed class PersonCount(string camera) : ICameraAnalytics
    {
        public string Camera => camera;

        public IReadOnlyCollection<string> Models { get; } = ["person"];

        public IReadOnlyList<IngestRecord> Observe(ReadOnlySpan<byte> rgb24, int width, int height, IReadOnlyList<ModelDetections> detections, DateTimeOffset capturedAt, long timestamp)
        {
            var persons = detections.Sum(d => d.Detections.Count(x => d.Labels[x.ClassId] == "person"));
            return [new IngestRecord(new Reading(camera, "persons", ReadingValue.FromInt64(persons), null, ReadingQuality.Good, null, capturedAt, timestamp), null)];
        }
    }

    /// <summary>Stands where the store's writer stands: drains the queue, timing camera records from their frame and the meter's polls from each other.</summary>
    private sealed class Drain
    {
        private readonly List<double> _latencies = [];
        private readonly List<double> _polls = [];
        private long _lastPoll;
        private volatile bool _window;

        public void StartWindow() => _window = true;

        public (List<double> Latencies, List<double> Polls) EndWindow()
        {
            _window = false;
            lock (_latencies)
            {
                return ([.. _latencies], [.. _polls]);
            }
        }

        public async Task RunAsync(IngestQueue queue, CancellationToken cancellationToken)
        {
            try
            {
                await foreach (var record in queue.Reader.ReadAllAsync(cancellationToken))
                {
                    if (record.Event is not null || !_window)
                    {
                        continue;
                    }
                    var reading = record.Reading;
                    lock (_latencies)
                    {
                        if (reading.Device == "water-1")
                        {
                            if (_lastPoll != 0)
                            {
                                _polls.Add(Stopwatch.GetElapsedTime(_lastPoll, reading.Timestamp).TotalMilliseconds);
                            }
                            _lastPoll = reading.Timestamp;
                        }
                        else
                        {
                            _latencies.Add(Stopwatch.GetElapsedTime(reading.Timestamp).TotalMilliseconds);
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // the run is over
            }
        }
    }

    /// <summary>This process's ffmpeg children, from /proc: their CPU (utime + stime) and resident memory while they run.</summary>
    private static class FfmpegChildren
    {
        private static readonly double TicksPerSecond = 100; // USER_HZ on Linux x86-64 and arm64

        public static long CpuNanoseconds() => Children().Sum(s => (long)((long.Parse(s[11], CultureInfo.InvariantCulture) + long.Parse(s[12], CultureInfo.InvariantCulture)) / TicksPerSecond * 1e9));

        /// <summary>Proportional set size: the decoder libraries the ffmpegs share are counted once, not once per camera as RSS would.</summary>
        public static double PssMb() => Children().Sum(s => Pss(s[^1]));

        private static double Pss(string pid)
        {
            try
            {
                var line = File.ReadLines($"/proc/{pid}/smaps_rollup").FirstOrDefault(l => l.StartsWith("Pss:", StringComparison.Ordinal));
                return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
            }
            catch (IOException)
            {
                return 0; // ended meanwhile
            }
        }

        /// <summary>The fields after "(comm)" of /proc/PID/stat for each ffmpeg whose parent is this process (index 0 = state), then its pid.</summary>
        private static IEnumerable<string[]> Children()
        {
            var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                string stat;
                try
                {
                    stat = File.ReadAllText(Path.Combine(dir, "stat"));
                }
                catch (IOException)
                {
                    continue;
                }
                catch (UnauthorizedAccessException)
                {
                    continue;
                }
                var close = stat.LastIndexOf(')');
                if (close < 0 || !stat.AsSpan(0, close).EndsWith("(ffmpeg", StringComparison.Ordinal))
                {
                    continue;
                }
                var fields = stat[(close + 2)..].Split(' ');
                if (fields[1] == self)
                {
                    yield return [.. fields, Path.GetFileName(dir)];
                }
            }
        }
    }
}
