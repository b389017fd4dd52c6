using System.Diagnostics;
using Gateway.Tests.Drivers.Modbus;
using Gateway.Tests.Support;

namespace Gateway.Tests.Drivers;

/// <summary>
/// Two connected pseudo-terminals made by socat (raw, no echo; a null-modem cable): what is written
/// to <see cref="A"/> comes out of <see cref="B"/>. socat is killed on dispose.
/// </summary>
public sealed class SocatPtyPair : IDisposable
{
    private readonly Process _process;

    private SocatPtyPair(Process process, string a, string b)
    {
        _process = process;
        A = a;
        B = b;
    }

    public string A { get; }

    public string B { get; }

    public static async Task<SocatPtyPair> StartAsync(TempDirectory temp)
    {
        var socat = ExternalTool.Require("socat");
        var a = temp.File("ttyA");
        var b = temp.File("ttyB");
        var start = new ProcessStartInfo(socat) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var arg in new[] { $"pty,raw,echo=0,link={a}", $"pty,raw,echo=0,link={b}" })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start)!;
        var pair = new SocatPtyPair(process, a, b);
        for (var i = 0; i < 200 && !(File.Exists(a) && File.Exists(b)); i++)
        {
            await Task.Delay(25);
        }
        if (!(File.Exists(a) && File.Exists(b)))
        {
            pair.Dispose();
            throw new InvalidOperationException("socat did not create the pty pair");
        }
        return pair;
    }

    /// <summary>Opens end A as a plain file for writing: the device's side, the driver opens B.</summary>
    public FileStream OpenDeviceEnd() => new(A, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);

    public void Dispose() => ChildProcess.Stop(_process);
}
