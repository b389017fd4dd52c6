using System.Buffers.Binary;
using System.Diagnostics;
using Gateway.Drivers.Modbus.Client;
using Gateway.Drivers.Modbus.Protocol;
using Gateway.Drivers.Modbus.Transport;
using Gateway.Drivers.Serial;
using Gateway.Tests.Support;
using Gateway.Simulation.Modbus;

namespace Gateway.Tests.Drivers.Modbus.Transport;

/// <summary>
/// RTU faults on a real serial path: the master opens a pty (termios, reader thread, t3.5 gaps)
/// whose other end socat bridges to the fault-injecting RTU server.
/// </summary>
public class SerialRtuFaultTests
{
    [Fact]
    public async Task Random_faults_on_a_serial_line_are_counted_and_never_decoded()
    {
        var registers = ModbusRegisterArray.Pattern(256, i => (ushort)(i * 257 + 3));
        await using var server = new SimulatedModbusServer(new SimulatedModbusOptions { Rtu = true, UnitId = 1, Registers = registers });
        WireFault[] faults = [WireFault.None, WireFault.CorruptCrc, WireFault.Truncated, WireFault.WrongUnitFirst, WireFault.BadFrameFirst, WireFault.Noise, WireFault.WrongLength, WireFault.Silence];
        var random = new Random(17);
        var script = Enumerable.Range(0, 40).Select(_ => faults[random.Next(faults.Length)]).ToArray();
        server.NextFault = i => i < script.Length ? script[i] : WireFault.None;

        using var temp = new TempDirectory("rtu-serial");
        var tty = temp.File("tty");
        using var socat = await BridgeAsync(tty, server.Port);
        var counters = new ModbusLinkCounters();
        var settings = new SerialPortSettings(tty, 19200, SerialParity.Even);
        await using var master = new ModbusMaster(new RtuTransport(SerialPort.Connector(settings), counters, TimeProvider.System, RtuTiming.ForBaud(19200).T35), TimeProvider.System, CancellationToken.None);

        var response = new byte[ModbusLimits.MaxPduLength];
        var good = 0;
        for (var i = 0; i < 50; i++)
        {
            var address = (ushort)random.Next(0, 200);
            var count = (ushort)random.Next(1, 40);
            var outcome = await master.ExecuteAsync(1, ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, address, count), response, TimeSpan.FromMilliseconds(i < script.Length ? 200 : 3000), CancellationToken.None);
            if (!outcome.IsSuccess)
            {
                continue;
            }
            good++;
            for (var r = 0; r < count; r++)
            {
                Assert.Equal(registers.Registers[address + r], BinaryPrimitives.ReadUInt16BigEndian(response.AsSpan(outcome.DataOffset + (r * 2))));
            }
        }
        Assert.True(good >= 10, $"only {good} good reads");
        Assert.True(counters.CrcErrors + counters.Garbled + counters.Malformed + counters.Timeouts > 0);
        Assert.True(counters.WrongUnit > 0 || counters.NoiseBytes > 0);
        Assert.Equal(1, counters.Connects);
    }

    /// <summary>socat: a pty at <paramref name="link"/> whose bytes go to and come from 127.0.0.1:<paramref name="port"/>.</summary>
    private static async Task<Peer> BridgeAsync(string link, int port)
    {
        var start = new ProcessStartInfo(ExternalTool.Require("socat")) { UseShellExecute = false, RedirectStandardError = true };
        start.ArgumentList.Add($"pty,raw,echo=0,link={link}");
        start.ArgumentList.Add($"tcp:127.0.0.1:{port}");
        var peer = new Peer(Process.Start(start)!);
        for (var i = 0; i < 200 && !File.Exists(link); i++)
        {
            await Task.Delay(25);
        }
        Assert.True(File.Exists(link), "socat did not create the pty");
        return peer;
    }

    private sealed class Peer(Process process) : IDisposable
    {
        public void Dispose() => ChildProcess.Stop(process);
    }
}
