using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Gateway.Host.Demo;

/// <summary>
/// The demo's mosquitto on 127.0.0.1. It runs in a session of its own, so a terminal's Ctrl+C reaches
/// only the gateway, which then says <c>offline</c> through it; it is ended after the gateway (SIGTERM,
/// then SIGKILL), and dies with the demo even when the demo is killed (PR_SET_PDEATHSIG).
/// </summary>
internal sealed partial class DemoBroker : IAsyncDisposable
{
    public const int WantedPort = 1883;
    private const int SigTerm = 15;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private readonly Process _process;
    private readonly Thread _owner;

    private DemoBroker(Process process, Thread owner, int port)
    {
        _process = process;
        _owner = owner;
        Port = port;
    }

    public int Port { get; }

    public int Pid => _process.Id;

    public string Uri => $"mqtt://127.0.0.1:{Port}";

    /// <summary>Starts the broker, writing what it did (or why not) to <paramref name="report"/>, one line each.</summary>
    public static DemoBroker? TryStart(string dataDirectory, Action<string> report)
    {
        var mosquitto = FindTool("mosquitto");
        if (mosquitto is null)
        {
            report("mosquitto is not installed (tools/setup.sh installs it); the uplink will retry until a broker is reachable");
            return null;
        }
        var port = WantedPort;
        if (!IsFree(WantedPort))
        {
            port = FreePort();
            report($"127.0.0.1:{WantedPort} is taken by {DescribeListener(WantedPort)}; this demo's broker uses 127.0.0.1:{port} instead");
        }
        var conf = Path.GetFullPath(Path.Combine(dataDirectory, "mosquitto.conf"));
        // Loopback only: anonymous access is acceptable for a demo broker nobody else can reach. As
        // root, mosquitto would switch to its own user, and any change of user clears PR_SET_PDEATHSIG:
        // it keeps the demo's user instead, which gives it nothing the demo does not already have.
        var user = Environment.UserName == "root" ? "user root\n" : "";
        File.WriteAllText(conf, $"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n{user}log_dest stderr\nlog_type error\nlog_type warning\n");

        var start = new ProcessStartInfo { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        // .NET cannot run code between fork and exec, so util-linux does it and execs on: setpriv sets
        // the death signal, setsid (not forking: the child is no group leader) a new session. The pid
        // stays the broker's.
        var launchers = new List<string>();
        if (FindTool("setpriv") is { } setpriv)
        {
            launchers.AddRange([setpriv, "--pdeathsig", "KILL"]);
        }
        else
        {
            report("setpriv (util-linux) is not installed: the broker will outlive the demo if the demo is killed");
        }
        if (FindTool("setsid") is { } setsid)
        {
            launchers.Add(setsid);
        }
        else
        {
            report("setsid (util-linux) is not installed: Ctrl+C stops the broker before the gateway can say offline");
        }
        start.FileName = launchers.Count > 0 ? launchers[0] : mosquitto;
        foreach (var a in launchers.Skip(1).Concat(launchers.Count > 0 ? [mosquitto] : []).Append("-c").Append(conf))
        {
            start.ArgumentList.Add(a);
        }

        var errors = new ConcurrentQueue<string>();
        var (process, owner, failure) = StartOnOwnThread(start, errors);
        if (process is null)
        {
            report($"mosquitto could not be started ({failure!.Message}); the uplink will retry until a broker is reachable");
            return null;
        }
        var broker = new DemoBroker(process, owner, port);
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < StartTimeout && !process.HasExited)
        {
            // Its own listener, not merely an open port: another demo may have taken the port meanwhile.
            if (ListenerPid(port) == process.Id)
            {
                report($"mosquitto listening on 127.0.0.1:{port} (pid {process.Id}); watch it with: mosquitto_sub -h 127.0.0.1 -p {port} -t 'city/#' -v");
                return broker;
            }
            process.WaitForExit(50);
        }
        broker.DisposeAsync().AsTask().GetAwaiter().GetResult();
        var why = errors.LastOrDefault(l => l.Length > 0);
        report($"mosquitto did not start listening on 127.0.0.1:{port}{(why is null ? "" : $" ({why})")}; the uplink will retry until a broker is reachable");
        return null;
    }

    /// <summary>Ends the broker: SIGTERM, and SIGKILL if it is still there after a grace period. The demo calls it after the gateway has stopped.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _ = Kill(_process.Id, SigTerm);
                using var grace = new CancellationTokenSource(StopGrace);
                try
                {
                    await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill();
                    await _process.WaitForExitAsync().ConfigureAwait(false);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // already gone and reaped
        }
        _owner.Join();
        _process.Dispose();
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
        { IsBackground = true, Name = "demo broker" };
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

    private static string? FindTool(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin").Append("/usr/sbin").Append("/usr/local/sbin")
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
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
