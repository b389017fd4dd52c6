using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Gateway.Simulation.Mqtt;

/// <summary>
/// A real mosquitto on 127.0.0.1 for the demo, the tests and the benches. It runs in a session of
/// its own, so a terminal's Ctrl+C reaches only its owner (the demo's gateway then says
/// <c>offline</c> through it); it is ended by its owner (SIGTERM, then SIGKILL), and dies with the
/// owning process even when that is killed (PR_SET_PDEATHSIG). It can be stopped and started again
/// on the same ports, which persistence (a setting) lets sessions survive.
/// </summary>
public sealed partial class LoopbackMosquitto : IAsyncDisposable
{
    private const int SigTerm = 15;

    private readonly MosquittoOptions _options;
    private readonly string _directory;
    private readonly bool _ownsDirectory;
    private readonly string _configFile;
    private readonly string _logFile;
    private readonly List<string> _launch;
    private Process? _process;
    private Thread? _owner;

    /// <summary>Writes the configuration and chooses the ports; <see cref="Start"/> runs the broker.</summary>
    public LoopbackMosquitto(MosquittoOptions options)
    {
        _options = options;
        var mosquitto = DebianTool.Find("mosquitto")
            ?? throw new MosquittoUnavailableException("mosquitto is not installed (tools/setup.sh installs it)");
        _ownsDirectory = options.Directory is null;
        _directory = Path.GetFullPath(options.Directory ?? Directory.CreateTempSubdirectory("gw-mosquitto-").FullName);
        Directory.CreateDirectory(_directory);
        Port = options.Port == 0 ? FreePort() : options.Port;
        if (options.Port != 0 && !IsFree(options.Port))
        {
            Port = FreePort();
            options.Report($"127.0.0.1:{options.Port} is taken by {DescribeListener(options.Port)}; this {options.Name} uses 127.0.0.1:{Port} instead");
        }
        TlsPort = options.Tls is null ? 0 : FreePort();
        _configFile = Path.Combine(_directory, "mosquitto.conf");
        _logFile = Path.Combine(_directory, "mosquitto.log");
        File.WriteAllText(_configFile, Configuration());
        _launch = Launcher(options.Report);
        _launch.AddRange([mosquitto, "-c", _configFile]);
    }

    public int Port { get; }

    /// <summary>The TLS listener's port; 0 without <see cref="MosquittoOptions.Tls"/>.</summary>
    public int TlsPort { get; }

    /// <summary>The running broker's pid (0 while stopped): setsid and setpriv exec into it, so it is mosquitto's own.</summary>
    public int Pid => _process is { HasExited: false } p ? p.Id : 0;

    public string Uri => $"mqtt://127.0.0.1:{Port}";

    /// <summary>mosquitto's log so far.</summary>
    public string Log => File.Exists(_logFile) ? File.ReadAllText(_logFile) : "";

    /// <summary>Configures, starts and waits for a broker; a failure leaves nothing running.</summary>
    public static LoopbackMosquitto Start(MosquittoOptions options)
    {
        var broker = new LoopbackMosquitto(options);
        try
        {
            broker.Start();
            return broker;
        }
        catch (MosquittoUnavailableException)
        {
            broker.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <inheritdoc cref="Start(MosquittoOptions)"/>
    public static Task<LoopbackMosquitto> StartAsync(MosquittoOptions options) => Task.Run(() => Start(options));

    private string Configuration()
    {
        var config = new StringBuilder()
            .AppendLine($"listener {Port} 127.0.0.1")
            // Loopback only: anonymous access is acceptable for a broker nobody else can reach.
            .AppendLine("allow_anonymous true")
            .AppendLine($"persistence_location {_directory}/")
            .AppendLine($"log_dest file {_logFile}");
        // As root, mosquitto would switch to its own user, and any change of user clears
        // PR_SET_PDEATHSIG: it keeps the caller's user instead, which gives it nothing more.
        if (Environment.UserName == "root")
        {
            config.AppendLine("user root");
        }
        if (_options.Tls is { } tls)
        {
            config.AppendLine($"listener {TlsPort} 127.0.0.1")
                .AppendLine($"cafile {tls.CaFile}")
                .AppendLine($"certfile {tls.CertFile}")
                .AppendLine($"keyfile {tls.KeyFile}")
                .AppendLine($"require_certificate {(tls.RequireClientCertificate ? "true" : "false")}");
        }
        foreach (var line in _options.Settings)
        {
            config.AppendLine(line);
        }
        return config.ToString();
    }

    /// <summary>
    /// .NET cannot run code between fork and exec, so util-linux does it and execs on: setpriv sets
    /// the death signal, setsid (not forking: the child is no group leader) a new session.
    /// </summary>
    private static List<string> Launcher(Action<string> report)
    {
        var launch = new List<string>();
        if (DebianTool.Find("setpriv") is { } setpriv)
        {
            launch.AddRange([setpriv, "--pdeathsig", "KILL"]);
        }
        else
        {
            report("setpriv (util-linux) is not installed: the broker will outlive its owner if that is killed");
        }
        if (DebianTool.Find("setsid") is { } setsid)
        {
            launch.Add(setsid);
        }
        else
        {
            report("setsid (util-linux) is not installed: Ctrl+C stops the broker before its owner can say offline");
        }
        return launch;
    }

    /// <summary>Runs the broker and waits until it listens on its ports; throws <see cref="MosquittoUnavailableException"/> when it does not.</summary>
    public void Start()
    {
        if (Pid != 0)
        {
            return;
        }
        var start = new ProcessStartInfo(_launch[0]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in _launch.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        var errors = new ConcurrentQueue<string>();
        var (process, owner, failure) = StartOnOwnThread(start, errors);
        if (process is null)
        {
            throw new MosquittoUnavailableException($"mosquitto could not be started ({failure!.Message})", failure);
        }
        _process = process;
        _owner = owner;
        var started = _options.Time.GetTimestamp();
        while (_options.Time.GetElapsedTime(started) < _options.StartTimeout && !process.HasExited)
        {
            // Its own listener, not merely an open port: another broker may have taken the port meanwhile.
            if (ListenerPid(Port) == process.Id && (TlsPort == 0 || ListenerPid(TlsPort) == process.Id))
            {
                return;
            }
            process.WaitForExit(50);
        }
        StopAsync().AsTask().GetAwaiter().GetResult();
        var why = errors.LastOrDefault(l => l.Length > 0) ?? Log.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        throw new MosquittoUnavailableException($"mosquitto did not start listening on 127.0.0.1:{Port}{(why is null ? "" : $" ({why})")}");
    }

    /// <inheritdoc cref="Start()"/>
    public Task StartAsync() => Task.Run(Start);

    /// <summary>SIGTERM (mosquitto drops every connection and saves persistent sessions), and SIGKILL if it is still there after the grace period.</summary>
    public async ValueTask StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }
        try
        {
            if (!process.HasExited)
            {
                _ = Kill(process.Id, SigTerm);
                using var grace = new CancellationTokenSource(_options.StopGrace, _options.Time);
                try
                {
                    await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    process.Kill();
                    await process.WaitForExitAsync().ConfigureAwait(false);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // already gone and reaped
        }
        _owner?.Join();
        process.Dispose();
        _process = null;
        _owner = null;
    }

    /// <summary>Ends the broker (the demo after its gateway has said offline) and removes a temporary folder.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_ownsDirectory)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>
    /// Starts the process from a thread that lives until the process has exited: PR_SET_PDEATHSIG
    /// fires when the thread that forked the child ends, not the process (pool threads retire, a
    /// caller's thread may end), and a forking thread that ended before setpriv's prctl would leave
    /// the broker tied to whichever thread inherited it.
    /// </summary>
    private static (Process? Process, Thread Owner, Exception? Failure) StartOnOwnThread(ProcessStartInfo start, ConcurrentQueue<string> errors)
    {
        Process? process = null;
        Exception? failure = null;
        using var started = new ManualResetEventSlim();
        var owner = new Thread(() =>
        {
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException("no process");
            }
            catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
            {
                failure = ex;
            }
            finally
            {
                started.Set();
            }
            process?.WaitForExit();
        })
        { IsBackground = true, Name = "mosquitto owner" };
        owner.Start();
        started.Wait();
        if (process is { } p)
        {
            p.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    errors.Enqueue(line);
                }
            };
            p.OutputDataReceived += (_, _) => { };
            p.BeginErrorReadLine();
            p.BeginOutputReadLine();
        }
        return (process, owner, failure);
    }

    /// <summary>Who listens on a loopback TCP port, for a user who expected it free: pid, command line, parent.</summary>
    internal static string DescribeListener(int port) =>
        ListenerPid(port) is { } pid ? DescribeProcess(pid) : "a process this user cannot see";

    /// <summary>The process holding the listening TCP socket on <paramref name="port"/>, if this user can see it.</summary>
    internal static int? ListenerPid(int port)
    {
        var sockets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists))
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st ... inode: the local port is hex after ':', 0A is LISTEN.
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length > 9 && f[3] == "0A" && int.Parse(f[1].AsSpan(f[1].IndexOf(':') + 1), System.Globalization.NumberStyles.HexNumber, null) == port)
                {
                    sockets.Add($"socket:[{f[9]}]");
                }
            }
        }
        if (sockets.Count == 0)
        {
            return null;
        }
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                if (Directory.EnumerateFiles(Path.Combine(dir, "fd")).Any(fd => new FileInfo(fd).LinkTarget is { } target && sockets.Contains(target)))
                {
                    return pid;
                }
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                // another user's process, or one that has just ended
            }
        }
        return null;
    }

    private static string DescribeProcess(int pid)
    {
        try
        {
            var command = File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0').Replace('\0', ' ');
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The name in parentheses may hold spaces; the parent pid is the second field after it.
            var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            var text = $"pid {pid} ({command}; parent pid {parent})";
            return parent == 1 && File.ReadAllText($"/proc/{pid}/comm").Trim() == "mosquitto" && !command.Contains("/etc/mosquitto/", StringComparison.Ordinal)
                ? $"{text}, an orphaned broker, perhaps left over from an earlier demo: `kill {pid}` frees the port"
                : text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"pid {pid}";
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
