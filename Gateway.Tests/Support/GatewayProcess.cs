using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Gateway.Tests.Support;

/// <summary>The built gateway running as a child process (<c>dotnet edge-gateway.dll …</c>), its output collected line by line.</summary>
public sealed partial class GatewayProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _newLine = new(0);

    private GatewayProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public IReadOnlyCollection<string> Lines => _lines;

    public string Output => string.Join('\n', _lines);

    /// <param name="ownSession">
    /// Run it as a terminal runs a foreground job: leader of its own process group (and session), with
    /// SIGINT at its default even if this test run inherited it ignored, so <see cref="SendToGroup"/> is Ctrl+C.
    /// </param>
    /// <param name="launcher">A command that execs or forks <c>dotnet …</c> (e.g. <c>unshare --pid --fork</c>); <see cref="Pid"/> is then the launcher's.</param>
    public static GatewayProcess Start(IEnumerable<string> args, string workingDirectory, IDictionary<string, string?>? environment = null, bool ownSession = false,
        IReadOnlyList<string>? launcher = null)
    {
        var start = new ProcessStartInfo(launcher?[0] ?? (ownSession ? ExternalTool.Require("setsid") : "dotnet"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in launcher?.Skip(1).Append("dotnet") ?? [])
        {
            start.ArgumentList.Add(a);
        }
        if (ownSession)
        {
            // Neither setsid (the child is no group leader, so it does not fork) nor env changes the pid.
            foreach (var a in new[] { "env", "--default-signal=INT", "dotnet" })
            {
                start.ArgumentList.Add(a);
            }
        }
        start.ArgumentList.Add(Repo.GatewayDll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment.Remove("JOURNAL_STREAM");
        // A configuration without a web section serves the page on the default https://0.0.0.0:8443: gateways
        // started by parallel tests would fight over that port, so each gets a port of its own unless the test says otherwise.
        start.Environment["GATEWAY_web__urls__0"] = $"https://127.0.0.1:{Net.FreePort()}";
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[k] = v;
        }
        var gateway = new GatewayProcess(Process.Start(start)!);
        gateway._process.OutputDataReceived += (_, e) => gateway.Add(e.Data);
        gateway._process.ErrorDataReceived += (_, e) => gateway.Add(e.Data);
        gateway._process.BeginOutputReadLine();
        gateway._process.BeginErrorReadLine();
        return gateway;
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
            _newLine.Release();
        }
    }

    /// <summary>Waits for an output line containing <paramref name="text"/>; fails with the output so far.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var match = _lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (match is not null)
            {
                return match;
            }
            if (_process.HasExited && _newLine.CurrentCount == 0)
            {
                throw new InvalidOperationException($"gateway exited ({_process.ExitCode}) before printing '{text}':\n{Output}");
            }
            try
            {
                await _newLine.WaitAsync(TimeSpan.FromMilliseconds(200), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no line with '{text}' within {timeout}:\n{Output}");
            }
        }
    }

    public void SendSigterm() => SendSignal(SigTerm);

    public void SendSignal(int signal) => Assert.Equal(0, Kill(_process.Id, signal));

    /// <summary>A signal to the whole foreground group, as a terminal's Ctrl+C sends it; needs <c>ownSession</c>.</summary>
    public void SendToGroup(int signal) => Assert.Equal(0, Kill(-_process.Id, signal));

    /// <summary>Waits for the process to end; returns its exit code, or null if it is still running at the timeout.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            _process.WaitForExit(); // drains the redirected output
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
        _newLine.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
