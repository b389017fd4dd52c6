using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Gateway.Drivers.Modbus.Protocol;
using Gateway.Simulation.Modbus;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Simulation.Modbus;

/// <summary>The shared Modbus server over a bare socket: the demo's meter map, bit reads, unit filtering and both serving modes.</summary>
public class SimulatedModbusServerTests
{
    [Fact]
    public async Task The_water_meter_integrates_its_flow_and_refuses_writes_and_reads_past_its_registers()
    {
        var time = new FakeTimeProvider();
        await using var server = new SimulatedModbusServer(new SimulatedModbusOptions { Registers = new WaterMeterRegisters(time) });
        using var socket = await ConnectAsync(server.Port);
        time.Advance(TimeSpan.FromHours(1));

        var read = await ExchangeAsync(socket, 1, 1, ModbusRequest.Read(ModbusFunction.ReadInputRegisters, 0, 9));
        Assert.Equal([0x04, 18], read[..2]);
        var litres = BinaryPrimitives.ReadUInt16BigEndian(read.AsSpan(2)) | ((uint)BinaryPrimitives.ReadUInt16BigEndian(read.AsSpan(4)) << 16);
        Assert.Equal(1_234_567u + 12_000u, litres); // CDAB; 12 m3/h on average over one hour
        Assert.Equal(361, BinaryPrimitives.ReadUInt16BigEndian(read.AsSpan(2 + 16)));

        Assert.Equal([0x86, 0x01], await ExchangeAsync(socket, 2, 1, ModbusRequest.WriteSingleRegister(0, 5)));
        Assert.Equal([0x83, 0x02], await ExchangeAsync(socket, 3, 1, ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, 10, 7)));
    }

    [Fact]
    public async Task Coils_are_the_register_bits_least_significant_first_also_across_registers()
    {
        var registers = new ModbusRegisterArray(4);
        registers.Registers[0] = 0b1010_0000_0000_0101;
        registers.Registers[1] = 0b0000_0000_0000_0001;
        await using var server = new SimulatedModbusServer(new SimulatedModbusOptions { Registers = registers });
        using var socket = await ConnectAsync(server.Port);

        Assert.Equal([0x01, 1, 0b0101], await ExchangeAsync(socket, 1, 1, ModbusRequest.Read(ModbusFunction.ReadCoils, 0, 4)));
        Assert.Equal([0x02, 1, 0b0110], await ExchangeAsync(socket, 2, 1, ModbusRequest.Read(ModbusFunction.ReadDiscreteInputs, 14, 4)));
        Assert.Equal([0x06, 0, 3, 0x12, 0x34], await ExchangeAsync(socket, 3, 1, ModbusRequest.WriteSingleRegister(3, 0x1234)));
        Assert.Equal(0x1234, registers.Registers[3]);
    }

    [Fact]
    public async Task Only_the_configured_unit_answers_but_every_request_is_counted()
    {
        await using var server = new SimulatedModbusServer(new SimulatedModbusOptions { UnitId = 1 });
        using var socket = await ConnectAsync(server.Port);

        await SendAsync(socket, 7, 2, ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, 0, 1));
        await SendAsync(socket, 8, 1, ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, 0, 1));
        var (transactionId, unit, pdu) = await ReceiveAsync(socket);

        Assert.Equal((8, 1), (transactionId, unit)); // unit 2 got silence
        Assert.Equal([0x03, 2, 0, 0], pdu);
        Assert.Equal((1, 1, 1L), (server.RequestsPerUnit[2], server.RequestsPerUnit[1], server.Requests));
    }

    [Fact]
    public async Task A_dedicated_thread_answers_byte_for_byte_what_the_async_server_answers()
    {
        var registers = ModbusRegisterArray.Pattern(256, i => (ushort)((i * 31) + 7));
        await using var pooled = new SimulatedModbusServer(new SimulatedModbusOptions { Registers = registers });
        await using var blocking = new SimulatedModbusServer(new SimulatedModbusOptions { Registers = registers, DedicatedThreads = true });
        using var toPooled = await ConnectAsync(pooled.Port);
        using var toBlocking = await ConnectAsync(blocking.Port);

        foreach (var request in new[] { ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, 40, 125), ModbusRequest.Read(ModbusFunction.ReadCoils, 3, 2000), ModbusRequest.Read(ModbusFunction.ReadInputRegisters, 250, 7) })
        {
            var expected = await ExchangeAsync(toPooled, 1, 9, request);
            Assert.Equal(expected, await ExchangeAsync(toBlocking, 1, 9, request));
        }
        Assert.Equal(3, blocking.Requests);
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    private static async Task<byte[]> ExchangeAsync(Socket socket, ushort transactionId, byte unit, ModbusRequest request)
    {
        await SendAsync(socket, transactionId, unit, request);
        var (answeredId, answeredUnit, pdu) = await ReceiveAsync(socket);
        Assert.Equal((transactionId, unit), (answeredId, answeredUnit));
        return pdu;
    }

    private static async Task SendAsync(Socket socket, ushort transactionId, byte unit, ModbusRequest request)
    {
        var frame = new byte[MbapHeader.Size + ModbusLimits.MaxPduLength];
        var length = ModbusPdu.WriteRequest(request, frame.AsSpan(MbapHeader.Size));
        MbapHeader.Write(transactionId, unit, length, frame);
        await socket.SendAsync(frame.AsMemory(0, MbapHeader.Size + length), SocketFlags.None);
    }

    private static async Task<(ushort TransactionId, byte Unit, byte[] Pdu)> ReceiveAsync(Socket socket)
    {
        using var stream = new NetworkStream(socket, ownsSocket: false);
        var header = new byte[MbapHeader.Size];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await stream.ReadExactlyAsync(header, timeout.Token);
        Assert.True(MbapHeader.TryParse(header, out var parsed));
        var pdu = new byte[parsed.PduLength];
        await stream.ReadExactlyAsync(pdu, timeout.Token);
        return (parsed.TransactionId, parsed.UnitId, pdu);
    }
}
