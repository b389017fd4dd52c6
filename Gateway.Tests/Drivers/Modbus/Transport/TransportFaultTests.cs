using System.Buffers.Binary;
using Gateway.Drivers.Channels;
using Gateway.Drivers.Modbus.Client;
using Gateway.Drivers.Modbus.Protocol;
using Gateway.Drivers.Modbus.Transport;
using Gateway.Simulation.Modbus;

namespace Gateway.Tests.Drivers.Modbus.Transport;

/// <summary>
/// Fault injection between the master and a device (SPEC section 2: faults become quality, not
/// crashes): every fault is counted and no value from a wrong frame is ever returned.
/// </summary>
public class TransportFaultTests
{
    /// <summary>For requests expected to fail (it is waited out).</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(150);

    /// <summary>For requests expected to succeed: generous, the machine is shared.</summary>
    private static readonly TimeSpan Patient = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(false, WireFault.None)]
    [InlineData(true, WireFault.None)]
    [InlineData(false, WireFault.StaleTransactionFirst)]
    [InlineData(false, WireFault.WrongUnitFirst)]
    [InlineData(true, WireFault.WrongUnitFirst)]
    [InlineData(true, WireFault.BadFrameFirst)]
    [InlineData(true, WireFault.Noise)]
    public async Task Recoverable_faults_still_yield_the_right_values(bool rtu, WireFault fault)
    {
        await using var server = NewServer(rtu);
        server.NextFault = _ => fault;
        await using var master = NewMaster(server, rtu, out var counters);

        var (outcome, values) = await ReadAsync(master, 10, 4);

        Assert.True(outcome.IsSuccess, outcome.Reason);
        Assert.Equal(Expected(server, 10, 4), values);
        switch (fault)
        {
            case WireFault.StaleTransactionFirst: Assert.Equal(1, counters.StaleResponses); break;
            case WireFault.WrongUnitFirst: Assert.Equal(1, counters.WrongUnit); break;
            case WireFault.BadFrameFirst: Assert.Equal(0, counters.CrcErrors); Assert.True(counters.NoiseBytes > 0); break;
            case WireFault.Noise: Assert.True(counters.NoiseBytes > 0); break;
            default: break;
        }
    }

    [Theory]
    [InlineData(false, WireFault.Silence, TransferStatus.Timeout)]
    [InlineData(true, WireFault.Silence, TransferStatus.Timeout)]
    [InlineData(true, WireFault.CorruptCrc, TransferStatus.CrcError)]
    [InlineData(true, WireFault.Truncated, TransferStatus.Garbled)]
    [InlineData(false, WireFault.Truncated, TransferStatus.Timeout)]
    [InlineData(false, WireFault.BadHeader, TransferStatus.Malformed)]
    [InlineData(false, WireFault.WrongLength, TransferStatus.Malformed)]
    [InlineData(true, WireFault.WrongLength, TransferStatus.Malformed)]
    [InlineData(false, WireFault.Close, TransferStatus.ConnectionFailed)]
    [InlineData(true, WireFault.Close, TransferStatus.ConnectionFailed)]
    public async Task Faults_are_reported_and_counted_and_the_next_request_succeeds(bool rtu, WireFault fault, TransferStatus expected)
    {
        await using var server = NewServer(rtu);
        server.NextFault = i => i == 1 ? fault : WireFault.None;
        await using var master = NewMaster(server, rtu, out var counters);
        Assert.True((await ReadAsync(master, 0, 3)).Outcome.IsSuccess); // connected and warm: the short timeout below is only for the fault

        // Silence, a bad CRC and a truncated frame are waited out to the timeout; a closed connection or
        // a mismatched frame is seen at once, so it gets a patient budget (on a loaded machine 150 ms can
        // pass before a closed connection is noticed).
        var waitedOut = expected is TransferStatus.Timeout or TransferStatus.CrcError or TransferStatus.Garbled;
        var (outcome, _) = await ReadAsync(master, 0, 3, waitedOut ? Timeout : Patient);
        Assert.Equal(expected, outcome.Transfer);
        Assert.False(outcome.IsSuccess);
        var counted = expected switch
        {
            TransferStatus.Timeout => counters.Timeouts,
            TransferStatus.CrcError => counters.CrcErrors,
            TransferStatus.Garbled => counters.Garbled,
            TransferStatus.Malformed => counters.Malformed,
            _ => counters.ConnectionFailures,
        };
        Assert.Equal(1, counted);

        var (next, values) = await ReadAsync(master, 0, 3);
        Assert.True(next.IsSuccess, next.Reason);
        Assert.Equal(Expected(server, 0, 3), values);
    }

    [Fact]
    public async Task A_late_answer_is_discarded_by_transaction_id_without_dropping_the_connection()
    {
        await using var server = NewServer(rtu: false);
        server.NextFault = i => i == 1 ? WireFault.Late : WireFault.None;
        server.LateBy = Timeout * 2;
        await using var master = NewMaster(server, rtu: false, out var counters);
        Assert.True((await ReadAsync(master, 0, 3)).Outcome.IsSuccess);

        Assert.Equal(TransferStatus.Timeout, (await ReadAsync(master, 0, 2, Timeout)).Outcome.Transfer);
        await Task.Delay(Timeout * 2); // the late answer is on its way
        for (var i = 0; i < 3; i++)
        {
            var (outcome, values) = await ReadAsync(master, (ushort)(20 + i), 2);
            Assert.True(outcome.IsSuccess, outcome.Reason);
            Assert.Equal(Expected(server, 20 + i, 2), values);
        }
        Assert.Equal(1, counters.StaleResponses);
        Assert.Equal(1, counters.Connects);
    }

    [Fact]
    public async Task Exception_responses_come_back_as_exceptions()
    {
        await using var server = NewServer(rtu: true);
        await using var master = NewMaster(server, rtu: true, out var counters);
        var (outcome, _) = await ReadAsync(master, 250, 10);
        Assert.True(outcome.Answered);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, outcome.Exception);
        Assert.Equal("exception 2 (illegal data address)", outcome.Reason);
        Assert.Equal(1, counters.Exceptions);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Property_random_faults_never_produce_a_wrong_value(bool rtu)
    {
        await using var server = NewServer(rtu);
        var faults = rtu
            ? new[] { WireFault.None, WireFault.CorruptCrc, WireFault.Truncated, WireFault.WrongUnitFirst, WireFault.BadFrameFirst, WireFault.Noise, WireFault.WrongLength, WireFault.Silence }
            : new[] { WireFault.None, WireFault.StaleTransactionFirst, WireFault.WrongUnitFirst, WireFault.BadHeader, WireFault.WrongLength, WireFault.Truncated, WireFault.Close };
        var random = new Random(rtu ? 1 : 2);
        var script = Enumerable.Range(0, 60).Select(_ => faults[random.Next(faults.Length)]).ToArray();
        server.NextFault = i => i < script.Length ? script[i] : WireFault.None;
        await using var master = NewMaster(server, rtu, out var counters);

        var good = 0;
        for (var i = 0; i < 40; i++)
        {
            var address = (ushort)random.Next(0, 200);
            var count = (ushort)random.Next(1, 50);
            var (outcome, values) = await ReadAsync(master, address, count, Timeout);
            if (outcome.IsSuccess)
            {
                good++;
                Assert.Equal(Expected(server, address, count), values);
            }
        }
        Assert.True(good > 0);
        Assert.True(counters.Transactions >= 40);
    }

    private static SimulatedModbusServer NewServer(bool rtu) => new(new SimulatedModbusOptions
    {
        Rtu = rtu,
        UnitId = 1,
        Registers = ModbusRegisterArray.Pattern(256, i => (ushort)((i * 7919) ^ 0x5A5A)),
    });

    private static ModbusMaster NewMaster(SimulatedModbusServer server, bool rtu, out ModbusLinkCounters counters)
    {
        counters = new ModbusLinkCounters();
        var connector = TcpByteChannel.Connector("127.0.0.1", server.Port);
        ModbusTransport transport = rtu
            ? new RtuTransport(connector, counters, TimeProvider.System, TimeSpan.Zero)
            : new MbapTransport(connector, counters);
        return new ModbusMaster(transport, TimeProvider.System, CancellationToken.None);
    }

    private static async Task<(ModbusOutcome Outcome, ushort[] Values)> ReadAsync(ModbusMaster master, ushort address, ushort count, TimeSpan? timeout = null)
    {
        var response = new byte[ModbusLimits.MaxPduLength];
        var outcome = await master.ExecuteAsync(1, ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, address, count), response, timeout ?? Patient, CancellationToken.None);
        if (!outcome.IsSuccess)
        {
            return (outcome, []);
        }
        Assert.Equal(count * 2, outcome.DataLength);
        var values = new ushort[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = BinaryPrimitives.ReadUInt16BigEndian(response.AsSpan(outcome.DataOffset + (i * 2)));
        }
        return (outcome, values);
    }

    private static ushort[] Expected(SimulatedModbusServer server, int address, int count) => ((ModbusRegisterArray)server.Registers).Registers[address..(address + count)];
}
