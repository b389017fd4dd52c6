using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SkiaSharp;

namespace Gateway.Simulation.Video;

/// <summary>
/// A synthetic street camera made from real photographs, for the end-to-end test and the demo: a
/// wall over a pavement, 0…<see cref="MaxPersons"/> persons cut from darknet's person.jpg standing
/// side by side, and a cup (the whole coffee.png) on a ledge at the top right, following a scripted
/// <see cref="Timeline"/>. The timeline is data, so a test knows the truth of every frame. The
/// frames are rendered with SkiaSharp and piped raw into ffmpeg (libx264, mp4, a key frame a second).
/// </summary>
public sealed class StreetSceneVideo : IDisposable
{
    public const int Width = 640;
    public const int Height = 480;

    /// <summary>Side by side at <see cref="PersonStep"/> px, the last one still inside the frame.</summary>
    public const int MaxPersons = 7;

    /// <summary>Changes whenever what a given timeline renders changes, so cached files of an older renderer are not reused.</summary>
    private const string RendererVersion = "street-1";

    private const int PersonLeft = 4;
    private const int PersonStep = 84;
    private const int PersonTop = 185;

    /// <summary>The reference person of person.jpg (the one the person model finds with IoU ≥ 0.7) with a margin of photo around it.</summary>
    private static readonly SKRectI PersonCut = new(184, 91, 283, 381);

    /// <summary>
    /// Where the whole coffee.png (600×400) goes: on the ledge, clear of the persons. The cup cut out
    /// alone is a "toilet" to the person model, the photo at 195×130 a "dining table"; at 260×173 it is a cup.
    /// </summary>
    public static readonly SKRect LitterAt = new(378, 2, 638, 175);

    private readonly SKBitmap _person;
    private readonly SKBitmap _litter;
    private readonly Dictionary<(int Persons, bool Litter), byte[]> _frames = [];

    public StreetSceneVideo(IReadOnlyList<StreetSegment> timeline, StreetScenePhotos photos, int fps = 2)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(photos);
        if (timeline.Count == 0)
        {
            throw new ArgumentException("a street video needs at least one segment", nameof(timeline));
        }
        foreach (var s in timeline)
        {
            if (!(s.Seconds > 0) || s.Persons < 0 || s.Persons > MaxPersons)
            {
                throw new ArgumentException($"segment {s}: seconds must be > 0 and persons 0…{MaxPersons}", nameof(timeline));
            }
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(fps, 1);
        Timeline = timeline;
        Fps = fps;
        Photos = photos;
        _person = Decode(photos.PersonJpg);
        _litter = Decode(photos.LitterPng);
    }

    public IReadOnlyList<StreetSegment> Timeline { get; }

    public int Fps { get; }

    public StreetScenePhotos Photos { get; }

    public double DurationSeconds => Timeline.Sum(s => s.Seconds);

    public int FrameCount => (int)Math.Round(DurationSeconds * Fps);

    /// <summary>What is in the picture at <paramref name="seconds"/> from the start (the last segment after the end).</summary>
    public StreetSegment At(double seconds)
    {
        var end = 0.0;
        foreach (var s in Timeline)
        {
            end += s.Seconds;
            if (seconds < end)
            {
                return s;
            }
        }
        return Timeline[^1];
    }

    /// <summary>The truth of frame <paramref name="index"/> (shown from <c>index / Fps</c> seconds).</summary>
    public StreetSegment OfFrame(int index) => At((double)index / Fps);

    /// <summary>Where the <paramref name="persons"/> persons are drawn, in frame pixels.</summary>
    public static IReadOnlyList<SKRectI> PersonBoxes(int persons) =>
        [.. Enumerable.Range(0, persons).Select(i => SKRectI.Create(PersonLeft + (i * PersonStep), PersonTop, PersonCut.Width, PersonCut.Height))];

    /// <summary>The frame with <paramref name="persons"/> persons and the litter or not, as packed RGB24 rows (the same array for the same arguments: do not change it).</summary>
    public byte[] RenderFrame(int persons, bool litter)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(persons);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(persons, MaxPersons);
        if (_frames.TryGetValue((persons, litter), out var cached))
        {
            return cached;
        }
        using var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgb888x, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            using var wall = new SKPaint { Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(0, 300), [new SKColor(150, 160, 175), new SKColor(120, 125, 130)], SKShaderTileMode.Clamp) };
            canvas.DrawRect(new SKRect(0, 0, Width, 300), wall);
            using var pavement = new SKPaint { Color = new SKColor(105, 100, 95) };
            canvas.DrawRect(new SKRect(0, 300, Width, Height), pavement);
            using var person = SKImage.FromBitmap(_person);
            foreach (var box in PersonBoxes(persons))
            {
                canvas.DrawImage(person, new SKRect(PersonCut.Left, PersonCut.Top, PersonCut.Right, PersonCut.Bottom), box, new SKSamplingOptions(SKFilterMode.Linear), null);
            }
            if (litter)
            {
                using var cup = SKImage.FromBitmap(_litter);
                canvas.DrawImage(cup, new SKRect(0, 0, _litter.Width, _litter.Height), LitterAt, new SKSamplingOptions(SKFilterMode.Linear), null);
            }
        }
        // Rgb888x rows are R, G, B, unused: packed RGB24 drops every fourth byte.
        var rgbx = bitmap.GetPixelSpan();
        var rgb = new byte[Width * Height * 3];
        for (var y = 0; y < Height; y++)
        {
            var row = rgbx.Slice(y * bitmap.RowBytes, Width * 4);
            for (var x = 0; x < Width; x++)
            {
                var o = ((y * Width) + x) * 3;
                rgb[o] = row[x * 4];
                rgb[o + 1] = row[(x * 4) + 1];
                rgb[o + 2] = row[(x * 4) + 2];
            }
        }
        _frames[(persons, litter)] = rgb;
        return rgb;
    }

    /// <summary>
    /// The video in <paramref name="directory"/> as <c>street-{hash}.mp4</c>, the hash over the timeline,
    /// the rate, the renderer and both photos: made once (written to a temporary file, then renamed), reused after.
    /// </summary>
    public async Task<string> WriteAsync(string directory, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"street-{Hash()}.mp4");
        if (File.Exists(path))
        {
            return path;
        }
        var ffmpeg = DebianTool.Find("ffmpeg") ?? throw new InvalidOperationException("ffmpeg is not installed; run tools/setup.sh");
        var temporary = path + ".tmp.mp4";
        var fps = Fps.ToString(CultureInfo.InvariantCulture);
        string[] args =
        [
            "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{Width}x{Height}", "-r", fps, "-i", "pipe:0",
            // A key frame a second with its parameter sets, so a looping or joining reader decodes at once.
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-g", fps, "-x264-params", "repeat-headers=1",
            "-pix_fmt", "yuv420p", "-movflags", "+faststart", temporary,
        ];
        using var process = Process.Start(new ProcessStartInfo(ffmpeg, args) { RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false })
            ?? throw new InvalidOperationException("ffmpeg did not start");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            var stdin = process.StandardInput.BaseStream;
            for (var i = 0; i < FrameCount; i++)
            {
                var truth = OfFrame(i);
                await stdin.WriteAsync(RenderFrame(truth.Persons, truth.Litter), cancellationToken).ConfigureAwait(false);
            }
            stdin.Close();
        }
        catch (IOException e)
        {
            // ffmpeg closed its input: its own message says why.
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException($"ffmpeg could not make {path}: {await stderr.ConfigureAwait(false)} ({e.Message})", e);
        }
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            File.Delete(temporary);
            throw new InvalidOperationException($"ffmpeg could not make {path} (exit {process.ExitCode}): {await stderr.ConfigureAwait(false)}");
        }
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    public void Dispose()
    {
        _person.Dispose();
        _litter.Dispose();
    }

    private string Hash()
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{RendererVersion}|{Width}x{Height}|{Fps}");
        foreach (var s in Timeline)
        {
            text.Append(CultureInfo.InvariantCulture, $"|{s.Seconds:R},{s.Persons},{s.Litter}");
        }
        text.Append('|').Append(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Photos.PersonJpg))));
        text.Append('|').Append(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Photos.LitterPng))));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private static SKBitmap Decode(string path) =>
        SKBitmap.Decode(path) ?? throw new InvalidDataException($"{path} is not an image SkiaSharp can decode; run tools/setup.sh to restore it");
}
