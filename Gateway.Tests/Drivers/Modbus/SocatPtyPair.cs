using System.Diagnostics;
using Gateway.Tests.Support;

namespace Gateway.Tests.Drivers.Modbus;

/// <summary>Two connected pseudo-terminals made by socat (a null-modem cable); killed on dispose.</summary>
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

    public void Dispose() => ChildProcess.Stop(_process);
}
