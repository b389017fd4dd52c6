using Gateway.Inference.Models;
using Gateway.Inference.Preprocessing;

namespace Gateway.Tests.Inference.Preprocessing;

public sealed class FramePreprocessorTests
{
    private static byte[] Frame(int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel)
    {
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var (r, g, b) = pixel(x, y);
                var i = ((y * width) + x) * 3;
                (rgb[i], rgb[i + 1], rgb[i + 2]) = (r, g, b);
            }
        }
        return rgb;
    }

    [Fact]
    public void Same_size_stretch_is_an_exact_copy_in_both_layouts_and_scales()
    {
        var rgb = Frame(5, 4, (x, y) => ((byte)(x * 40), (byte)(y * 60), (byte)(200 - x - y)));
        var nhwc = new float[5 * 4 * 3];
        new FramePreprocessor(5, 4, TensorLayout.Nhwc, PixelScale.ZeroTo255, ResizeMode.Stretch).Prepare(rgb, 5, 4, nhwc);
        Assert.Equal(rgb.Select(b => (float)b), nhwc);

        var nchw = new float[5 * 4 * 3];
        new FramePreprocessor(5, 4, TensorLayout.Nchw, PixelScale.ZeroToOne, ResizeMode.Stretch).Prepare(rgb, 5, 4, nchw);
        for (var y = 0; y < 4; y++)
        {
            for (var x = 0; x < 5; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    Assert.Equal(rgb[(((y * 5) + x) * 3) + c] / 255f, nchw[(c * 20) + (y * 5) + x], 1e-6f);
                }
            }
        }
    }

    [Fact]
    public void Bilinear_downscale_by_two_averages_pixel_pairs()
    {
        // Pixel centres aligned: output x samples source x = 2x + 0.5, the mean of columns 2x and 2x+1.
        var rgb = Frame(4, 2, (x, y) => ((byte)(x * 10), (byte)(y * 100), 0));
        var tensor = new float[2 * 1 * 3];
        new FramePreprocessor(2, 1, TensorLayout.Nhwc, PixelScale.ZeroTo255, ResizeMode.Stretch).Prepare(rgb, 4, 2, tensor);
        Assert.Equal([5f, 50f, 0f, 25f, 50f, 0f], tensor);
    }

    [Fact]
    public void Letterbox_pads_grey_and_centres_the_frame()
    {
        // 8x4 white frame into 8x8: scale 1, content rows 2..5, grey above and below.
        var rgb = Frame(8, 4, (_, _) => (255, 255, 255));
        var tensor = new float[8 * 8 * 3];
        var t = new FramePreprocessor(8, 8, TensorLayout.Nchw, PixelScale.ZeroToOne, ResizeMode.Letterbox).Prepare(rgb, 8, 4, tensor);
        Assert.Equal(new FrameTransform(1, 1, 0, 2, 8, 4), t);
        for (var y = 0; y < 8; y++)
        {
            var expected = y is >= 2 and < 6 ? 1f : 114f / 255f;
            Assert.All(tensor.Skip(y * 8).Take(8), v => Assert.Equal(expected, v, 1e-6f));
            Assert.All(tensor.Skip(128 + (y * 8)).Take(8), v => Assert.Equal(expected, v, 1e-6f)); // blue plane
        }
    }

    [Theory]
    [InlineData(1920, 1080, 640, 640, ResizeMode.Letterbox)]
    [InlineData(640, 424, 512, 512, ResizeMode.Stretch)]
    [InlineData(300, 500, 320, 320, ResizeMode.Letterbox)]
    [InlineData(1280, 720, 320, 320, ResizeMode.Letterbox)]
    public void Known_boxes_land_within_one_pixel_after_letterbox_and_back(int frameW, int frameH, int inputW, int inputH, ResizeMode resize)
    {
        // A white rectangle on black: find it in the model input, map its extent back to the frame.
        var (x1, y1, x2, y2) = (frameW * 3 / 10, frameH * 2 / 10, frameW * 7 / 10, frameH * 9 / 10);
        var rgb = Frame(frameW, frameH, (x, y) => x >= x1 && x < x2 && y >= y1 && y < y2 ? ((byte)255, (byte)255, (byte)255) : ((byte)0, (byte)0, (byte)0));
        var tensor = new float[inputW * inputH * 3];
        var preprocessor = new FramePreprocessor(inputW, inputH, TensorLayout.Nchw, PixelScale.ZeroToOne, resize);
        var t = preprocessor.Prepare(rgb, frameW, frameH, tensor);

        // The rectangle's edges in the input: where the red plane crosses half intensity.
        float Edge(Func<int, float> profile, int length, bool rising)
        {
            for (var i = 1; i < length; i++)
            {
                var (a, b) = (profile(i - 1), profile(i));
                if (rising ? a < 0.5f && b >= 0.5f : a >= 0.5f && b < 0.5f)
                {
                    return i - 1 + ((a - 0.5f) / (a - b)) + 0.5f; // pixel centres are at i + 0.5
                }
            }
            throw new InvalidOperationException("edge not found");
        }
        var midRow = (int)t.ToInputY((y1 + y2) / 2f);
        var midCol = (int)t.ToInputX((x1 + x2) / 2f);
        float Row(int x) => tensor[(midRow * inputW) + x];
        float Col(int y) => tensor[(y * inputW) + midCol];
        var box = (X1: t.ToFrameX(Edge(Row, inputW, true)), Y1: t.ToFrameY(Edge(Col, inputH, true)), X2: t.ToFrameX(Edge(Row, inputW, false)), Y2: t.ToFrameY(Edge(Col, inputH, false)));
        Assert.InRange(box.X1, x1 - 1, x1 + 1);
        Assert.InRange(box.Y1, y1 - 1, y1 + 1);
        Assert.InRange(box.X2, x2 - 1, x2 + 1);
        Assert.InRange(box.Y2, y2 - 1, y2 + 1);
    }

    [Fact]
    public void Transform_round_trips_and_clamps_to_the_frame()
    {
        var t = new FrameTransform(0.5f, 0.5f, 0, 140, 1280, 720);
        Assert.Equal(300f, t.ToFrameX(t.ToInputX(300)), 3);
        Assert.Equal(700f, t.ToFrameY(t.ToInputY(700)), 3);
        Assert.Equal(0f, t.ToFrameY(10));
        Assert.Equal(720f, t.ToFrameY(639));
    }

    [Fact]
    public void Frames_of_an_unchanged_size_allocate_nothing()
    {
        var rgb = Frame(64, 48, (x, y) => ((byte)x, (byte)y, 7));
        var tensor = new float[32 * 32 * 3];
        var preprocessor = new FramePreprocessor(32, 32, TensorLayout.Nchw, PixelScale.ZeroToOne, ResizeMode.Letterbox);
        preprocessor.Prepare(rgb, 64, 48, tensor);
        var before = GC.GetAllocatedBytesForCurrentThread();
        preprocessor.Prepare(rgb, 64, 48, tensor);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Refuses_a_short_frame_buffer_and_a_wrong_tensor_size()
    {
        var p = new FramePreprocessor(8, 8, TensorLayout.Nchw, PixelScale.ZeroToOne, ResizeMode.Letterbox);
        Assert.Contains("needs 48 bytes", Assert.Throws<ArgumentException>(() => p.Prepare(new byte[47], 4, 4, new float[192])).Message, StringComparison.Ordinal);
        Assert.Contains("needs 192 floats", Assert.Throws<ArgumentException>(() => p.Prepare(new byte[48], 4, 4, new float[10])).Message, StringComparison.Ordinal);
    }
}
