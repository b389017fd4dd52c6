using System.Text.Json;
using Gateway.Inference;
using Gateway.Inference.Analytics;
using Gateway.Inference.Postprocessing;
using Gateway.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Inference.Analytics;

/// <summary>
/// Drives one camera's analysis frame by frame on fake time, and plays the store: every event that
/// asks for its seq is given the next one (or held back, to test what waits for a seq).
/// </summary>
internal sealed class AnalyticsHarness
{
    public const int Width = 640;
    public const int Height = 480;
    public const string Model = "coco";

    public static readonly IReadOnlyList<string> Labels = ["person", "bottle", "cup", "handbag", "backpack", "suitcase", "dog"];

    private readonly List<(GatewayEvent Event, long Seq)> _unstored = [];
    private long _seq;

    public AnalyticsHarness(CameraOptions camera, string stateDirectory, FakeTimeProvider? time = null)
    {
        Camera = camera;
        StateDirectory = stateDirectory;
        Time = time ?? new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
        Logger = new CapturingLogger<AnalyticsHarness>();
        Analytics = Create();
    }

    public CameraOptions Camera { get; }

    public string StateDirectory { get; }

    public FakeTimeProvider Time { get; }

    public CapturingLogger<AnalyticsHarness> Logger { get; }

    public CameraAnalytics Analytics { get; private set; }

    public byte[] Frame { get; set; } = Frames.Noise(Width, Height, seed: 1);

    /// <summary>When false, events wait for their seq until <see cref="StoreHeldEvents"/>.</summary>
    public bool StoreAtOnce { get; set; } = true;

    /// <summary>Everything observed so far, in order, with the seq the "store" gave it.</summary>
    public List<(IngestRecord Record, long Seq)> Records { get; } = [];

    public IEnumerable<(GatewayEvent Event, long Seq)> Events => Records.Where(r => r.Record.Event is not null).Select(r => (r.Record.Event!, r.Seq));

    public static CameraOptions CrowdCamera(int alertPersons = 5, double alertSeconds = 10, int clearPersons = 2, double clearSeconds = 10, double reportSeconds = 10) => new()
    {
        Id = "cam-north",
        Source = "rtsp://127.0.0.1:8554/north",
        Crowd = new CrowdOptions
        {
            Model = Model,
            ReportSeconds = reportSeconds,
            Zones =
            [
                new CrowdZoneOptions
                {
                    Name = "plaza", Polygon = [[0, 0], [640, 0], [640, 480], [0, 480]],
                    AlertPersons = alertPersons, AlertSeconds = alertSeconds, ClearPersons = clearPersons, ClearSeconds = clearSeconds,
                },
            ],
        },
    };

    public static CameraOptions LitterCamera(IList<string>? classes = null, double minSeconds = 30, double clearSeconds = 20) => new()
    {
        Id = "cam-north",
        Source = "rtsp://127.0.0.1:8554/north",
        Litter = new LitterOptions
        {
            Model = Model,
            Classes = classes ?? [],
            MinSeconds = minSeconds,
            ClearSeconds = clearSeconds,
            Zones = [new LitterZoneOptions { Name = "kerb", Polygon = [[0, 300], [640, 300], [640, 480], [0, 480]] }],
        },
    };

    public static Detection Box(string label, float x1, float y1, float x2, float y2, float score = 0.8f) =>
        new(Labels.ToList().IndexOf(label) is var id and >= 0 ? id : throw new ArgumentException(label), score, x1, y1, x2, y2);

    /// <summary>A person standing with its feet at (<paramref name="x"/>, <paramref name="feetY"/>).</summary>
    public static Detection Person(float x, float feetY) => Box("person", x - 15, feetY - 90, x + 15, feetY);

    /// <summary>A new analysis of the same camera and state directory on the same clock: a gateway restart.</summary>
    public void Restart()
    {
        _unstored.Clear();
        Analytics = Create();
    }

    /// <summary>One frame with these detections, then the clock moves on by <paramref name="seconds"/>.</summary>
    public IReadOnlyList<IngestRecord> Step(IReadOnlyList<Detection> detections, double seconds = 1)
    {
        var output = Analytics.Observe(Frame, Width, Height, [new ModelDetections(Model, Labels, detections)], Time.GetUtcNow(), Time.GetTimestamp());
        foreach (var record in output)
        {
            var seq = ++_seq;
            Records.Add((record, seq));
            if (record.Event?.Stored is { } stored)
            {
                if (StoreAtOnce)
                {
                    stored(seq);
                }
                else
                {
                    _unstored.Add((record.Event, seq));
                }
            }
        }
        Time.Advance(TimeSpan.FromSeconds(seconds));
        return output;
    }

    /// <summary>Frames with the same detections for <paramref name="seconds"/> (one a second).</summary>
    public List<IngestRecord> Hold(IReadOnlyList<Detection> detections, int seconds)
    {
        var output = new List<IngestRecord>();
        for (var i = 0; i < seconds; i++)
        {
            output.AddRange(Step(detections));
        }
        return output;
    }

    public void StoreHeldEvents()
    {
        foreach (var (e, seq) in _unstored)
        {
            e.Stored!(seq);
        }
        _unstored.Clear();
    }

    public static JsonElement Data(GatewayEvent e) => JsonDocument.Parse(e.DataJson).RootElement.Clone();

    public static string[] Keys(GatewayEvent e) => [.. Data(e).EnumerateObject().Select(p => p.Name)];

    private CameraAnalytics Create()
    {
        var state = Camera.Litter is null ? null : new LitterStateFile(LitterStateFile.For(StateDirectory, Camera.Id), Time, Logger);
        var crowd = Camera.Crowd is null ? null : new CrowdStateFile(CrowdStateFile.For(StateDirectory, Camera.Id), Time, Logger);
        return new CameraAnalytics(Camera, state, crowd, Time, Logger);
    }
}

/// <summary>Synthetic RGB24 frames with known content.</summary>
internal static class Frames
{
    /// <summary>Independent random bytes: any blur changes them a lot.</summary>
    public static byte[] Noise(int width, int height, int seed)
    {
        var frame = new byte[width * height * 3];
        new Random(seed).NextBytes(frame);
        return frame;
    }

    /// <summary>A smooth colour gradient (JPEG keeps it within a few levels) with a noise texture inside <paramref name="textured"/>.</summary>
    public static byte[] GradientWithTexture(int width, int height, IEnumerable<(int X1, int Y1, int X2, int Y2)> textured)
    {
        var frame = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = ((y * width) + x) * 3;
                frame[i] = (byte)(40 + (x * 160 / width));
                frame[i + 1] = (byte)(60 + (y * 140 / height));
                frame[i + 2] = 120;
            }
        }
        var random = new Random(7);
        foreach (var (x1, y1, x2, y2) in textured)
        {
            for (var y = y1; y < y2; y++)
            {
                for (var x = x1; x < x2; x++)
                {
                    var i = ((y * width) + x) * 3;
                    // 4-pixel checks of random colours: a pattern a person's clothing could have, sharp enough that blur removes it
                    var v = ((x / 4) + (y / 4)) % 2 == 0 ? (byte)random.Next(0, 60) : (byte)random.Next(196, 256);
                    frame[i] = frame[i + 1] = frame[i + 2] = v;
                }
            }
        }
        return frame;
    }
}
