using System.Diagnostics;
using Gateway.Simulation.Video;
using Gateway.Tests.Inference.Analytics;
using Gateway.Tests.Support;

namespace Gateway.Tests.Simulation.Video;

/// <summary>The synthetic street video: the timeline is the truth of every frame, the file is made once per timeline, a missing photo is one clear error.</summary>
public sealed class StreetSceneVideoTests
{
    private static readonly StreetSegment[] Timeline = [new(1.5, 0, false), new(1, 3, true), new(0.5, 7, false)];

    [Fact]
    public async Task Writes_one_frame_per_step_of_the_timeline_and_reuses_the_file_for_the_same_timeline()
    {
        using var dir = new TempDirectory("gw-street-video");
        using var street = new StreetSceneVideo(Timeline, PersonModelSceneTests.RequirePhotos(), fps: 4);
        Assert.Equal(12, street.FrameCount);
        Assert.Equal([0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 7, 7], Enumerable.Range(0, 12).Select(i => street.OfFrame(i).Persons));
        Assert.Equal(3, street.At(2.49).Persons);

        var path = await street.WriteAsync(dir.Path);
        Assert.Equal("12", await ProbeAsync(path, "stream=nb_read_frames", "-count_frames"));
        Assert.Equal("h264,640,480,4/1", await ProbeAsync(path, "stream=codec_name,width,height,r_frame_rate"));
        var written = File.GetLastWriteTimeUtc(path);

        using var again = new StreetSceneVideo(Timeline, PersonModelSceneTests.RequirePhotos(), fps: 4);
        Assert.Equal(path, await again.WriteAsync(dir.Path));
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
        using var other = new StreetSceneVideo([.. Timeline, new(1, 1, false)], PersonModelSceneTests.RequirePhotos(), fps: 4);
        Assert.NotEqual(path, await other.WriteAsync(dir.Path));
        Assert.Equal(2, Directory.GetFiles(dir.Path, "street-*.mp4").Length);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp*"));
    }

    [Fact]
    public void Draws_the_persons_where_it_says_and_the_cup_only_when_asked()
    {
        using var street = new StreetSceneVideo(Timeline, PersonModelSceneTests.RequirePhotos());
        var empty = street.RenderFrame(0, false);
        var three = street.RenderFrame(3, true);
        Assert.Equal(StreetSceneVideo.Width * StreetSceneVideo.Height * 3, three.Length);
        var boxes = StreetSceneVideo.PersonBoxes(3);
        Assert.Equal(3, boxes.Count);
        foreach (var b in boxes)
        {
            Assert.True(Difference(empty, three, b) > 10, $"nothing drawn at {b}");
        }
        var cup = SkiaSharp.SKRectI.Round(StreetSceneVideo.LitterAt);
        Assert.True(Difference(empty, three, cup) > 10, "no cup drawn");
        Assert.True(Difference(empty, street.RenderFrame(3, false), cup) < 1, "a cup drawn without litter");
    }

    [Fact]
    public void A_missing_photo_is_one_error_naming_the_file_and_setup()
    {
        using var dir = new TempDirectory("gw-no-photos");
        var saved = Environment.GetEnvironmentVariable("GATEWAY_CACHE");
        Environment.SetEnvironmentVariable("GATEWAY_CACHE", dir.Path);
        try
        {
            var e = Assert.Throws<FileNotFoundException>(() => StreetScenePhotos.Locate(dir.Path));
            Assert.Contains("coffee.png", e.Message, StringComparison.Ordinal);
            Assert.Contains("run tools/setup.sh", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("GATEWAY_CACHE", saved);
        }
        var torn = dir.File("torn.png");
        File.WriteAllBytes(torn, [0x89, 0x50, 0x4e, 0x47]);
        var bad = Assert.Throws<InvalidDataException>(() => new StreetSceneVideo(Timeline, new StreetScenePhotos(StreetScenePhotos.DarknetPersonJpg, torn)));
        Assert.Contains(torn, bad.Message, StringComparison.Ordinal);
    }

    /// <summary>Mean absolute difference per channel of two RGB24 frames inside <paramref name="r"/>.</summary>
    private static double Difference(byte[] a, byte[] b, SkiaSharp.SKRectI r)
    {
        double sum = 0;
        var n = 0;
        for (var y = r.Top; y < r.Bottom; y++)
        {
            for (var x = r.Left; x < r.Right; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var i = (((y * StreetSceneVideo.Width) + x) * 3) + c;
                    sum += Math.Abs(a[i] - b[i]);
                    n++;
                }
            }
        }
        return sum / n;
    }

    private static async Task<string> ProbeAsync(string path, string entries, string? extra = null)
    {
        var start = new ProcessStartInfo(ExternalTool.Require("ffprobe")) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-select_streams", "v:0", "-show_entries", entries, "-of", "csv=p=0" }.Concat(extra is null ? [] : [extra]).Append(path))
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return text.Trim();
    }
}
