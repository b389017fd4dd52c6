using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Channels;
using Gateway.Drivers.Modbus.Client;
using Gateway.Drivers.Modbus.Points;
using Gateway.Drivers.Modbus.Protocol;
using Gateway.Drivers.Modbus.Transport;
using Gateway.Drivers.Serial;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Drivers.Modbus.Polling;

/// <summary>
/// All Modbus devices of the configuration, grouped into links: one per serial bus (RTU), one
/// per TCP endpoint (Modbus TCP, or RTU over TCP). Runs every link's loop; writes points.
/// </summary>
internal sealed class ModbusDriver : IModbusWriter, IModbusReader, IModbusDriverStatus, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, (ModbusLink Link, ModbusDevice Device)> _devices = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private int _disposed;

    public ModbusDriver(IOptions<ModbusDriverOptions> options, IDriverOutput output, TimeProvider time, ILogger<ModbusDriver> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        _time = time;
        var o = options.Value;
        var buses = o.Buses.ToDictionary(b => b.Id, StringComparer.Ordinal);
        var groups = o.Devices
            .Where(d => d.Type == "modbus")
            .GroupBy(d => d.Bus is { } bus ? $"bus:{bus}" : ModbusEndpoint.Parse(d.Endpoint!).ToString(), StringComparer.Ordinal);
        var links = new List<ModbusLink>();
        foreach (var group in groups)
        {
            var first = group.First();
            var counters = new ModbusLinkCounters();
            ModbusTransport transport;
            if (first.Bus is { } busId)
            {
                var bus = buses.TryGetValue(busId, out var b) ? b : throw new ArgumentException($"device '{first.Id}': unknown bus '{busId}'", nameof(options));
                var timing = RtuTiming.ForBaud(bus.Baud);
                transport = new RtuTransport(SerialPort.Connector(SerialPortSettings.FromBus(bus)), counters, time, timing.T35);
            }
            else
            {
                var endpoint = ModbusEndpoint.Parse(first.Endpoint!);
                var connector = TcpByteChannel.Connector(endpoint.Host, endpoint.Port);
                transport = endpoint.RtuOverTcp
                    ? new RtuTransport(connector, counters, time, TimeSpan.Zero)
                    : new MbapTransport(connector, counters);
            }
            var devices = group.Select(d => new ModbusDevice(d)).ToList();
            var link = new ModbusLink(group.Key, new ModbusMaster(transport, time, _stopping.Token), devices, output, time, logger, o.MaxBackoff);
            links.Add(link);
            foreach (var device in devices)
            {
                _devices.Add(device.Id, (link, device));
            }
        }
        Links = links;
    }

    public IReadOnlyList<ModbusLink> Links { get; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(_stopping.Cancel);
        Log.Started(_logger, _devices.Count, Links.Count);
        await Task.WhenAll(Links.Select(l => l.RunAsync(_stopping.Token))).ConfigureAwait(false);
    }

    public IReadOnlyList<ModbusDeviceStatus> GetStatus() =>
        [.. _devices.Values.Select(e => e.Link.StatusOf(e.Device))];

    public ModbusLinkCounters? CountersOf(string deviceId) =>
        _devices.TryGetValue(deviceId, out var e) ? e.Link.Master.Counters : null;

    public async ValueTask<ModbusWriteResult> WriteAsync(string deviceId, string pointName, double value, CancellationToken cancellationToken)
    {
        if (!_devices.TryGetValue(deviceId, out var entry))
        {
            return new(ModbusWriteStatus.UnknownDevice, $"no modbus device '{deviceId}'");
        }
        var (link, device) = entry;
        var point = device.FindPoint(pointName);
        if (point is null)
        {
            return new(ModbusWriteStatus.UnknownPoint, $"device '{deviceId}' has no point '{pointName}'");
        }
        if (!point.Writable || point.Table is ModbusTable.Discrete or ModbusTable.Input)
        {
            return new(ModbusWriteStatus.NotWritable, $"point '{pointName}' of '{deviceId}' is not writable");
        }
        ModbusRequest request;
        if (point.Table == ModbusTable.Coil)
        {
            request = ModbusRequest.WriteSingleCoil(point.Address, value != 0);
        }
        else
        {
            var bytes = new byte[point.Width * 2];
            if (!PointCodec.TryEncodeRegisters(point, value, bytes))
            {
                return new(ModbusWriteStatus.InvalidValue, $"{value} cannot be written to {point.Type} point '{pointName}'");
            }
            request = bytes.Length == 2
                ? ModbusRequest.WriteSingleRegister(point.Address, (ushort)((bytes[0] << 8) | bytes[1]))
                : ModbusRequest.WriteMultipleRegisters(point.Address, bytes);
        }
        var response = new byte[ModbusLimits.MaxPduLength];
        var outcome = await link.Master.ExecuteAsync(device.UnitId, request, response, device.Timeout, cancellationToken).ConfigureAwait(false);
        return outcome.IsSuccess
            ? new(ModbusWriteStatus.Written, $"{pointName} = {value}")
            : new(ModbusWriteStatus.Failed, outcome.Reason);
    }

    public async ValueTask<ModbusReadOnce?> ReadOnceAsync(string deviceId, CancellationToken cancellationToken)
    {
        if (!_devices.TryGetValue(deviceId, out var entry))
        {
            return null;
        }
        var (link, device) = entry;
        var reads = new ModbusPointRead?[device.Points.Length];
        // A buffer of its own: the poll loop may be using the device's at this very moment.
        var response = new byte[ModbusLimits.MaxPduLength];
        for (var b = 0; b < device.Blocks.Length; b++)
        {
            var block = device.Blocks[b];
            var outcome = await link.Master.ExecuteAsync(device.UnitId, device.Requests[b], response, device.Timeout, cancellationToken).ConfigureAwait(false);
            foreach (var index in block.PointIndexes)
            {
                var point = device.Points[index];
                reads[index] = outcome.IsSuccess
                    ? ReadPoint(point, response.AsSpan(outcome.DataOffset, outcome.DataLength), block.Start)
                    : Describe(point, null, ReadingValue.None, outcome.Reason);
            }
        }
        return new ModbusReadOnce(device.Id, device.UnitId, _time.GetUtcNow(), [.. reads.Select(r => r!)]);
    }

    private static ModbusPointRead ReadPoint(ModbusPoint point, ReadOnlySpan<byte> data, int blockStart)
    {
        var relative = point.Address - blockStart;
        if (point.IsBitTable)
        {
            var bit = PointCodec.ReadPackedBit(data, relative);
            return Describe(point, bit ? "1" : "0", ReadingValue.FromBoolean(bit), null);
        }
        var registers = data.Slice(relative * 2, point.Width * 2);
        var words = new string[point.Width];
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = $"0x{registers[2 * i]:X2}{registers[(2 * i) + 1]:X2}";
        }
        var raw = string.Join(' ', words);
        var value = PointCodec.DecodeRegisters(point, registers);
        return Describe(point, raw, value, value.HasValue ? null : "not a finite number (NaN or infinity)");
    }

    private static ModbusPointRead Describe(ModbusPoint point, string? raw, ReadingValue value, string? error) =>
        new(point.Name, point.Table.ToString().ToLowerInvariant(), point.Address, point.Type.ToString().ToLowerInvariant(), point.Unit, raw, value, error);

    public async ValueTask DisposeAsync()
    {
        // The container disposes it once per registration that hands it out (writer, status, itself).
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var link in Links)
        {
            await link.Master.DisposeAsync().ConfigureAwait(false);
        }
        _stopping.Dispose();
    }
}
