using Gateway.Inference.Analytics;
using Gateway.Inference.Postprocessing;
using SkiaSharp;

namespace Gateway.Tests.Inference.Analytics;

/// <summary>Privacy of evidence pictures (SPEC sections 2, 3): persons blurred before encoding, nothing but the image in the JPEG.</summary>
public sealed class SnapshotRendererTests
{
    private const int W = 640, H = 480;

    private static readonly (int X1, int Y1, int X2, int Y2)[] PersonBoxes = [(40, 60, 120, 300), (300, 200, 360, 420), (330, 180, 400, 400)];

    private static readonly string[] Labels = ["person", "bottle"];

    [Fact]
    public void Every_person_box_is_blurred_and_pixels_far_from_persons_stay_as_they_were()
    {
        var source = Frames.GradientWithTexture(W, H, PersonBoxes);
        var detections = new ModelDetections("m", Labels, [.. PersonBoxes.Select(b => new Detection(0, 0.9f, b.X1, b.Y1, b.X2, b.Y2))]);

        var jpeg = SnapshotRenderer.RenderStill(source, W, H, [detections], []);

        var decoded = Decode(jpeg);
        foreach (var box in PersonBoxes)
        {
            // Inside the box (2 px in from its outline, which is drawn): the 4-px checks of 0-60 / 196-255 are gone.
            var difference = MeanAbsoluteDifference(source, decoded, box.X1 + 3, box.Y1 + 3, box.X2 - 3, box.Y2 - 3);
            Assert.True(difference > 40, $"person box {box}: mean |Δ| {difference:F1} against the source (not blurred?)");
            Assert.True(Contrast(decoded, box.X1 + 3, box.Y1 + 3, box.X2 - 3, box.Y2 - 3) < 30, $"person box {box}: the check pattern is still visible");
        }
        // Far from every person (and from the outlines): the gradient, within JPEG's error.
        Assert.True(MeanAbsoluteDifference(source, decoded, 450, 20, 620, 160) < 3);
        Assert.True(MeanAbsoluteDifference(source, decoded, 150, 350, 280, 470) < 3);
    }

    [Fact]
    public void The_jpeg_holds_the_image_and_nothing_else()
    {
        var source = Frames.GradientWithTexture(W, H, PersonBoxes);
        var jpeg = SnapshotRenderer.RenderStill(source, W, H, [new ModelDetections("m", Labels, [new Detection(1, 0.5f, 10, 10, 50, 50)])], [[[0, 300], [640, 300], [640, 480], [0, 480]]]);

        var markers = JpegMarkers(jpeg);
        Assert.Equal(0xD8, markers[0]); // SOI
        Assert.Equal(0xD9, markers[^1]); // EOI, and nothing after it (JpegMarkers checks)
        // Only JFIF's APP0 (no EXIF APP1, no ICC APP2, no other application data), no comment.
        Assert.DoesNotContain(markers, m => m is >= 0xE1 and <= 0xEF or 0xFE);
        Assert.Contains(0xDA, markers); // the scan
        Assert.NotNull(Decode(jpeg));
    }

    [Fact]
    public void The_still_shows_detections_and_zones()
    {
        var source = new byte[W * H * 3]; // black
        var jpeg = SnapshotRenderer.RenderStill(source, W, H, [new ModelDetections("m", Labels, [new Detection(1, 0.5f, 100, 100, 200, 200)])], [[[0, 300], [640, 300], [640, 480], [0, 480]]]);
        var decoded = Decode(jpeg);
        Assert.True(Pixel(decoded, 150, 100).Blue > 150, "the detection's outline"); // cyan
        Assert.True(Pixel(decoded, 320, 300) is { Red: > 150, Green: > 150 }, "the zone's outline"); // yellow
        Assert.True(Pixel(decoded, 150, 150).Red < 30, "inside the box stays black");
    }

    [Fact]
    public void A_frame_shorter_than_its_size_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => SnapshotRenderer.RenderStill(new byte[100], W, H, [], []));
        Assert.Contains("640x480 needs 921600 bytes, got 100", error.Message, StringComparison.Ordinal);
    }

    internal static SKBitmap Decode(byte[] jpeg) => SKBitmap.Decode(jpeg) ?? throw new InvalidOperationException("not a decodable image");

    internal static double MeanAbsoluteDifference(byte[] rgb24, SKBitmap decoded, int x1, int y1, int x2, int y2)
    {
        double sum = 0;
        var n = 0;
        for (var y = y1; y < y2; y++)
        {
            for (var x = x1; x < x2; x++)
            {
                var i = ((y * decoded.Width) + x) * 3;
                var p = decoded.GetPixel(x, y);
                sum += Math.Abs(rgb24[i] - p.Red) + Math.Abs(rgb24[i + 1] - p.Green) + Math.Abs(rgb24[i + 2] - p.Blue);
                n += 3;
            }
        }
        return sum / n;
    }

    private static SKColor Pixel(SKBitmap bitmap, int x, int y) => bitmap.GetPixel(x, y);

    /// <summary>Standard deviation of the red channel: high for a sharp pattern, low once blurred.</summary>
    private static double Contrast(SKBitmap decoded, int x1, int y1, int x2, int y2)
    {
        var values = new List<double>();
        for (var y = y1; y < y2; y++)
        {
            for (var x = x1; x < x2; x++)
            {
                values.Add(decoded.GetPixel(x, y).Red);
            }
        }
        var mean = values.Average();
        return Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
    }

    /// <summary>The marker codes of a JPEG in order, SOI to EOI (entropy-coded data skipped); throws on anything after EOI.</summary>
    internal static List<int> JpegMarkers(byte[] jpeg)
    {
        var markers = new List<int>();
        Assert.True(jpeg[0] == 0xFF && jpeg[1] == 0xD8, "no SOI");
        markers.Add(0xD8);
        var i = 2;
        while (i < jpeg.Length)
        {
            Assert.Equal(0xFF, jpeg[i]);
            var marker = jpeg[i + 1];
            markers.Add(marker);
            if (marker == 0xD9)
            {
                Assert.Equal(jpeg.Length, i + 2); // nothing hidden after the image
                return markers;
            }
            var length = (jpeg[i + 2] << 8) | jpeg[i + 3];
            i += 2 + length;
            if (marker == 0xDA)
            {
                // entropy-coded data: up to the next marker that is not a stuffed 0xFF00 or a restart marker
                while (!(jpeg[i] == 0xFF && jpeg[i + 1] != 0x00 && jpeg[i + 1] is not (>= 0xD0 and <= 0xD7)))
                {
                    i++;
                }
            }
        }
        throw new InvalidOperationException("no EOI");
    }
}
