using System.Diagnostics;

namespace Gateway.Inference.Images;

/// <summary>Decodes a picture file (JPEG, PNG, anything ffmpeg reads) to RGB24 by running ffmpeg.</summary>
public static class FfmpegImageDecoder
{
    public static async Task<RgbImage> DecodeAsync(string path, CancellationToken cancellationToken, string ffmpeg = "ffmpeg")
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }
        var start = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-nostdin", "-v", "error", "-i", path, "-frames:v", "1", "-f", "image2pipe", "-vcodec", "ppm", "-pix_fmt", "rgb24", "-" })
        {
            start.ArgumentList.Add(arg);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{ffmpeg} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot run {ffmpeg} to decode images (apt-get install ffmpeg): {e.Message}", e);
        }
        using (process)
        {
            try
            {
                using var output = new MemoryStream();
                var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
                await process.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                var message = (await stderr.ConfigureAwait(false)).Trim();
                if (process.ExitCode != 0)
                {
                    throw new InvalidDataException($"{path}: ffmpeg cannot decode it: {(message.Length > 0 ? message : $"exit code {process.ExitCode}")}");
                }
                if (!PpmReader.TryParse(output.GetBuffer().AsSpan(0, (int)output.Length), out var image, out var error))
                {
                    throw new InvalidDataException($"{path}: ffmpeg gave no picture ({error})");
                }
                return image!;
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
        }
    }
}
