using Gateway.Inference;
using Gateway.Inference.Analytics;
using Gateway.Inference.Detectors;
using Gateway.Inference.Postprocessing;
using Gateway.Inference.Scheduling;

namespace Gateway.Tests.Inference.Scheduling;

/// <summary>A frame of one grey level whose release the test can see.</summary>
internal sealed class FakeFrame(int width, int height, byte level, DateTimeOffset capturedAt, long timestamp) : IAnalysisFrame
{
    private readonly byte[] _pixels = Enumerable.Repeat(level, width * height * 3).ToArray();
    private int _disposed;

    public ReadOnlySpan<byte> Rgb24 => Disposed ? throw new ObjectDisposedException(nameof(FakeFrame)) : _pixels;

    public int Width => width;

    public int Height => height;

    public DateTimeOffset CapturedAt => capturedAt;

    public long Timestamp => timestamp;

    public bool Disposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Paints a block a different grey (something set down in the scene).</summary>
    public FakeFrame WithBlock(int x, int y, int w, int h, byte level)
    {
        for (var row = y; row < y + h; row++)
        {
            _pixels.AsSpan(((row * width) + x) * 3, w * 3).Fill(level);
        }
        return this;
    }

    public void Dispose() => Interlocked.Exchange(ref _disposed, 1);
}

/// <summary>What the pipeline called <see cref="ICameraAnalytics.Observe"/> with, one reading per frame back.</summary>
internal sealed class RecordingAnalytics(string camera, params string[] models) : ICameraAnalytics
{
    private readonly List<Observation> _observations = [];

    public string Camera => camera;

    public IReadOnlyCollection<string> Models => models;

    /// <summary>Runs inside Observe, on the scheduler's thread (the test's hook into "while this camera is being analysed").</summary>
    public Action<RecordingAnalytics>? During { get; set; }

    public Exception? Throw { get; set; }

    public IReadOnlyList<Observation> Observations
    {
        get
        {
            lock (_observations)
            {
                return [.. _observations];
            }
        }
    }

    public IReadOnlyList<IngestRecord> Observe(ReadOnlySpan<byte> rgb24, int width, int height, IReadOnlyList<ModelDetections> detections, DateTimeOffset capturedAt, long timestamp)
    {
        if (Throw is { } e)
        {
            throw e;
        }
        Assert.Equal(width * height * 3, rgb24.Length);
        lock (_observations)
        {
            _observations.Add(new Observation(camera, rgb24[0], detections, capturedAt));
        }
        During?.Invoke(this);
        var reading = new Reading(camera, "frames", ReadingValue.FromInt64(Observations.Count), null, ReadingQuality.Good, null, capturedAt, timestamp);
        return [new IngestRecord(reading, null)];
    }
}

internal sealed record Observation(string Camera, byte FirstByte, IReadOnlyList<ModelDetections> Detections, DateTimeOffset CapturedAt);

/// <summary>Detectors whose results, duration and faults the test decides, per model.</summary>
internal sealed class FakeDetectors : IDetectorFactory
{
    private int _created;
    private int _runs;

    /// <summary>Called for every run; returns the detections, may throw or block.</summary>
    public Func<string, ReadOnlySpan<byte>, Detection[]> Run { get; set; } = (_, _) => [new Detection(0, 0.9f, 1, 1, 2, 2)];

    public int Created => Volatile.Read(ref _created);

    public int Runs => Volatile.Read(ref _runs);

    public IReadOnlyList<string> Labels(string model) => ["person"];

    public IObjectDetector Create(string model)
    {
        Interlocked.Increment(ref _created);
        return new Detector(this, model);
    }

    private sealed class Detector(FakeDetectors owner, string model) : IObjectDetector
    {
        public DetectionModel Model => throw new NotSupportedException("a fake detector has no ONNX model");

        public ReadOnlySpan<Detection> Detect(ReadOnlySpan<byte> rgb24, int width, int height)
        {
            Interlocked.Increment(ref owner._runs);
            return owner.Run(model, rgb24);
        }

        public void Dispose()
        {
        }
    }
}
