using System.Diagnostics;
using System.Globalization;
using Gateway.Bench.Support;
using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Cameras;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Bench.Cameras;

/// <summary>
/// What <see cref="CameraReader"/> costs beyond ffmpeg itself: the same ffmpeg command line
/// (<see cref="FfmpegArguments"/>, a generated 640×480 file played at real time) read once by a bare
/// loop that only counts whole frames (the reference), once by the reader with a consumer taking
/// frames from its slot; alternated, each round a same-run ratio. CPU is split into this process and
/// ffmpeg (its rusage once reaped); managed bytes allocated per frame show whether the pooled
/// buffers hold.
/// </summary>
public sealed class CameraReadCommand : IBenchCommand
{
    public string Name => "camera-read";

    public string Description => "CameraReader vs a bare read of the same ffmpeg output: CPU and bytes per frame (args: [seconds=10] [fps=25] [rounds=2])";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var fps = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 25;
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
        var ffmpeg = BenchTool.Require("ffmpeg");
        var dir = Directory.CreateTempSubdirectory("gw-bench-camera");
        try
        {
            var video = Path.Combine(dir.FullName, "street.mp4");
            MakeVideo(ffmpeg, video, seconds);
            var options = new CameraSourceOptions { Id = "bench", Source = video, FfmpegPath = ffmpeg, Fps = fps, Width = 640, Height = 480, LoopFile = false };

            Console.WriteLine($"640x480 mpeg4 file, {seconds} s at 25 frames/s, analysis {fps:0.##} frames/s at 640x480 RGB24, played with -re; {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            Console.WriteLine();
            Console.WriteLine("| round | run | frames | this process CPU µs/frame | ffmpeg CPU µs/frame | total / bare total | managed B/frame |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
            await BareAsync(options, cancellationToken); // warm-up: page cache, JIT
            for (var round = 1; round <= rounds; round++)
            {
                var bare = await BareAsync(options, cancellationToken);
                var reader = await ReaderAsync(options, cancellationToken);
                Print(round, "bare read (reference)", bare, bare);
                Print(round, "CameraReader + consumer", reader, bare);
            }
            return 0;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private sealed record Run(long Frames, long OwnNs, long FfmpegNs, long Bytes);

    private static void Print(int round, string what, Run run, Run bare)
    {
        double PerFrame(long ns) => ns / 1000.0 / run.Frames;
        var ratio = (double)(run.OwnNs + run.FfmpegNs) / run.Frames / ((double)(bare.OwnNs + bare.FfmpegNs) / bare.Frames);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {round} | {what} | {run.Frames} | {PerFrame(run.OwnNs):0} | {PerFrame(run.FfmpegNs):0} | {ratio:0.000} | {(double)run.Bytes / run.Frames:0} |"));
    }

    private static void MakeVideo(string ffmpeg, string path, int seconds)
    {
        using var process = Process.Start(ffmpeg, ["-nostdin", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", $"testsrc=size=640x480:rate=25:duration={seconds}", "-c:v", "mpeg4", "-q:v", "4", path])!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg could not make {path}");
        }
    }

    /// <summary>The reference: the same ffmpeg command, its stdout read frame by frame into one buffer and counted.</summary>
    private static async Task<Run> BareAsync(CameraSourceOptions options, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(options.FfmpegPath) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in FfmpegArguments.Build(options))
        {
            info.ArgumentList.Add(arg);
        }
        var buffer = new byte[options.FrameBytes];
        var (own, children, bytes) = Start();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.BaseStream;
        long frames = 0;
        while (await stdout.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken) == buffer.Length)
        {
            frames++;
        }
        await process.WaitForExitAsync(cancellationToken);
        return Stop(frames, own, children, bytes);
    }

    private static async Task<Run> ReaderAsync(CameraSourceOptions options, CancellationToken cancellationToken)
    {
        var output = new EndOfStreamOutput();
        var (own, children, bytes) = Start();
        using var reader = new CameraReader(options, new FfmpegProcessLauncher(), output, TimeProvider.System, NullLogger.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = reader.RunAsync(stop.Token);
        var consuming = ConsumeAsync(reader.Frames, stop.Token);
        // A file that does not loop ends as camera.lost; by then ffmpeg has exited and been reaped.
        await output.Lost.Task.WaitAsync(cancellationToken);
        var frames = reader.GetFigures().Frames;
        var run = Stop(frames, own, children, bytes);
        await stop.CancelAsync();
        await running;
        await consuming;
        return run;
    }

    private static async Task ConsumeAsync(LatestFrameSlot slot, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                using var frame = await slot.TakeAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // the run is over
        }
    }

    private static (long Own, long Children, long Bytes) Start() =>
        (ProcessCpuClock.Nanoseconds(), ProcessCpuClock.ChildrenNanoseconds(), GC.GetTotalAllocatedBytes(precise: true));

    private static Run Stop(long frames, long own, long children, long bytes) =>
        new(frames, ProcessCpuClock.Nanoseconds() - own, ProcessCpuClock.ChildrenNanoseconds() - children, GC.GetTotalAllocatedBytes(precise: true) - bytes);

    private sealed class EndOfStreamOutput : IDriverOutput
    {
        public TaskCompletionSource Lost { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask PublishAsync(Reading reading, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask PublishAsync(GatewayEvent driverEvent, CancellationToken cancellationToken)
        {
            if (driverEvent.Type == DriverEventTypes.CameraLost)
            {
                Lost.TrySetResult();
            }
            return ValueTask.CompletedTask;
        }
    }
}
