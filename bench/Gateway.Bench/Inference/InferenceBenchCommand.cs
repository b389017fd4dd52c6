using System.Diagnostics;
using System.Globalization;
using Gateway.Bench.Support;
using Gateway.Inference.Detectors;
using Gateway.Inference.Images;
using Gateway.Inference.Models;
using Gateway.Inference.Runtime;
using Microsoft.ML.OnnxRuntime;
using static Gateway.Bench.Support.BenchEnvironment;

namespace Gateway.Bench.Inference;

/// <summary>
/// Issue 7's inference benchmark (docs/bench/inference.md): per-frame pipeline (pre-process +
/// run + decode/NMS) against the bare run (<c>RunWithBinding</c> alone on the same session and
/// buffers) and against a plain <c>InferenceSession.Run</c> with package-allocated outputs,
/// interleaved in one process; managed bytes allocated per frame; RSS over repeated session
/// create/run/dispose cycles. Models: the converted CenterNet (models/person, tools/setup.sh)
/// at 512 and a YOLOv8n-shaped random-weight network (make_yolov8n.py) at 640 and 320, and at 320
/// with its output declared symbolic (the runner's fetch-after-run path).
/// </summary>
public sealed class InferenceBenchCommand : IBenchCommand
{
    public string Name => "inference";

    public string Description => "detector pipeline vs bare ONNX Runtime run, allocations per frame, RSS over session cycles [--frames N] [--cycles N] [--threads N]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var frames = Option(args, "--frames", 40);
        var cycles = Option(args, "--cycles", 1000);
        var threads = Option(args, "--threads", 2);
        var root = RepoRoot();
        var personManifest = Path.Combine(root, "models", "person", "manifest.json");
        if (!File.Exists(personManifest))
        {
            await Console.Error.WriteLineAsync($"{personManifest} is missing: run tools/setup.sh").ConfigureAwait(false);
            return 1;
        }
        var work = Directory.CreateTempSubdirectory("gw-bench-inference-");
        try
        {
            Run("/usr/bin/python3", Path.Combine(root, "bench", "Gateway.Bench", "Inference", "make_yolov8n.py"), work.FullName, "640", "320", "320:symbolic");
            // A camera-sized frame: darknet's person.jpg scaled to 1920x1080.
            var framePath = Path.Combine(work.FullName, "frame.png");
            Run("ffmpeg", "-v", "error", "-i", "/usr/share/darknet/data/person.jpg", "-vf", "scale=1920:1080", framePath);
            var frame = await FfmpegImageDecoder.DecodeAsync(framePath, cancellationToken).ConfigureAwait(false);
            var options = new OnnxSessionOptions { IntraOpThreads = threads };

            Console.WriteLine($"ONNX Runtime {OnnxRuntimeLibrary.Version()} ({OnnxRuntimeLibrary.LoadedFrom}), intra-op threads {threads}, frame {frame.Width}x{frame.Height}, {frames} interleaved frames per case, {Environment.ProcessorCount} cores");
            Console.WriteLine();
            Console.WriteLine("| model | input | bare ms (wall, median) | pipeline ms (wall, median) | pipeline / bare (wall) | bare ms (CPU) | plain Run ms (CPU) | pipeline ms (CPU) | pipeline / bare (CPU) | pipeline / plain Run (CPU) | pipeline B / frame | plain Run B / frame |");
            Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            var person = ModelManifestReader.ReadFile(personManifest);
            PipelineCase("CenterNet (person)", person, options, frame, frames);
            foreach (var size in new[] { 640, 320 })
            {
                PipelineCase("YOLOv8n-shaped, random weights", YoloManifest(work.FullName, $"yolov8n-{size}.onnx", size), options, frame, frames);
            }
            PipelineCase("YOLOv8n-shaped, output [1,84,N]", YoloManifest(work.FullName, "yolov8n-320-symbolic.onnx", 320), options, frame, frames);
            Console.WriteLine();
            SessionCycles(YoloManifest(work.FullName, "yolov8n-320.onnx", 320), options, cycles, cancellationToken);
            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static ModelManifest YoloManifest(string dir, string file, int size) => new()
    {
        ModelPath = Path.Combine(dir, file),
        InputName = "images",
        InputWidth = size,
        InputHeight = size,
        OutputName = "output0",
        OutputLayout = OutputLayout.Yolo,
        Labels = [.. Enumerable.Range(0, 80).Select(i => $"c{i}")],
    };

    private static void PipelineCase(string name, ModelManifest manifest, OnnxSessionOptions options, RgbImage frame, int frames)
    {
        using var model = DetectionModel.Load(manifest, options);
        using var detector = (ObjectDetector)model.CreateDetector();
        var runner = detector.Runner;
        // Long enough for tiered compilation to finish optimising the pre/post-processing code.
        for (var i = 0; i < 40; i++)
        {
            detector.Detect(frame.Pixels, frame.Width, frame.Height);
        }
        // The second reference: the package's plain Run, ORT allocating the outputs, on a copy of
        // the same pre-processed input.
        var session = model.Session.Inner;
        var input = runner.Input(0).ToArray();
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, runner.InputShape(0).ToArray());
        using var runOptions = new RunOptions();
        string[] inputNames = [model.Session.Inputs[0].Name];
        OrtValue[] inputValues = [inputValue];
        string[] outputNames = [.. model.Session.Outputs.Select(o => o.Name)];
        void PlainRun()
        {
            using var outputs = session.Run(runOptions, inputNames, inputValues, outputNames);
        }
        for (var i = 0; i < 5; i++)
        {
            runner.Run();
            PlainRun();
        }
        var bare = new double[frames];
        var pipeline = new double[frames];
        long allocated = 0;
        long plainAllocated = 0;
        long bareCpu = 0;
        long plainCpu = 0;
        long pipelineCpu = 0;
        for (var i = 0; i < frames; i++)
        {
            // Interleaved so that load from other work on the machine hits all three alike.
            var cpu0 = ProcessCpuClock.Nanoseconds();
            var t0 = Stopwatch.GetTimestamp();
            runner.Run();
            bare[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            var cpu1 = ProcessCpuClock.Nanoseconds();
            var before = GC.GetAllocatedBytesForCurrentThread();
            PlainRun();
            plainAllocated += GC.GetAllocatedBytesForCurrentThread() - before;
            var cpu2 = ProcessCpuClock.Nanoseconds();
            before = GC.GetAllocatedBytesForCurrentThread();
            t0 = Stopwatch.GetTimestamp();
            detector.Detect(frame.Pixels, frame.Width, frame.Height);
            pipeline[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            var cpu3 = ProcessCpuClock.Nanoseconds();
            bareCpu += cpu1 - cpu0;
            plainCpu += cpu2 - cpu1;
            pipelineCpu += cpu3 - cpu2;
        }
        var (b, p) = (Median(bare), Median(pipeline));
        var (bc, rc, pc) = (bareCpu / 1e6 / frames, plainCpu / 1e6 / frames, pipelineCpu / 1e6 / frames);
        var shape = manifest.InputLayout.ToString().ToUpperInvariant();
        var inputText = $"{manifest.InputWidth}x{manifest.InputHeight} {shape} {(manifest.Resize == ResizeMode.Letterbox ? "letterbox" : "stretch")}";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {inputText} | {b:F1} | {p:F1} | {p / b:F3} | {bc:F1} | {rc:F1} | {pc:F1} | {pc / bc:F3} | {pc / rc:F3} | {allocated / frames} | {plainAllocated / frames} |"));
    }

    private static void SessionCycles(ModelManifest manifest, OnnxSessionOptions options, int cycles, CancellationToken cancellationToken)
    {
        Console.WriteLine($"Session create / run / dispose cycles: {Path.GetFileName(manifest.ModelPath)}, {cycles} cycles");
        Console.WriteLine();
        Console.WriteLine("| after cycle | RSS MiB | managed heap MiB |");
        Console.WriteLine("| ---: | ---: | ---: |");
        var checkpoints = new SortedSet<int> { 1, 10, 100, cycles / 4, cycles / 2, cycles * 3 / 4, cycles };
        var rss = new Dictionary<int, double>();
        var started = Stopwatch.GetTimestamp();
        for (var i = 1; i <= cycles && !cancellationToken.IsCancellationRequested; i++)
        {
            using (var session = OnnxSession.Open(manifest.ModelPath, options))
            using (var runner = session.CreateRunner())
            {
                runner.Run();
            }
            if (checkpoints.Contains(i))
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                rss[i] = RssMiB();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {i} | {rss[i]:F1} | {GC.GetTotalMemory(false) / 1048576.0:F1} |"));
            }
        }
        if (rss.TryGetValue(100, out var at100) && rss.TryGetValue(cycles, out var atEnd))
        {
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RSS growth from cycle 100 to {cycles}: {atEnd - at100:F1} MiB ({(atEnd - at100) * 1024 / (cycles - 100):F2} KiB per cycle); {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s"));
        }
    }

    private static double RssMiB()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
