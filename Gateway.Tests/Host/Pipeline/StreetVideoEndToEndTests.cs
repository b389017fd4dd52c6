using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Simulation.Video;
using Gateway.Tests.Inference.Analytics;
using Gateway.Tests.Support;
using Gateway.Tests.Sync.Mqtt.Peers;
using SkiaSharp;
using Xunit.Abstractions;

namespace Gateway.Tests.Host.Pipeline;

/// <summary>
/// Issue 12's acceptance through the built gateway (`run --config`) and independent peers: a
/// synthetic street video made from real photographs (<see cref="StreetSceneVideo"/>: darknet's
/// person.jpg N times, a cup that is left and picked up) played by a file camera through the REAL
/// person model; a mosquitto broker; paho as the city platform. Everything asserted is what paho
/// received on the city topics.
/// </summary>
public sealed class StreetVideoEndToEndTests(ITestOutputHelper output)
{
    private const string Node = "pole-street";
    private const int Fps = 2;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(150);

    /// <summary>
    /// A person walks by; a crowd of five gathers and someone leaves a cup on the ledge; three leave,
    /// the cup stays; the cup is picked up and one person stays. The thresholds below give one
    /// gathering in the second segment, its dispersal in the third or fourth, the cup detected in
    /// the second and cleared in the fourth, each well inside its segment.
    /// </summary>
    private static readonly StreetSegment[] Timeline =
    [
        new(6, 1, false),
        new(16, 5, true),
        new(10, 2, true),
        new(30, 1, false),
    ];

    private const double StartOfCrowd = 6, StartOfFewer = 22, StartOfCleanUp = 32, WatchUntil = 50;

    [Fact]
    public async Task A_street_video_through_the_real_model_gives_counts_within_one_one_gathering_pair_and_one_litter_pair_with_blurred_snapshots()
    {
        Gateway.Tests.Inference.Detectors.PersonModelTests.RequirePersonModel();
        using var street = new StreetSceneVideo(Timeline, PersonModelSceneTests.RequirePhotos(), Fps);
        var video = await street.WriteAsync(Repo.PathOf(".cache", "street-video"));
        using var dir = new TempDirectory("gw-e2e-street");
        await using var broker = MosquittoPeer.Create();
        await broker.StartAsync();
        using var paho = new PahoSubscriber(broker.Port, $"city/{Node}/#");
        await paho.WaitUntilReadyAsync();
        var config = dir.File("gateway.json");
        File.WriteAllText(config, $$"""
            { "node": { "id": "{{Node}}", "site": "test/street" },
              "storage": { "path": "data/buffer.db" },
              "mqtt": { "brokers": ["{{broker.Uri}}"], "telemetryBatchDelayMs": 100 },
              "models": [ { "id": "person", "manifest": "{{Repo.PathOf("models", "person", "manifest.json")}}" } ],
              "cameras": [ { "id": "cam-1", "source": "{{video}}", "fps": {{Fps}}, "width": 640, "height": 480, "stallSeconds": 20,
                  "crowd": { "model": "person", "reportSeconds": 0.4,
                             "zones": [ { "name": "street", "polygon": [[0,0],[640,0],[640,480],[0,480]],
                                          "alertPersons": 4, "alertSeconds": 3, "clearPersons": 2, "clearSeconds": 3 } ] },
                  "litter": { "model": "person", "classes": ["cup", "bottle"], "minSeconds": 3, "clearSeconds": 4,
                              "zones": [ { "name": "ledge", "polygon": [[360,0],[640,0],[640,180],[360,180]] } ] } } ] }
            """);
        using var gateway = GatewayProcess.Start(["run", "--config", config], dir.Path);
        // Until the video has played past the clean-up and some quiet after it: a second pair would show by then.
        var deadline = DateTime.UtcNow + Patience;
        while (!(Counts(paho.Messages) is { Count: > 0 } c && c[^1].At - c[0].At >= TimeSpan.FromSeconds(WatchUntil)))
        {
            var exited = await gateway.WaitForExitAsync(TimeSpan.FromMilliseconds(250));
            Assert.True(exited is null && DateTime.UtcNow < deadline,
                $"{(exited is null ? $"not seen within {Patience}" : $"the gateway exited ({exited})")}\n--- received ---\n{Describe(paho.Messages)}\n--- gateway ---\n{gateway.Output}");
        }
        gateway.SendSigterm();
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var messages = paho.Messages;
        output.WriteLine(Describe(messages));

        // Counts: the reading of a frame against the truth of that moment of the video.
        var counts = Counts(messages);
        var start = counts[0].At - TimeSpan.FromSeconds(1.0 / Fps); // the first reading closes the first interval: the second frame
        var errors = counts.Select(c => Math.Abs(c.Persons - street.At((c.At - start).TotalSeconds).Persons)).ToList();
        output.WriteLine($"{counts.Count} readings, mean |count error| {errors.Average():F2}, max {errors.Max()}");
        Assert.True(counts.Count >= WatchUntil * Fps / 2, $"only {counts.Count} readings in {WatchUntil} s of video at {Fps} frames/s");
        Assert.True(errors.Average() <= 1, $"mean |count error| {errors.Average():F2}");

        // One gathering pair, the dispersal naming the gathering.
        var events = Events(messages);
        var gathering = Assert.Single(events, e => Type(e) == "crowd.gathering");
        var dispersed = Assert.Single(events, e => Type(e) == "crowd.dispersed");
        Assert.Equal((long)gathering["seq"]!, (long)dispersed["data"]!["gatheringSeq"]!);
        Assert.InRange(VideoSeconds(gathering, start), StartOfCrowd, StartOfFewer);
        Assert.InRange(VideoSeconds(dispersed, start), StartOfFewer, WatchUntil);
        Assert.True(DateTimeOffset.Parse((string)gathering["data"]!["sinceTs"]!, CultureInfo.InvariantCulture) >= counts[0].At.AddSeconds(StartOfCrowd - 2), "sinceTs in the crowd's time");

        // One litter pair, each with exactly one JPEG under its own seq.
        var detected = Assert.Single(events, e => Type(e) == "litter.detected");
        var cleared = Assert.Single(events, e => Type(e) == "litter.cleared");
        Assert.Equal((long)detected["seq"]!, (long)cleared["data"]!["detectedSeq"]!);
        Assert.Equal("cup", (string?)detected["data"]!["class"]);
        Assert.InRange(VideoSeconds(detected, start), StartOfCrowd, StartOfFewer);
        Assert.InRange(VideoSeconds(cleared, start), StartOfCleanUp, WatchUntil);
        foreach (var e in new[] { detected, cleared })
        {
            Assert.True((bool)e["snapshot"]!, $"{Type(e)} says it has a snapshot");
            var jpeg = Assert.Single(messages, m => m.Topic == $"city/{Node}/snapshots/{(long)e["seq"]!}").Payload;
            var truth = street.At(VideoSeconds(e, start));
            AssertPersonsBlurred(street.RenderFrame(truth.Persons, truth.Litter), truth, jpeg, Type(e));
        }
        Assert.Equal(2, messages.Count(m => m.Topic.StartsWith($"city/{Node}/snapshots/", StringComparison.Ordinal)));
    }

    /// <summary>
    /// Inside every drawn person the snapshot has far less detail (mean luma gradient) than the frame
    /// the video showed then: blurred before it was encoded. The cup, when there, keeps its detail: the blur is the persons'.
    /// </summary>
    private void AssertPersonsBlurred(byte[] source, StreetSegment truth, byte[] jpeg, string type)
    {
        using var snapshot = SKBitmap.Decode(jpeg);
        Assert.True(snapshot is not null, $"{type}: the snapshot is not a JPEG SkiaSharp decodes");
        Assert.Equal((StreetSceneVideo.Width, StreetSceneVideo.Height), (snapshot.Width, snapshot.Height));
        var decoded = Rgb24(snapshot);
        Assert.True(truth.Persons > 0, $"{type}: the timeline puts nobody in that frame; the test needs a person to check");
        foreach (var box in StreetSceneVideo.PersonBoxes(truth.Persons))
        {
            // The middle of the drawn box: the detector's box is the person, the drawing has some photo around it.
            var inner = SKRectI.Inflate(box, -box.Width / 5, -box.Height / 8);
            var (before, after) = (Detail(source, inner), Detail(decoded, inner));
            output.WriteLine($"{type}: person {box} detail {before:F1} in the video's frame, {after:F1} in the snapshot");
            Assert.True(after < before * 0.4, $"{type}: person {box} detail {after:F1} against {before:F1}: not blurred");
        }
        if (truth.Litter)
        {
            var cup = SKRectI.Inflate(SKRectI.Round(StreetSceneVideo.LitterAt), -30, -30);
            var (before, after) = (Detail(source, cup), Detail(decoded, cup));
            output.WriteLine($"{type}: cup detail {before:F1} in the video's frame, {after:F1} in the snapshot");
            Assert.True(after > before * 0.6, $"{type}: the cup lost its detail ({after:F1} against {before:F1})");
        }
    }

    /// <summary>Mean absolute luma difference between neighbours (right and below) inside <paramref name="r"/>.</summary>
    private static double Detail(byte[] rgb, SKRectI r)
    {
        static double Luma(byte[] p, int x, int y)
        {
            var i = ((y * StreetSceneVideo.Width) + x) * 3;
            return (0.299 * p[i]) + (0.587 * p[i + 1]) + (0.114 * p[i + 2]);
        }
        double sum = 0;
        var n = 0;
        for (var y = r.Top; y < r.Bottom - 1; y++)
        {
            for (var x = r.Left; x < r.Right - 1; x++)
            {
                var l = Luma(rgb, x, y);
                sum += Math.Abs(Luma(rgb, x + 1, y) - l) + Math.Abs(Luma(rgb, x, y + 1) - l);
                n++;
            }
        }
        return sum / n;
    }

    private static byte[] Rgb24(SKBitmap bitmap)
    {
        var rgb = new byte[bitmap.Width * bitmap.Height * 3];
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                var i = ((y * bitmap.Width) + x) * 3;
                (rgb[i], rgb[i + 1], rgb[i + 2]) = (c.Red, c.Green, c.Blue);
            }
        }
        return rgb;
    }

    private static double VideoSeconds(JsonNode e, DateTimeOffset start) =>
        (DateTimeOffset.Parse((string)e["ts"]!, CultureInfo.InvariantCulture) - start).TotalSeconds;

    private static string Type(JsonNode e) => (string)e["type"]!;

    private static List<JsonNode> Events(IEnumerable<PahoSubscriber.Message> messages) =>
        [.. messages.Where(m => m.Topic == $"city/{Node}/events").Select(m => JsonNode.Parse(m.Payload)!)];

    /// <summary>The camera's zone readings in seq order (a redelivery counted once).</summary>
    private static List<(DateTimeOffset At, int Persons)> Counts(IEnumerable<PahoSubscriber.Message> messages) =>
        [.. messages.Where(m => m.Topic == $"city/{Node}/telemetry")
            .SelectMany(m => JsonNode.Parse(m.Payload)!["readings"]!.AsArray())
            .Where(r => (string?)r!["device"] == "cam-1" && (string?)r["point"] == "zone/street/persons")
            .DistinctBy(r => (long)r!["seq"]!)
            .OrderBy(r => (long)r!["seq"]!)
            .Select(r => (DateTimeOffset.Parse((string)r!["ts"]!, CultureInfo.InvariantCulture), (int)r["value"]!))];

    private static string Describe(IEnumerable<PahoSubscriber.Message> messages) =>
        string.Join('\n', messages.Where(m => !m.Topic.Contains("/snapshots/", StringComparison.Ordinal) && !m.Topic.EndsWith("/telemetry", StringComparison.Ordinal))
            .Select(m => $"{m.Topic} {Encoding.UTF8.GetString(m.Payload)}"));
}
