using Gateway.Inference.Analytics;
using Gateway.Inference.Detectors;
using Gateway.Inference.Postprocessing;
using Gateway.Simulation.Video;
using Gateway.Tests.Inference.Detectors;
using Gateway.Tests.Support;
using Xunit.Abstractions;

namespace Gateway.Tests.Inference.Analytics;

/// <summary>
/// The analysis on the REAL person model (models/person) with scenes made from real photographs
/// (<see cref="StreetSceneVideo.RenderFrame"/>): Debian darknet's person.jpg cut out and pasted N times onto a
/// background, and scikit-image's coffee.png (darknet's photos hold no bottle, cup or bag; tools/setup.d/40-litter-photo.sh).
/// </summary>
public sealed class PersonModelSceneTests(ITestOutputHelper output)
{
    private const int W = 640, H = 480;

    /// <summary>Debian's person.jpg and the cup photo; a missing one fails with the file and "run tools/setup.sh".</summary>
    public static StreetScenePhotos RequirePhotos() => StreetScenePhotos.Locate(Repo.PathOf("."));

    [Fact]
    public void Counts_composited_persons_within_one_and_raises_one_gathering_pair_and_one_litter_pair_with_blurred_evidence()
    {
        using var model = DetectionModel.Load(PersonModelTests.RequirePersonModel());
        using var detector = model.CreateDetector();
        using var street = new StreetSceneVideo([new StreetSegment(1, 0, false)], RequirePhotos());
        var labels = model.Manifest.Labels;

        // One scene per count, each run through the model once.
        var scenes = new Dictionary<(int Persons, bool Cup), (byte[] Frame, Detection[] Detections)>();
        var errors = new List<int>();
        foreach (var n in new[] { 1, 2, 3, 4, 5 })
        {
            foreach (var withCup in new[] { true, false })
            {
                var frame = street.RenderFrame(n, withCup);
                var detections = detector.Detect(frame, W, H).ToArray();
                scenes[(n, withCup)] = (frame, detections);
                var persons = detections.Count(d => labels[d.ClassId] == "person");
                var cups = detections.Where(d => labels[d.ClassId] is "cup" or "bottle").ToArray();
                output.WriteLine($"{n} person(s){(withCup ? " + cup" : "")}: {persons} found; others: {string.Join(", ", detections.Where(d => labels[d.ClassId] != "person").Select(c => $"{labels[c.ClassId]} {c.Score:F2} [{c.X1:F0},{c.Y1:F0},{c.X2:F0},{c.Y2:F0}]"))}");
                Assert.InRange(persons, n - 1, n + 1);
                errors.Add(Math.Abs(persons - n));
                if (withCup)
                {
                    Assert.Contains(cups, c => c.IoU(new Detection(0, 1, StreetSceneVideo.LitterAt.Left, StreetSceneVideo.LitterAt.Top, StreetSceneVideo.LitterAt.Right, StreetSceneVideo.LitterAt.Bottom)) >= 0.3f);
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
}
