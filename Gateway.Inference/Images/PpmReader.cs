using System.Globalization;

namespace Gateway.Inference.Images;

/// <summary>Parses binary PPM (P6, maxval 255) — the simplest RGB24 container ffmpeg writes.</summary>
public static class PpmReader
{
    public static bool TryParse(ReadOnlySpan<byte> data, out RgbImage? image, out string error)
    {
        image = null;
        var pos = 0;
        Span<int> values = stackalloc int[3];
        if (data.Length < 2 || data[0] != (byte)'P' || data[1] != (byte)'6')
        {
            error = "not a binary PPM (P6)";
            return false;
        }
        pos = 2;
        for (var i = 0; i < 3; i++)
        {
            // Whitespace and # comments separate the header fields.
            while (pos < data.Length && (char.IsWhiteSpace((char)data[pos]) || data[pos] == (byte)'#'))
            {
                if (data[pos] == (byte)'#')
                {
                    while (pos < data.Length && data[pos] != (byte)'\n')
                    {
                        pos++;
                    }
                }
                pos++;
            }
            var start = pos;
            while (pos < data.Length && data[pos] is >= (byte)'0' and <= (byte)'9')
            {
                pos++;
            }
            if (!int.TryParse(data[start..pos], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]) || values[i] < 1)
            {
                error = "bad PPM header";
                return false;
            }
        }
        if (values[2] != 255 || pos >= data.Length)
        {
            error = values[2] != 255 ? $"PPM maxval {values[2]} is not 255" : "truncated PPM";
            return false;
        }
        pos++; // the single whitespace byte before the pixels
        var (width, height) = (values[0], values[1]);
        var length = (long)width * height * 3;
        if (data.Length - pos < length)
        {
            error = $"PPM of {width}x{height} needs {length} pixel bytes; has {data.Length - pos}";
            return false;
        }
        image = new RgbImage(width, height, data.Slice(pos, (int)length).ToArray());
        error = "";
        return true;
    }
}
