using System.Buffers.Binary;
using Gateway.Drivers.Modbus.Client;
using Gateway.Drivers.Modbus.Protocol;
using Gateway.Drivers.Modbus.Transport;
using Gateway.Drivers.Serial;
using Gateway.Simulation.Modbus;
using Gateway.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Simulation.Modbus;

/// <summary>
/// The demo's RTU water meter on a pty: our RTU master and pymodbus's serial client (an independent
/// peer) read it through /dev/pts/N; bad frames get silence and the slave carries on.
/// </summary>
public class PtyModbusRtuSlaveTests
{
    [Fact]
    public async Task Our_rtu_master_reads_the_water_meter_through_the_pty_slave_device()
    {
        var time = new FakeTimeProvider();
        using var slave = new PtyModbusRtuSlave(new WaterMeterRegisters(time), unitId: 7);
        time.Advance(TimeSpan.FromHours(1));
        Assert.StartsWith("/dev/pts/", slave.SlavePath, StringComparison.Ordinal);

        var settings = new SerialPortSettings(slave.SlavePath, 9600);
        await using var master = new ModbusMaster(new RtuTransport(SerialPort.Connector(settings), new ModbusLinkCounters(), TimeProvider.System, RtuTiming.ForBaud(9600).T35),
            TimeProvider.System, CancellationToken.None);
        var response = new byte[ModbusLimits.MaxPduLength];

        var outcome = await master.ExecuteAsync(7, ModbusRequest.Read(ModbusFunction.ReadInputRegisters, 0, 9), response, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.True(outcome.IsSuccess, outcome.ToString());
        var registers = Enumerable.Range(0, 9).Select(i => BinaryPrimitives.ReadUInt16BigEndian(response.AsSpan(outcome.DataOffset + (i * 2)))).ToArray();
        Assert.Equal(1_234_567u + 12_000u, registers[0] | ((uint)registers[1] << 16)); // litres, CDAB
        Assert.Equal(361, registers[8]);
        // A read past the meter's registers is an exception answer, not silence.
        var past = await master.ExecuteAsync(7, ModbusRequest.Read(ModbusFunction.ReadInputRegisters, 10, 7), response, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, past.Exception);
        Assert.Equal((2, 0), (slave.Answered, slave.Dropped));
    }

    [Fact]
    public void Pymodbus_serial_client_reads_the_same_registers_through_the_pty()
    {
        ExternalTool.RequirePythonModules("serial", "pymodbus.client");
        var registers = ModbusRegisterArray.Pattern(64, i => (ushort)((i * 977) + 11));
        using var slave = new PtyModbusRtuSlave(registers, unitId: 3, baud: 19200);

        var script = """
            import sys
            from pymodbus.client import ModbusSerialClient
            c = ModbusSerialClient(port=sys.argv[1], baudrate=19200, timeout=2, retries=0)
            assert c.connect(), "cannot open " + sys.argv[1]
            for address, count in ((0, 10), (40, 24)):
                r = c.read_holding_registers(address, count, slave=3)
                assert not r.isError(), repr(r)
                print(" ".join(str(v) for v in r.registers))
            c.close()
            """;
        var result = ExternalTool.Run(ExternalTool.Python, ["-c", script, slave.SlavePath], TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.StdErr + result.StdOut);
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join(' ', registers.Registers[..10]), lines[0]);
        Assert.Equal(string.Join(' ', registers.Registers[40..64]), lines[1]);
        Assert.Equal((2, 0), (slave.Answered, slave.Dropped));
    }

    [Fact]
    public async Task A_frame_with_a_bad_crc_or_for_another_unit_gets_silence_and_the_next_request_is_answered()
    {
        var registers = ModbusRegisterArray.Pattern(16, i => (ushort)(0x1000 + i));
        using var slave = new PtyModbusRtuSlave(registers, unitId: 1);
        await using var line = SerialPort.Open(new SerialPortSettings(slave.SlavePath, 9600));

        var good = Request(1, ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, 2, 2));
        var corrupt = good.ToArray();
        corrupt[^1] ^= 0x40;
        await line.WriteAsync(corrupt, CancellationToken.None);
        await Eventually.HoldsAsync(() => slave.Dropped == 1, () => $"dropped {slave.Dropped}");
        await line.WriteAsync(good[..5], CancellationToken.None); // cut short: no CRC of its own
        await Eventually.HoldsAsync(() => slave.Dropped == 2, () => $"dropped {slave.Dropped}");
        await line.WriteAsync(Request(2, ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, 2, 2)), CancellationToken.None);
        await Eventually.HoldsAsync(() => slave.OtherUnits == 1, () => $"other units {slave.OtherUnits}");
        Assert.Equal(0, slave.Answered);

        await line.WriteAsync(good, CancellationToken.None);
        // The first bytes on the line are this answer: nothing was sent for the three frames before it.
        var answer = await ReadFrameAsync(line, 9);
        Assert.True(RtuFrame.TryParse(answer, out var unit, out var pdu));
        Assert.Equal(1, unit);
        Assert.Equal(new byte[] { 0x03, 4, 0x10, 0x02, 0x10, 0x03 }, pdu.ToArray());
        Assert.Equal((1, 2, 1), (slave.Answered, slave.Dropped, slave.OtherUnits));
    }

    private static byte[] Request(byte unit, ModbusRequest request)
    {
        var pdu = new byte[ModbusLimits.MaxPduLength];
        var length = ModbusPdu.WriteRequest(request, pdu);
        var frame = new byte[length + RtuFrame.Overhead];
        RtuFrame.Write(unit, pdu.AsSpan(0, length), frame);
        return frame;
    }

    private static async Task<byte[]> ReadFrameAsync(SerialPort line, int length)
    {
        var frame = new byte[length];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        for (var read = 0; read < length;)
        {
            read += await line.ReadAsync(frame.AsMemory(read), timeout.Token);
        }
        return frame;
    }
}
