using System.Globalization;

namespace Gateway.Bench.Modbus;

/// <summary>
/// <c>modbus-sim N</c>: runs <see cref="BenchMeter.Server"/> with N devices in its own process
/// (so its CPU is measured apart from the gateway's); prints <c>ports p1 p2 …</c>, then serves
/// until its standard input closes.
/// </summary>
public sealed class ModbusSimCommand : IBenchCommand
{
    public string Name => "modbus-sim";

    public string Description => "Modbus TCP load simulator (used by modbus-load): modbus-sim DEVICES";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var devices = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 500;
        await using var server = BenchMeter.Server(devices);
        Console.WriteLine("ports " + string.Join(' ', server.Ports));
        await Console.Out.FlushAsync(cancellationToken);
        // Until the parent closes our stdin (or dies).
        await Console.In.ReadToEndAsync(cancellationToken);
        return 0;
    }
}
