using Gateway.Inference.Analytics;
using Gateway.Inference.Postprocessing;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging;
using SkiaSharp;

namespace Gateway.Tests.Inference.Analytics;

/// <summary>Litter detected → cleared (SPEC sections 2, 3): tracking, minSeconds, clearSeconds, classes, restarts.</summary>
public sealed class LitterAnalysisTests
{
    private static readonly Detection Bottle = AnalyticsHarness.Box("bottle", 300, 380, 330, 440, 0.734f);

    private static List<string> Types(AnalyticsHarness h) => [.. h.Events.Select(e => e.Event.Type)];

    [Fact]
    public void An_object_that_stays_minSeconds_is_detected_once_with_its_evidence_and_cleared_once_its_spot_is_clean_for_clearSeconds()
    {
        using var dir = new TempDirectory();
        var h = new AnalyticsHarness(AnalyticsHarness.LitterCamera(minSeconds: 30, clearSeconds: 20), dir.Path);
        var start = h.Time.GetUtcNow();

        h.Hold([Bottle], 30);
        Assert.Empty(h.Events); // t 0-29: 29 s seen
        h.Step([Bottle with { X1 = 302 }]); // t 30; the box moved a little (detector jitter): the same object
        var (detected, detectedSeq) = Assert.Single(h.Events);
        Assert.Equal(("litter.detected", "cam-north", start.AddSeconds(30)), (detected.Type, detected.Source, detected.OccurredAt));
        Assert.Equal(["camera", "zone", "class", "score", "box", "firstSeenTs", "snapshot"], AnalyticsHarness.Keys(detected));
        var data = AnalyticsHarness.Data(detected);
        Assert.Equal(("cam-north", "kerb", "bottle", 0.73, "2026-11-29T08:00:00.000Z", true),
            (data.GetProperty("camera").GetString(), data.GetProperty("zone").GetString(), data.GetProperty("class").GetString(), data.GetProperty("score").GetDouble(), data.GetProperty("firstSeenTs").GetString(), data.GetProperty("snapshot").GetBoolean()));
        Assert.Equal([302, 380, 330, 440], data.GetProperty("box").EnumerateArray().Select(v => v.GetInt32()));
        AssertJpeg(detected.Snapshot);

        h.Hold([Bottle], 300); // it stays: never a second event
        Assert.Single(h.Events);

        h.Hold([], 19);
        Assert.Single(h.Events);
        h.Step([]); // 20 s after the last frame that saw it
        var (cleared, _) = h.Events.Last();
        Assert.Equal("litter.cleared", cleared.Type);
        Assert.Equal(["camera", "zone", "detectedSeq", "snapshot"], AnalyticsHarness.Keys(cleared));
        Assert.Equal(detectedSeq, AnalyticsHarness.Data(cleared).GetProperty("detectedSeq").GetInt64());
        AssertJpeg(cleared.Snapshot);
        h.Hold([], 100);
        Assert.Equal(["litter.detected", "litter.cleared"], Types(h));
        Assert.Empty(h.Analytics.Litter!.OpenItems);
    }

    [Fact]
    public void Only_litter_classes_with_their_centre_in_a_zone_count_and_the_defaults_are_the_coco_left_objects()
    {
        using var dir = new TempDirectory();
        var h = new AnalyticsHarness(AnalyticsHarness.LitterCamera(minSeconds: 5), dir.Path);
        Assert.Equal(["backpack", "bottle", "cup", "handbag", "suitcase"], h.Analytics.Litter!.Classes.Order());
        h.Hold(
        [
            AnalyticsHarness.Box("handbag", 50, 350, 110, 420),
            AnalyticsHarness.Box("dog", 200, 350, 260, 420), // not litter
            AnalyticsHarness.Box("bottle", 400, 250, 430, 340), // centre y 295: above the kerb zone though its bottom is in it
            AnalyticsHarness.Box("suitcase", 500, 290, 600, 400), // centre y 345: in
        ], 10);
        Assert.Equal(["handbag", "suitcase"], h.Events.Select(e => AnalyticsHarness.Data(e.Event).GetProperty("class").GetString()).Order());

        using var dir2 = new TempDirectory();
        var configured = new AnalyticsHarness(AnalyticsHarness.LitterCamera(classes: ["bottle"], minSeconds: 5), dir2.Path);
        configured.Hold([AnalyticsHarness.Box("cup", 50, 350, 80, 390), Bottle], 10);
        Assert.Equal(["bottle"], configured.Events.Select(e => AnalyticsHarness.Data(e.Event).GetProperty("class").GetString()));
    }

    [Fact]
    public void A_track_survives_a_few_missed_frames_but_not_more()
    {
        using var dir = new TempDirectory();
        var h = new AnalyticsHarness(AnalyticsHarness.LitterCamera(minSeconds: 30), dir.Path);
        h.Hold([Bottle], 10);
        h.Hold([], LitterAnalysis.MaxMissedFrames); // the detector missed it: still the same track
        h.Hold([Bottle], 15);
        Assert.Empty(h.Events);
        h.Step([Bottle]); // t 30 after it was first seen
        Assert.Equal("2026-11-29T08:00:00.000Z", AnalyticsHarness.Data(Assert.Single(h.Events).Event).GetProperty("firstSeenTs").GetString());

        using var dir2 = new TempDirectory();
        var lost = new AnalyticsHarness(AnalyticsHarness.LitterCamera(minSeconds: 30), dir2.Path);
        var other = AnalyticsHarness.Box("cup", 100, 400, 140, 450);
        lost.Hold([other], 10);
        lost.Hold([], LitterAnalysis.MaxMissedFrames + 1); // gone too long: forgotten
        lost.Hold([other], 30);
        Assert.Empty(lost.Events);
        lost.Step([other]); // 30 s after it came back
        Assert.Equal("2026-11-29T08:00:16.000Z", AnalyticsHarness.Data(Assert.Single(lost.Events).Event).GetProperty("firstSeenTs").GetString());
    }

    [Fact]
    public void Two_objects_side_by_side_are_two_items_and_one_seen_as_another_class_on_its_spot_is_still_the_same()
    {
        using var dir = new TempDirectory();
        var h = new AnalyticsHarness(AnalyticsHarness.LitterCamera(minSeconds: 5, clearSeconds: 10), dir.Path);
        var neighbour = Bottle with { X1 = 340, X2 = 370 };
        h.Hold([Bottle, neighbour], 6);
        Assert.Equal(["litter.detected", "litter.detected"], Types(h));

        var sameSpotAsCup = AnalyticsHarness.Box("cup", 301, 381, 331, 441);
        h.Hold([sameSpotAsCup, neighbour], 60);
        Assert.Equal(2, h.Events.Count());
    }

    [Fact]
    public void The_clearing_waits_for_the_detection_seq()
    {
        using var dir = new TempDirectory();
        var h = new AnalyticsHarness(AnalyticsHarness.LitterCamera(minSeconds: 5, clearSeconds: 10), dir.Path) { StoreAtOnce = false };
        h.Hold([Bottle], 6);
        h.Hold([], 30);
        Assert.Equal(["litter.detected"], Types(h));
        h.StoreHeldEvents();
        h.Step([]);
        Assert.Equal(["litter.detected", "litter.cleared"], Types(h));
        Assert.Equal(h.Events.First().Seq, AnalyticsHarness.Data(h.Events.Last().Event).GetProperty("detectedSeq").GetInt64());
    }

    [Fact]
    public void A_restart_with_the_object_still_there_raises_no_second_detection_and_still_clears_it_later()
    {
        using var dir = new TempDirectory();
        var h = new AnalyticsHarness(AnalyticsHarness.LitterCamera(minSeconds: 30, clearSeconds: 20), dir.Path);
        h.Hold([Bottle], 31);
        var (_, detectedSeq) = Assert.Single(h.Events);
        var state = File.ReadAllText(LitterStateFile.For(dir.Path, "cam-north"));
        Assert.Contains($"\"detectedSeq\": {detectedSeq}", state, StringComparison.Ordinal);

        h.Restart();
        h.Hold([Bottle], 200);
        Assert.Single(h.Events);
        h.Hold([], 20);
        Assert.Equal(["litter.detected", "litter.cleared"], Types(h));
        Assert.Equal(detectedSeq, AnalyticsHarness.Data(h.Events.Last().Event).GetProperty("detectedSeq").GetInt64());

        h.Restart(); // cleared items are gone from the state too
        h.Hold([], 100);
        Assert.Equal(2, h.Events.Count());
    }

    [Fact]
    public void A_restart_after_the_object_was_removed_still_clears_it()
    {
        using var dir = new TempDirectory();
        var h = new AnalyticsHarness(AnalyticsHarness.LitterCamera(minSeconds: 30, clearSeconds: 20), dir.Path);
        h.Hold([Bottle], 31);
        var (_, detectedSeq) = Assert.Single(h.Events);

        h.Time.Advance(TimeSpan.FromHours(2)); // the gateway was down; the bottle was picked up meanwhile
        h.Restart();
        h.Hold([], 20);
        Assert.Single(h.Events); // clearSeconds count from this run's first frame
        h.Step([]);
        var (cleared, _) = h.Events.Last();
        Assert.Equal("litter.cleared", cleared.Type);
        Assert.Equal(detectedSeq, AnalyticsHarness.Data(cleared).GetProperty("detectedSeq").GetInt64());
        AssertJpeg(cleared.Snapshot);
        Assert.Contains(h.Logger.Lines, l => l.Contains("1 open item(s) from the last run", StringComparison.Ordinal));
    }

    [Fact]
    public void A_restart_before_the_store_told_the_seq_still_clears_once_naming_no_seq()
    {
        using var dir = new TempDirectory();
        var h = new AnalyticsHarness(AnalyticsHarness.LitterCamera(minSeconds: 5, clearSeconds: 10), dir.Path) { StoreAtOnce = false };
        h.Hold([Bottle], 6);
        h.Restart(); // the detection's seq was never told to this process
        h.Hold([Bottle], 20);
        h.Hold([], 11);
        Assert.Equal(["litter.detected", "litter.cleared"], Types(h));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, AnalyticsHarness.Data(h.Events.Last().Event).GetProperty("detectedSeq").ValueKind);
    }

    [Fact]
    public void An_unreadable_state_file_is_kept_aside_and_the_camera_starts_clean()
    {
        using var dir = new TempDirectory();
        var path = LitterStateFile.For(dir.Path, "cam-north");
        File.WriteAllText(path, "{\"v\":1,\"items\":[{\"id\":"); // torn by hand: the atomic write never leaves this
        var h = new AnalyticsHarness(AnalyticsHarness.LitterCamera(minSeconds: 5), dir.Path);

        var aside = Assert.Single(Directory.GetFiles(dir.Path, "litter-cam-north.json.unreadable-*"));
        Assert.Equal("{\"v\":1,\"items\":[{\"id\":", File.ReadAllText(aside));
        Assert.Contains(h.Logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("unreadable", StringComparison.Ordinal) && e.Message.Contains(aside, StringComparison.Ordinal));
        h.Hold([Bottle], 6);
        Assert.Single(h.Events);
        Assert.Contains("\"class\": \"bottle\"", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void A_state_directory_that_cannot_be_written_is_said_once_and_the_analysis_goes_on()
    {
        using var dir = new TempDirectory();
        var blocked = Path.Combine(dir.Path, "not-a-directory");
        File.WriteAllText(blocked, "a file where the state directory should be");
        var h = new AnalyticsHarness(AnalyticsHarness.LitterCamera(minSeconds: 5, clearSeconds: 5), blocked);
        h.Hold([Bottle], 6);
        h.Hold([], 6);
        Assert.Equal(["litter.detected", "litter.cleared"], Types(h));
        Assert.Single(h.Logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("cannot be written", StringComparison.Ordinal));
    }

    [Fact]
    public void A_frame_shorter_than_its_size_is_refused_before_anything_is_counted_or_reported()
    {
        using var dir = new TempDirectory();
        var h = new AnalyticsHarness(AnalyticsHarness.LitterCamera(minSeconds: 5, clearSeconds: 5), dir.Path);
        h.Hold([Bottle], 5);
        var error = Assert.Throws<ArgumentException>(() => h.Analytics.Observe(new byte[100], AnalyticsHarness.Width, AnalyticsHarness.Height, [new ModelDetections(AnalyticsHarness.Model, AnalyticsHarness.Labels, [Bottle])], h.Time.GetUtcNow(), h.Time.GetTimestamp()));
        Assert.Contains("cam-north: an RGB24 frame of 640x480 needs 921600 bytes, got 100", error.Message, StringComparison.Ordinal);
        Assert.Empty(h.Analytics.Litter!.OpenItems);
        h.Step([Bottle]); // the next good frame reports it
        Assert.Equal(["litter.detected"], Types(h));
    }

    private static void AssertJpeg(ReadOnlyMemory<byte> snapshot)
    {
        Assert.False(snapshot.IsEmpty);
        using var decoded = SKBitmap.Decode(snapshot.ToArray());
        Assert.NotNull(decoded);
        Assert.Equal((AnalyticsHarness.Width, AnalyticsHarness.Height), (decoded.Width, decoded.Height));
    }
}
