using System.Diagnostics;
using Gateway.Tests.Support;

namespace Gateway.Tests.Drivers.Sensors;

/// <summary>
/// A connected pair of pseudo-terminals made by socat (raw, no echo): what is written to
/// <see cref="A"/> comes out of <see cref="B"/>, like the two ends of a serial cable.
/// </summary>
internal sealed class SocatPtyPair : IDisposable
{
    private readonly TempDirectory _dir = new("gw-pty");
    private readonly Process _socat;
    private bool _disposed;

    private SocatPtyPair()
    {
        var socat = ExternalTool.Require("socat");
        A = _dir.File("A");
        B = _dir.File("B");
        var start = new ProcessStartInfo(socat) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var arg in new[] { "-d", "-d", $"pty,raw,echo=0,link={A}", $"pty,raw,echo=0,link={B}" })
        {
            start.ArgumentList.Add(arg);
        }
        _socat = Process.Start(start)!;
        _socat.BeginErrorReadLine();
    }

    public static async Task<SocatPtyPair> StartAsync()
    {
        var pair = new SocatPtyPair();
        var deadline = Stopwatch.StartNew();
        while (!(File.Exists(pair.A) && File.Exists(pair.B)))
        {
            if (pair._socat.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                pair.Dispose();
                throw new InvalidOperationException("socat did not create its pty pair");
            }
            await Task.Delay(20);
        }
        return pair;
    }

    public string A { get; }

    public string B { get; }

    /// <summary>Opens end A for writing (the sensor's side).</summary>
    public FileStream OpenSensorEnd() => new(A, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (!_socat.HasExited)
        {
            _socat.Kill(entireProcessTree: true);
            _socat.WaitForExit();
        }
        _socat.Dispose();
        _dir.Dispose();
    }
}
