using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Simulation.Video;

/// <summary>
/// A loopback RTSP camera for tests and benchmarks: <c>rtsp_loop_server.py</c> (gst-rtsp-server
/// through Debian's python3-gi, fed in real time and in a loop by ffmpeg) serving one video file on
/// a free port. <see cref="Kill"/> ends it as a crash or a power cut would (SIGKILL: no RTSP
/// teardown), <see cref="RestartAsync"/> brings it back on the same port and path.
/// </summary>
public sealed class RtspLoopServer : IDisposable
{
    /// <summary>Debian's interpreter: python3-gi is a Debian package other interpreters do not see.</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(30);

    private readonly string _file;
    private readonly int _rtpPort;
    private Process? _process;
    private StringBuilder _output = new();

    private RtspLoopServer(string file, int port, int rtpPort, string path)
    {
        _file = file;
        Port = port;
        _rtpPort = rtpPort;
        Path = path;
    }

    public int Port { get; }

    public string Path { get; }

    public string Url => $"rtsp://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}{Path}";

    /// <summary>Everything the server printed since its last start (for a failing test's message).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static string ScriptPath => System.IO.Path.Combine(AppContext.BaseDirectory, "Video", "rtsp_loop_server.py");

    /// <summary>Serves <paramref name="file"/> (H.264 with in-band parameter sets, see <see cref="MakeClipAsync"/>) once it listens.</summary>
    public static async Task<RtspLoopServer> StartAsync(string file, string path = "/cam", CancellationToken cancellationToken = default)
    {
        var server = new RtspLoopServer(file, FreeTcpPort(), FreeUdpPort(), path);
        try
        {
            await server.RestartAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A looping test clip: ffmpeg's test pattern with a moving counter, H.264 (libx264) with its
    /// parameter sets before every key frame (a reader joining the live feed decodes at the next one)
    /// and a key frame a second.
    /// </summary>
    public static async Task MakeClipAsync(string path, int seconds = 4, int width = 320, int height = 240, int fps = 10, CancellationToken cancellationToken = default)
    {
        var ffmpeg = DebianTool.Find("ffmpeg") ?? throw new InvalidOperationException("ffmpeg is not installed (tools/setup.sh installs it)");
        var args = new[]
        {
            "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
            "-i", string.Create(CultureInfo.InvariantCulture, $"testsrc=size={width}x{height}:rate={fps}:duration={seconds}"),
            "-c:v", "libx264", "-preset", "veryfast", "-g", fps.ToString(CultureInfo.InvariantCulture),
            "-x264-params", "repeat-headers=1", "-pix_fmt", "yuv420p", path,
        };
        using var process = Process.Start(new ProcessStartInfo(ffmpeg, args) { RedirectStandardError = true, UseShellExecute = false })!;
        var stderr = await process.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg could not make {path}: {stderr}");
        }
    }

    /// <summary>Ends the server at once (SIGKILL; its ffmpeg feed dies with it).</summary>
    public void Kill()
    {
        if (_process is { } process)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            process.WaitForExit();
            process.Dispose();
            _process = null;
        }
    }

    /// <summary>Starts the server (again) on the same port and path; returns once it listens.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        Kill();
        if (!File.Exists(ScriptPath))
        {
            throw new FileNotFoundException($"the RTSP server script is not beside the program: {ScriptPath}");
        }
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException($"{Python} is not installed (tools/setup.sh)");
        }
        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { ScriptPath, "--port", Port.ToString(CultureInfo.InvariantCulture), "--rtp-port", _rtpPort.ToString(CultureInfo.InvariantCulture), "--path", Path, "--file", _file })
        {
            info.ArgumentList.Add(arg);
        }
        var output = new StringBuilder();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        void Line(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (output)
            {
                output.AppendLine(line);
            }
            if (line.StartsWith("listening ", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        }
        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"the RTSP server exited before listening: {output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        _output = output;
        try
        {
            await listening.Task.WaitAsync(StartLimit, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Kill();
            throw new TimeoutException($"the RTSP server did not listen within {StartLimit.TotalSeconds} s: {output}");
        }
    }

    public void Dispose() => Kill();

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int FreeUdpPort()
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
    }
}
