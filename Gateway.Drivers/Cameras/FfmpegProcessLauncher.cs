using System.ComponentModel;
using System.Diagnostics;

namespace Gateway.Drivers.Cameras;

/// <summary>Runs ffmpeg with <see cref="FfmpegArguments"/>.</summary>
public sealed class FfmpegProcessLauncher : IFrameProcessLauncher
{
    public IFrameProcess Start(CameraSourceOptions options, Action<string> stderrLine)
    {
        ArgumentNullException.ThrowIfNull(options);
        var info = new ProcessStartInfo(options.FfmpegPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var arg in FfmpegArguments.Build(options))
        {
            info.ArgumentList.Add(arg);
        }
        var process = new Process { StartInfo = info };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                stderrLine(line);
            }
        };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            // Reported like any other failed start, so a pole without ffmpeg says why in camera.lost.
            throw new IOException($"cannot start {options.FfmpegPath}: {e.Message}", e);
        }
        process.BeginErrorReadLine();
        return new FfmpegFrameProcess(process);
    }

    private sealed class FfmpegFrameProcess(Process process) : IFrameProcess
    {
        private readonly Task<int> _exited = WaitAsync(process);

        public Stream Frames => process.StandardOutput.BaseStream;

        public Task<int> Exited => _exited;

        public void Kill()
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
                // Already exited: nothing to end.
            }
        }

        public async ValueTask DisposeAsync()
        {
            Kill();
            await _exited.ConfigureAwait(false);
            process.Dispose();
        }

        private static async Task<int> WaitAsync(Process process)
        {
            await process.WaitForExitAsync().ConfigureAwait(false);
            return process.ExitCode;
        }
    }
}
