using System.Globalization;

namespace Gateway.Drivers.Cameras;

/// <summary>The ffmpeg command line for one camera: its input, then raw RGB24 at the analysis size and rate on stdout.</summary>
public static class FfmpegArguments
{
    public static IReadOnlyList<string> Build(CameraSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // -nostdin: ffmpeg otherwise reads keys from the gateway's terminal; warnings only, so stderr
        // carries causes rather than a progress line per frame.
        var args = new List<string> { "-nostdin", "-hide_banner", "-nostats", "-loglevel", "warning" };
        var source = options.Source;
        if (source.StartsWith("rtsp://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("rtsps://", StringComparison.OrdinalIgnoreCase))
        {
            // UDP loses packets (grey smears) behind NAT and on busy links; poles sit behind both.
            args.AddRange(["-rtsp_transport", "tcp", "-i", source]);
        }
        else if (source.StartsWith("v4l2://", StringComparison.OrdinalIgnoreCase))
        {
            args.AddRange(["-f", "v4l2", "-i", new Uri(source).AbsolutePath]);
        }
        else
        {
            // -re: a file otherwise decodes as fast as the CPU allows, which no camera does.
            args.Add("-re");
            if (options.LoopFile)
            {
                args.AddRange(["-stream_loop", "-1"]);
            }
            args.AddRange(["-i", source]);
        }
        var fps = options.Fps.ToString("0.###", CultureInfo.InvariantCulture);
        args.AddRange([
            "-an", "-sn", "-dn",
            "-vf", string.Create(CultureInfo.InvariantCulture, $"fps={fps},scale={options.Width}:{options.Height}"),
            "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1",
        ]);
        return args;
    }
}
