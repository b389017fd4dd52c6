using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Gateway.Bench.Support;
using Gateway.Drivers.Serial;
using PortsSerialPort = System.IO.Ports.SerialPort;

namespace Gateway.Bench.Serial;

/// <summary>
/// System.IO.Ports 11 beside our serial layer (docs/decisions.md): process CPU while one read
/// waits on an idle port (a socat pty pair under /dev), each against a same-run reference of this
/// process with no port open; then whether RS-485 (TIOCSRS485) can be asked for in each. A byte
/// written to the far end afterwards must complete the pending read, so a read that never really
/// waited cannot pass.
/// </summary>
public sealed class SerialIdleCommand : IBenchCommand
{
    public string Name => "serial-idle";

    public string Description => "System.IO.Ports 11 vs our SerialPort: CPU with a read pending on an idle pty, RS-485 (args: [seconds=20])";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        var span = TimeSpan.FromSeconds(seconds);
        var near = $"/dev/ttyBENCH{Environment.ProcessId}A";
        var far = $"/dev/ttyBENCH{Environment.ProcessId}B";
        using var socat = await StartPtyPairAsync(near, far, cancellationToken);

        // settle first (JIT, tiered compilation, the first GCs), then take the idle reference
        // before and after the two ports and keep the lower: the least disturbed view of this process
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        var idleBefore = await CpuOverAsync(span, cancellationToken);
        var ports = await PortsAsync(near, far, span, cancellationToken);
        var ours = await OursAsync(near, far, span, cancellationToken);
        var idleAfter = await CpuOverAsync(span, cancellationToken);
        var idle = idleBefore < idleAfter ? idleBefore : idleAfter;

        Console.WriteLine($"| what (one port, one read pending, {seconds:0} s) | process CPU | % of one core | above the idle reference |");
        Console.WriteLine("| --- | --- | --- | --- |");
        Console.WriteLine($"| idle reference (no port open; before / after) | {idleBefore.TotalMilliseconds:0} / {idleAfter.TotalMilliseconds:0} ms | {Percent(idle, span):0.000} % (lower) | — |");
        Console.WriteLine($"| System.IO.Ports 11 (BaseStream.ReadAsync) | {ports.TotalMilliseconds:0} ms | {Percent(ports, span):0.000} % | {Percent(ports - idle, span):0.000} % ({ports / idle:0.0}x idle) |");
        Console.WriteLine($"| ours (Gateway.Drivers.Serial.SerialPort.ReadAsync) | {ours.TotalMilliseconds:0} ms | {Percent(ours, span):0.000} % | {Percent(ours - idle, span):0.000} % ({ours / idle:0.0}x idle) |");
        Console.WriteLine();
        Console.WriteLine($"System.IO.Ports / ours, whole-process CPU: {ports / ours:0.0}x; idle process / ours: {idle / ours:0.00}x");
        Console.WriteLine();
        Console.WriteLine($"RS-485, System.IO.Ports 11: public members mentioning 485: {Rs485Members(typeof(PortsSerialPort).Assembly)}");
        await using var rs485 = SerialPort.Open(new SerialPortSettings(near, Rs485: true));
        Console.WriteLine($"RS-485, ours: SerialPortSettings.Rs485 -> TIOCSRS485; on this pty the kernel {(rs485.Rs485Enabled ? "accepted it" : "refused it (a pty has no RS-485; a UART driver with rs485 support accepts it)")}");
        return 0;
    }

    private static async Task<TimeSpan> PortsAsync(string near, string far, TimeSpan span, CancellationToken cancellationToken)
    {
        using var port = new PortsSerialPort(near, 9600);
        port.Open();
        var buffer = new byte[64];
        var pending = port.BaseStream.ReadAsync(buffer, 0, buffer.Length, cancellationToken);
        var cpu = await CpuOverAsync(span, cancellationToken);
        await ProveReadAsync(far, pending, cancellationToken);
        return cpu;
    }

    private static async Task<TimeSpan> OursAsync(string near, string far, TimeSpan span, CancellationToken cancellationToken)
    {
        await using var port = SerialPort.Open(new SerialPortSettings(near));
        var buffer = new byte[64];
        var pending = port.ReadAsync(buffer, cancellationToken).AsTask();
        var cpu = await CpuOverAsync(span, cancellationToken);
        await ProveReadAsync(far, pending, cancellationToken);
        return cpu;
    }

    private static async Task ProveReadAsync(string far, Task<int> pending, CancellationToken cancellationToken)
    {
        if (pending.IsCompleted)
        {
            throw new InvalidOperationException("the read completed on an idle port");
        }
        await using (var device = new FileStream(far, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0))
        {
            await device.WriteAsync(new byte[] { 0x42 }, cancellationToken);
        }
        if (await pending.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken) != 1)
        {
            throw new InvalidOperationException("the pending read did not return the byte written to the far end");
        }
    }

    private static async Task<TimeSpan> CpuOverAsync(TimeSpan span, CancellationToken cancellationToken)
    {
        var start = ProcessCpuClock.Nanoseconds();
        await Task.Delay(span, cancellationToken);
        return TimeSpan.FromTicks((ProcessCpuClock.Nanoseconds() - start) / 100);
    }

    private static double Percent(TimeSpan cpu, TimeSpan wall) => 100.0 * cpu / wall;

    private static string Rs485Members(Assembly assembly)
    {
        var hits = assembly.GetExportedTypes()
            .SelectMany(t => t.GetMembers().Select(m => $"{t.Name}.{m.Name}").Prepend(t.Name))
            .Where(n => n.Contains("485", StringComparison.Ordinal))
            .ToList();
        return hits.Count == 0 ? "none" : string.Join(", ", hits);
    }

    private sealed class PtyPair(Process process, string near, string far) : IDisposable
    {
        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }
            process.Dispose();
            // killed, socat leaves its links behind
            File.Delete(near);
            File.Delete(far);
        }
    }

    private static async Task<PtyPair> StartPtyPairAsync(string near, string far, CancellationToken cancellationToken)
    {
        var socat = BenchTool.Require("socat");
        var process = Process.Start(new ProcessStartInfo(socat, ["-d", "-d", $"pty,raw,echo=0,link={near}", $"pty,raw,echo=0,link={far}"]) { UseShellExecute = false, RedirectStandardError = true })!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        var pair = new PtyPair(process, near, far);
        for (var i = 0; i < 200 && !(File.Exists(near) && File.Exists(far)); i++)
        {
            await Task.Delay(25, cancellationToken);
        }
        if (!(File.Exists(near) && File.Exists(far)))
        {
            pair.Dispose();
            throw new InvalidOperationException($"socat did not create {near} and {far} (is this run as root?)");
        }
        return pair;
    }
}
