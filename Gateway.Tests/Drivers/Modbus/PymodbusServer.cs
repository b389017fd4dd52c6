using System.Diagnostics;
using System.Text.Json;
using Gateway.Tests.Support;

namespace Gateway.Tests.Drivers.Modbus;

/// <summary>
/// pymodbus_server.py (python3-pymodbus) as an independent Modbus peer: TCP on a loopback port,
/// or RTU on a serial device (one end of a socat pty pair). Killed on dispose.
/// </summary>
public sealed class PymodbusServer : IDisposable
{
    private readonly Process _process;

    private PymodbusServer(Process process) => _process = process;

    public static string Script => Repo.PathOf("Gateway.Tests", "Drivers", "Modbus", "pymodbus_server.py");

    /// <param name="where">TCP port, or serial device path when <paramref name="mode"/> is "rtu".</param>
    public static async Task<PymodbusServer> StartAsync(string mode, string where, ModbusTables tables, TempDirectory temp, string units = "1")
    {
        ExternalTool.RequirePythonModules("pymodbus.server", "serial_asyncio");
        var data = temp.File($"data-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(data, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["coils"] = tables.Coils.Select(b => b ? 1 : 0),
            ["discrete"] = tables.Discrete.Select(b => b ? 1 : 0),
            ["input"] = tables.Input,
            ["holding"] = tables.Holding,
        }));
        var start = new ProcessStartInfo(ExternalTool.Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Script, mode, where, data, units })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start)!;
        var server = new PymodbusServer(process);
        var stderr = process.StandardError.ReadToEndAsync();
        var ready = process.StandardOutput.ReadLineAsync();
        if (await Task.WhenAny(ready, Task.Delay(TimeSpan.FromSeconds(30))) != ready || await ready != "ready")
        {
            server.Dispose();
            throw new InvalidOperationException($"pymodbus server did not start: {(stderr.IsCompleted ? stderr.Result : "(still running)")}");
        }
        return server;
    }

    public void Dispose() => ChildProcess.Stop(_process);
}

/// <summary>The four Modbus tables a test server holds, each from address 0.</summary>
public sealed record ModbusTables(ushort[] Holding, ushort[] Input, bool[] Coils, bool[] Discrete);
