using Gateway.Inference.Analytics;
using Gateway.Inference.Detectors;
using Gateway.Inference.Postprocessing;
using Gateway.Tests.Inference.Detectors;
using Gateway.Tests.Support;
using SkiaSharp;
using Xunit.Abstractions;

namespace Gateway.Tests.Inference.Analytics;

/// <summary>
/// The analysis on the REAL person model (models/person) with scenes made from real photographs:
/// Debian darknet's person.jpg cut out and pasted N times onto a background, and a cup cut from
/// scikit-image's coffee.png (darknet's photos hold no bottle, cup or bag; tools/setup.d/40-litter-photo.sh).
/// </summary>
public sealed class PersonModelSceneTests(ITestOutputHelper output)
{
    private const int W = 640, H = 480;

    /// <summary>The reference person of person.jpg (see <see cref="PersonModelTests.ReferencePerson"/>) with a margin of photo around it.</summary>
    private static readonly SKRectI PersonCut = new(184, 91, 283, 381);

    /// <summary>
    /// Where the whole of coffee.png (600×400) goes: on a ledge at the top right, clear of the persons.
    /// Tried first: the cup cut out alone (white rim without saucer and table) is a "toilet" (0.41–0.72)
    /// to this model, and the whole photo at 195×130 a "dining table" (0.35); at 260×173 it is a cup (~0.35).
    /// </summary>
    private static readonly SKRect CupAt = new(378, 2, 638, 175);

    public static string RequireCupPhoto()
    {
        var path = Repo.PathOf(".cache", "photos", "coffee.png");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing; run tools/setup.sh (setup.d/40-litter-photo.sh)");
        }
        return path;
    }

    [Fact]
    public void Counts_composited_persons_within_one_and_raises_one_gathering_pair_and_one_litter_pair_with_blurred_evidence()
    {
        using var model = DetectionModel.Load(PersonModelTests.RequirePersonModel());
        using var detector = model.CreateDetector();
        using var person = SKBitmap.Decode(PersonModelTests.PersonJpg);
        using var cup = SKBitmap.Decode(RequireCupPhoto());
        var labels = model.Manifest.Labels;

        // One scene per count, each run through the model once.
        var scenes = new Dictionary<(int Persons, bool Cup), (byte[] Frame, Detection[] Detections)>();
        var errors = new List<int>();
        foreach (var n in new[] { 1, 2, 3, 4, 5 })
        {
            foreach (var withCup in new[] { true, false })
            {
                var frame = Scene(person, n, withCup ? cup : null);
                var detections = detector.Detect(frame, W, H).ToArray();
                scenes[(n, withCup)] = (frame, detections);
                var persons = detections.Count(d => labels[d.ClassId] == "person");
                var cups = detections.Where(d => labels[d.ClassId] is "cup" or "bottle").ToArray();
                output.WriteLine($"{n} person(s){(withCup ? " + cup" : "")}: {persons} found; others: {string.Join(", ", detections.Where(d => labels[d.ClassId] != "person").Select(c => $"{labels[c.ClassId]} {c.Score:F2} [{c.X1:F0},{c.Y1:F0},{c.X2:F0},{c.Y2:F0}]"))}");
                Assert.InRange(persons, n - 1, n + 1);
                errors.Add(Math.Abs(persons - n));
                if (withCup)
                {
                    Assert.Contains(cups, c => c.IoU(new Detection(0, 1, CupAt.Left, CupAt.Top, CupAt.Right, CupAt.Bottom)) >= 0.3f);
                }
            }
        }
        output.WriteLine($"mean |count error| {errors.Average():F2} over {errors.Count} frames");
        Assert.True(errors.Average() <= 1);

        // The street over time, one frame a second: a crowd of 5 gathers and leaves; a cup is left, stays, is picked up.
        using var dir = new TempDirectory();
        var camera = new Gateway.Inference.CameraOptions
        {
            Id = "cam-south",
            Source = "rtsp://127.0.0.1:8554/south",
            Crowd = new Gateway.Inference.CrowdOptions
            {
                Model = "person", ReportSeconds = 10,
                Zones = [new Gateway.Inference.CrowdZoneOptions { Name = "square", Polygon = [[0, 0], [640, 0], [640, 480], [0, 480]], AlertPersons = 4, AlertSeconds = 10, ClearPersons = 2, ClearSeconds = 10 }],
            },
            Litter = new Gateway.Inference.LitterOptions
            {
                Model = "person", MinSeconds = 20, ClearSeconds = 10,
                Zones = [new Gateway.Inference.LitterZoneOptions { Name = "ledge", Polygon = [[360, 0], [640, 0], [640, 200], [360, 200]] }],
            },
        };
        var h = new AnalyticsHarness(camera, dir.Path);
        var timeline = new List<(int Persons, bool Cup, int Seconds)> { (1, false, 10), (5, true, 30), (2, true, 10), (1, false, 30) };
        var frames = 0;
        foreach (var (n, withCup, seconds) in timeline)
        {
            var (frame, detections) = scenes[(n, withCup)];
            for (var s = 0; s < seconds; s++, frames++)
            {
                var records = h.Analytics.Observe(frame, W, H, [new ModelDetections("person", labels, detections)], h.Time.GetUtcNow(), h.Time.GetTimestamp());
                foreach (var record in records)
                {
                    h.Records.Add((record, frames + 1000));
                    record.Event?.Stored?.Invoke(frames + 1000);
                    if (record.Event is { Snapshot.IsEmpty: false } e)
                    {
                        AssertPersonsBlurred(frame, detections.Where(d => labels[d.ClassId] == "person"), e.Snapshot.ToArray(), e.Type);
                    }
                }
                h.Time.Advance(TimeSpan.FromSeconds(1));
            }
        }
        var types = h.Events.Select(e => e.Event.Type).ToList();
        output.WriteLine(string.Join(", ", h.Events.Select(e => $"{e.Event.Type} {e.Event.DataJson}")));
        Assert.Equal(["crowd.gathering", "litter.detected", "crowd.dispersed", "litter.cleared"], types);
        Assert.Equal("cup", AnalyticsHarness.Data(h.Events.Single(e => e.Event.Type == "litter.detected").Event).GetProperty("class").GetString());
    }

    /// <summary>Every person box of the snapshot differs clearly from the source frame (blurred), the rest of the frame far from boxes does not.</summary>
    private void AssertPersonsBlurred(byte[] source, IEnumerable<Detection> persons, byte[] jpeg, string type)
    {
        using var decoded = SnapshotRendererTests.Decode(jpeg);
        foreach (var p in persons)
        {
            var difference = SnapshotRendererTests.MeanAbsoluteDifference(source, decoded, (int)p.X1 + 4, (int)p.Y1 + 4, (int)p.X2 - 4, (int)p.Y2 - 4);
            output.WriteLine($"{type}: person box [{p.X1:F0},{p.Y1:F0},{p.X2:F0},{p.Y2:F0}] mean |Δ| {difference:F1}");
            Assert.True(difference > 10, $"{type}: person box {p} mean |Δ| {difference:F1}: not blurred");
        }
        var far = SnapshotRendererTests.MeanAbsoluteDifference(source, decoded, 10, 10, 300, 140);
        Assert.True(far < 6, $"{type}: a corner far from persons changed by {far:F1}");
    }

    /// <summary>
    /// A 640×480 street: a smooth grey-blue background (a wall above, pavement below), the cut-out
    /// person <paramref name="n"/> times side by side, and the coffee photo at <see cref="CupAt"/> when given.
    /// </summary>
    private static byte[] Scene(SKBitmap person, int n, SKBitmap? cup)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(W, H, SKColorType.Rgb888x, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            using var wall = new SKPaint { Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(0, 300), [new SKColor(150, 160, 175), new SKColor(120, 125, 130)], SKShaderTileMode.Clamp) };
            canvas.DrawRect(new SKRect(0, 0, W, 300), wall);
            using var pavement = new SKPaint { Color = new SKColor(105, 100, 95) };
            canvas.DrawRect(new SKRect(0, 300, W, H), pavement);
            using var image = SKImage.FromBitmap(person);
            for (var i = 0; i < n; i++)
            {
                var x = 4 + (i * 84);
                canvas.DrawImage(image, new SKRect(PersonCut.Left, PersonCut.Top, PersonCut.Right, PersonCut.Bottom), new SKRect(x, 185, x + PersonCut.Width, 185 + PersonCut.Height), new SKSamplingOptions(SKFilterMode.Linear), null);
            }
            if (cup is not null)
            {
                using var cupImage = SKImage.FromBitmap(cup);
                canvas.DrawImage(cupImage, new SKRect(0, 0, cup.Width, cup.Height), CupAt, new SKSamplingOptions(SKFilterMode.Linear), null);
            }
        }
        var rgb = new byte[W * H * 3];
        for (var y = 0; y < H; y++)
        {
            for (var x = 0; x < W; x++)
            {
                var c = bitmap.GetPixel(x, y);
                var i = ((y * W) + x) * 3;
                (rgb[i], rgb[i + 1], rgb[i + 2]) = (c.Red, c.Green, c.Blue);
            }
        }
        return rgb;
    }
}
