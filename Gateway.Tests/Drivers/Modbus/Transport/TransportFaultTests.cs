using System.Buffers.Binary;
using Gateway.Drivers.Channels;
using Gateway.Drivers.Modbus.Client;
using Gateway.Drivers.Modbus.Protocol;
using Gateway.Drivers.Modbus.Transport;
using Gateway.Simulation.Modbus;
using Gateway.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Drivers.Modbus.Transport;

/// <summary>
/// Fault injection between the master and a device (SPEC section 2: faults become quality, not
/// crashes): every fault is counted and no value from a wrong frame is ever returned.
/// The timeouts run on fake time: a request's timeout is let pass only once the server has dealt
/// with it and the master has taken in every byte it sent, so which status a fault yields never
/// depends on how busy the machine is.
/// </summary>
public class TransportFaultTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(150);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);
    private CountingChannel? _channel;
    private int _issued;

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

        var (outcome, values) = await ReadAsync(server, master, 10, 4);

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
        Assert.True((await ReadAsync(server, master, 0, 3)).Outcome.IsSuccess);

        var (outcome, _) = await ReadAsync(server, master, 0, 3);
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

        var (next, values) = await ReadAsync(server, master, 0, 3);
        Assert.True(next.IsSuccess, next.Reason);
        Assert.Equal(Expected(server, 0, 3), values);
    }

    [Fact]
    public async Task A_late_answer_is_discarded_by_transaction_id_without_dropping_the_connection()
    {
        await using var server = NewServer(rtu: false);
        server.NextFault = i => i == 1 ? WireFault.Late : WireFault.None;
        await using var master = NewMaster(server, rtu: false, out var counters);
        Assert.True((await ReadAsync(server, master, 0, 3)).Outcome.IsSuccess);

        var late = ExecuteAsync(master, 0, 2);
        await Eventually.HoldsAsync(() => server.Requests == 2, () => "the request to be answered late");
        _time.Advance(Timeout);
        Assert.Equal(TransferStatus.Timeout, (await late).Outcome.Transfer);
        server.ReleaseLateAnswer();
        await Eventually.HoldsAsync(() => server.Handled == 2, () => "the late answer to be sent");
        for (var i = 0; i < 3; i++)
        {
            var (outcome, values) = await ReadAsync(server, master, (ushort)(20 + i), 2);
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
        var (outcome, _) = await ReadAsync(server, master, 250, 10);
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
            var (outcome, values) = await ReadAsync(server, master, address, count);
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

    private ModbusMaster NewMaster(SimulatedModbusServer server, bool rtu, out ModbusLinkCounters counters)
    {
        counters = new ModbusLinkCounters();
        var connector = CountingChannel.Wrap(TcpByteChannel.Connector("127.0.0.1", server.Port), c => Volatile.Write(ref _channel, c));
        ModbusTransport transport = rtu
            ? new RtuTransport(connector, counters, _time, TimeSpan.Zero)
            : new MbapTransport(connector, counters);
        return new ModbusMaster(transport, _time, CancellationToken.None);
    }

    /// <summary>
    /// One read. Its timeout passes (on fake time) only if it is still waiting once the server has
    /// dealt with every request sent so far and the master has taken in all the server sent, and has
    /// seen the end of a connection the server closed.
    /// </summary>
    private async Task<(ModbusOutcome Outcome, ushort[] Values)> ReadAsync(SimulatedModbusServer server, ModbusMaster master, ushort address, ushort count)
    {
        var read = ExecuteAsync(master, address, count);
        await Eventually.HoldsAsync(
            () => read.IsCompleted || (server.Handled == _issued && Volatile.Read(ref _channel) is { } c
                && c.Taken == server.ConnectionBytesSent && (c.Ended || !server.ConnectionClosed)),
            () => $"request {_issued} to be dealt with ({server.Handled} handled, {server.ConnectionBytesSent} B sent, {_channel?.Taken} B taken)");
        if (!read.IsCompleted)
        {
            _time.Advance(Timeout);
        }
        return await read;
    }

    private async Task<(ModbusOutcome Outcome, ushort[] Values)> ExecuteAsync(ModbusMaster master, ushort address, ushort count)
    {
        _issued++;
        var response = new byte[ModbusLimits.MaxPduLength];
        var outcome = await master.ExecuteAsync(1, ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, address, count), response, Timeout, CancellationToken.None);
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
