using System.Runtime.CompilerServices;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Gateway.Drivers.Modbus.Client;
using Gateway.Drivers.Modbus.Polling;
using Gateway.Drivers.Modbus.Points;
using Gateway.Drivers.Modbus.Protocol;
using Gateway.Drivers.Modbus.Transport;
using Gateway.Drivers.Channels;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Bench.Modbus;

/// <summary>
/// Steady-state cost of polling one 30-point meter over loopback Modbus TCP (two transactions),
/// against the floor of the same two request/response exchanges done with a bare socket.
/// Allocations per operation come from MemoryDiagnoser (the in-process server does not allocate
/// per request). Also the pure CPU of encoding, parsing and decoding one poll's responses.
/// </summary>
[MemoryDiagnoser]
public class ModbusPollBenchmarks
{
    private Gateway.Simulation.Modbus.SimulatedModbusServer _server = null!;
    private ModbusLink _link = null!;
    private ModbusDevice _device = null!;
    private Socket _raw = null!;
    private readonly byte[] _rawRequest1 = [0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 40];
    private readonly byte[] _rawRequest2 = [0, 2, 0, 0, 0, 6, 1, 4, 0, 0, 0, 10];
    private readonly byte[] _rawResponse = new byte[300];
    private readonly byte[] _pdu = new byte[ModbusLimits.MaxPduLength];
    private readonly byte[] _holdingResponse = new byte[ModbusLimits.MaxPduLength];
    private readonly byte[] _inputResponse = new byte[ModbusLimits.MaxPduLength];
    private ModbusPoint[] _points = null!;
    private readonly CountingDriverOutput _output = new();

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = BenchMeter.Server(1);
        var port = _server.Ports[0];
        _device = new ModbusDevice(BenchMeter.Device("bench", port));
        var counters = new ModbusLinkCounters();
        var master = new ModbusMaster(new MbapTransport(TcpByteChannel.Connector("127.0.0.1", port), counters), TimeProvider.System, CancellationToken.None);
        _link = new ModbusLink("bench", master, [_device], _output, TimeProvider.System, NullLogger.Instance, TimeSpan.FromSeconds(60));
        _raw = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await _raw.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        _points = _device.Points;
        var image = new byte[80];
        for (var i = 0; i < image.Length; i++)
        {
            image[i] = (byte)(i * 13);
        }
        ModbusPdu.WriteReadResponse(ModbusFunction.ReadHoldingRegisters, image, _holdingResponse);
        ModbusPdu.WriteReadResponse(ModbusFunction.ReadInputRegisters, image.AsSpan(0, 20), _inputResponse);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _raw.Dispose();
        await _link.Master.DisposeAsync();
        await _server.DisposeAsync();
    }

    /// <summary>Reference: the two exchanges of a poll, bytes prepared in advance, no framing checks, no decoding.</summary>
    [Benchmark(Baseline = true)]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask RawSocketExchanges()
    {
        await ExchangeAsync(_rawRequest1, 7 + 2 + 80);
        await ExchangeAsync(_rawRequest2, 7 + 2 + 20);
    }

    /// <summary>One full poll: plan → requests → MBAP → response checks → 30 decoded readings published.</summary>
    [Benchmark]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask PollOneMeter() => await _link.PollAsync(_device, CancellationToken.None);

    /// <summary>CPU only: encode both requests, check both responses, decode 30 points.</summary>
    [Benchmark]
    public double EncodeParseDecodeOnly()
    {
        var sum = 0.0;
        for (var b = 0; b < _device.Blocks.Length; b++)
        {
            var request = _device.Requests[b];
            ModbusPdu.WriteRequest(request, _pdu);
            var response = request.Function == ModbusFunction.ReadHoldingRegisters ? _holdingResponse : _inputResponse;
            var length = ModbusPdu.ResponseLength(request);
            ModbusPdu.TryParseResponse(response.AsSpan(0, length), request, out var parsed);
            var block = _device.Blocks[b];
            foreach (var index in block.PointIndexes)
            {
                var point = _points[index];
                sum += PointCodec.DecodeRegisters(point, response.AsSpan(parsed.DataOffset + ((point.Address - block.Start) * 2), point.Width * 2)).AsDouble();
            }
        }
        return sum;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ExchangeAsync(byte[] request, int expected)
    {
        await _raw.SendAsync(request, SocketFlags.None);
        var read = 0;
        while (read < expected)
        {
            read += await _raw.ReceiveAsync(_rawResponse.AsMemory(read, expected - read), SocketFlags.None);
        }
    }
}
