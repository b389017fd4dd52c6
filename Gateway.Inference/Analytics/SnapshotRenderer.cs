using Gateway.Inference.Postprocessing;
using SkiaSharp;

namespace Gateway.Inference.Analytics;

/// <summary>
/// Privacy-safe pictures of a frame (SPEC sections 2 and 3): every person box is blurred in memory
/// before anything is drawn or encoded, so the image never exists unblurred outside this process;
/// boxes and zone outlines are drawn on top; the result is a baseline JPEG with no metadata
/// (SkiaSharp writes a JFIF header, no EXIF, no ICC profile when the image has no colour space).
/// </summary>
public static class SnapshotRenderer
{
    /// <summary>JPEG quality of evidence: a bottle's label stays legible at 640×480, ~40 KB a picture.</summary>
    public const int DefaultQuality = 80;

    /// <summary>The label that marks a detection as a person, whatever the model.</summary>
    public const string PersonLabel = "person";

    private static readonly SKColor ZoneColour = new(255, 214, 0);
    private static readonly SKColor EvidenceColour = new(255, 40, 40);
    private static readonly SKColor DetectionColour = new(0, 200, 255);

    /// <summary>
    /// The camera still of the technician's page: every detection of every model drawn (persons
    /// blurred, then outlined), and the zone polygons.
    /// </summary>
    /// <param name="zones">Each zone's polygon as [x, y] vertices in frame pixels (the <c>polygon</c> of the configuration).</param>
    public static byte[] RenderStill(ReadOnlySpan<byte> rgb24, int width, int height, IReadOnlyList<ModelDetections> detections, IEnumerable<IEnumerable<double[]>> zones, int quality = DefaultQuality)
    {
        ArgumentNullException.ThrowIfNull(detections);
        ArgumentNullException.ThrowIfNull(zones);
        var persons = Persons(detections);
        var boxes = detections.SelectMany(m => m.Detections).Select(d => (BoxF.Of(d), DetectionColour)).ToList();
        var outlines = zones.Select(z => z.Where(p => p.Length >= 2).Select(p => ((double)p[0], (double)p[1])).ToList()).ToList();
        return Render(rgb24, width, height, persons, boxes, outlines, quality);
    }

    /// <summary>The person boxes among <paramref name="detections"/>, of every model that has a <c>person</c> label.</summary>
    internal static List<BoxF> Persons(IReadOnlyList<ModelDetections> detections)
    {
        var persons = new List<BoxF>();
        foreach (var model in detections)
        {
            var person = IndexOf(model.Labels, PersonLabel);
            if (person < 0)
            {
                continue;
            }
            foreach (var d in model.Detections)
            {
                if (d.ClassId == person)
                {
                    persons.Add(BoxF.Of(d));
                }
            }
        }
        return persons;
    }

    /// <summary>An evidence picture: persons blurred, the evidence box(es) and zone outline(s) drawn.</summary>
    internal static byte[] Evidence(ReadOnlySpan<byte> rgb24, int width, int height, IReadOnlyList<BoxF> persons, IEnumerable<BoxF> evidence, IEnumerable<ZonePolygon> zones, int quality = DefaultQuality) =>
        Render(rgb24, width, height, persons, evidence.Select(b => (b, EvidenceColour)).ToList(), zones.Select(z => z.Vertices.ToList()).ToList(), quality);

    internal static int IndexOf(IReadOnlyList<string> labels, string label)
    {
        for (var i = 0; i < labels.Count; i++)
        {
            if (string.Equals(labels[i], label, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    private static byte[] Render(ReadOnlySpan<byte> rgb24, int width, int height, IReadOnlyList<BoxF> persons, IReadOnlyList<(BoxF Box, SKColor Colour)> boxes, IReadOnlyList<List<(double X, double Y)>> zones, int quality)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (rgb24.Length < width * height * 3)
        {
            throw new ArgumentException($"an RGB24 frame of {width}x{height} needs {width * height * 3} bytes, got {rgb24.Length}", nameof(rgb24));
        }
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgb888x, SKAlphaType.Opaque));
        Expand(rgb24, bitmap);
        using var canvas = new SKCanvas(bitmap);
        Blur(bitmap, canvas, persons);
        using var stroke = new SKPaint { Style = SKPaintStyle.Stroke, IsAntialias = true, StrokeWidth = Math.Max(2, width / 320f) };
        foreach (var zone in zones)
        {
            if (zone.Count < 2)
            {
                continue;
            }
            stroke.Color = ZoneColour;
            for (var i = 0; i < zone.Count; i++)
            {
                var (x1, y1) = zone[i];
                var (x2, y2) = zone[(i + 1) % zone.Count];
                canvas.DrawLine((float)x1, (float)y1, (float)x2, (float)y2, stroke);
            }
        }
        foreach (var (box, colour) in boxes)
        {
            stroke.Color = colour;
            canvas.DrawRect(SKRect.Create(box.X1, box.Y1, box.X2 - box.X1, box.Y2 - box.Y1), stroke);
        }
        canvas.Flush();
        using var image = SKImage.FromBitmap(bitmap);
        using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, Math.Clamp(quality, 1, 100));
        return jpeg.ToArray();
    }

    /// <summary>RGB24 → RGBX (Skia has no packed 3-byte format).</summary>
    private static void Expand(ReadOnlySpan<byte> rgb24, SKBitmap bitmap)
    {
        using var pixmap = bitmap.PeekPixels();
        var target = pixmap.GetPixelSpan<byte>();
        var rowBytes = pixmap.RowBytes;
        for (var y = 0; y < bitmap.Height; y++)
        {
            var source = rgb24.Slice(y * bitmap.Width * 3, bitmap.Width * 3);
            var row = target.Slice(y * rowBytes, bitmap.Width * 4);
            for (int x = 0, s = 0, t = 0; x < bitmap.Width; x++, s += 3, t += 4)
            {
                row[t] = source[s];
                row[t + 1] = source[s + 1];
                row[t + 2] = source[s + 2];
                row[t + 3] = 255;
            }
        }
    }

    /// <summary>
    /// A Gaussian blur clipped to each person box, sigma a quarter of the box's shorter side (at least
    /// 6 px): faces and clothing patterns become unrecognisable whatever the person's size in the frame.
    /// Every box blurs the untouched frame, so overlapping persons are blurred once each, not compounded.
    /// </summary>
    private static void Blur(SKBitmap bitmap, SKCanvas canvas, IReadOnlyList<BoxF> persons)
    {
        if (persons.Count == 0)
        {
            return;
        }
        using var source = SKImage.FromBitmap(bitmap);
        var frame = SKRect.Create(bitmap.Width, bitmap.Height);
        foreach (var person in persons)
        {
            var box = SKRect.Intersect(frame, new SKRect(MathF.Floor(person.X1), MathF.Floor(person.Y1), MathF.Ceiling(person.X2), MathF.Ceiling(person.Y2)));
            if (box.IsEmpty)
            {
                continue;
            }
            var sigma = Math.Max(6f, Math.Min(box.Width, box.Height) / 4f);
            using var blur = SKImageFilter.CreateBlur(sigma, sigma, SKShaderTileMode.Clamp);
            using var paint = new SKPaint { ImageFilter = blur };
            canvas.Save();
            canvas.ClipRect(box);
            canvas.DrawImage(source, 0, 0, SKSamplingOptions.Default, paint);
            canvas.Restore();
        }
    }
}
