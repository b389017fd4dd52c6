using System.Diagnostics;

namespace Gateway.Tests.Support;

/// <summary>
/// Independent peers the tests use (mosquitto, pymodbus, socat, ffmpeg, ...). A missing tool is
/// a loud failure, never a skip: tools/setup.sh installs them all.
/// </summary>
public static class ExternalTool
{
    /// <summary>Debian's Python: its modules (paho, pymodbus, onnx) are invisible to other interpreters.</summary>
    public const string Python = "/usr/bin/python3";

    public static string Require(string name)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/local/sbin", "/usr/bin"]);
        return dirs.Select(d => System.IO.Path.Combine(d, name)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"required test tool '{name}' is not installed; run tools/setup.sh");
    }

    /// <summary>Fails loudly unless Debian's python3 can import every module named.</summary>
    public static void RequirePythonModules(params string[] modules)
    {
        var result = Run(Python, ["-c", string.Join(";", modules.Select(m => $"import {m}"))], TimeSpan.FromSeconds(30));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Python} cannot import {string.Join(", ", modules)} (run tools/setup.sh): {result.StdErr}");
        }
    }

    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    /// <summary>Runs a program to completion (killed after <paramref name="timeout"/>), feeding optional stdin.</summary>
    public static Result Run(string file, IEnumerable<string> args, TimeSpan timeout, string? stdin = null, string? workingDirectory = null, IDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                start.Environment[k] = v;
            }
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }
        process.StandardInput.Close();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
