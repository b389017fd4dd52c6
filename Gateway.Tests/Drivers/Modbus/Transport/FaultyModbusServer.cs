using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Gateway.Drivers.Modbus.Protocol;

namespace Gateway.Tests.Drivers.Modbus.Transport;

/// <summary>
/// A Modbus TCP or RTU-over-TCP server on loopback that answers read requests from
/// <see cref="Registers"/> (holding and input alike) and injects the fault that
/// <see cref="NextFault"/> chooses per request. Units other than <see cref="UnitId"/> get no answer.
/// </summary>
public sealed class FaultyModbusServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly bool _rtu;
    private readonly Random _random = new(42);
    private readonly SemaphoreSlim _lateAnswers = new(0);
    private int _requests;
    private int _handled;
    private Connection _newest = new();
    private volatile bool _lastUnanswered;

    public FaultyModbusServer(bool rtu, byte unitId = 1)
    {
        _rtu = rtu;
        UnitId = unitId;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public byte UnitId { get; }

    public ushort[] Registers { get; } = new ushort[256];

    public Func<int, WireFault> NextFault { get; set; } = _ => WireFault.None;

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>
    /// Requests of any unit whose handling is over (answered, ignored, or its connection closed); a late
    /// answer counts once <see cref="ReleaseLateAnswer"/> let it go. Tests on fake time wait for this
    /// before they move the clock, so a timeout never overtakes an answer still on its way.
    /// </summary>
    public int Handled => Volatile.Read(ref _handled);

    /// <summary>Bytes sent on the newest connection (compare with what the client read of it).</summary>
    public long ConnectionBytesSent => Interlocked.Read(ref Volatile.Read(ref _newest).BytesSent);

    /// <summary>The last request handled got no answer at all (another unit's, or <see cref="WireFault.Silence"/>): its master can only time out.</summary>
    public bool LastRequestUnanswered => _lastUnanswered;

    /// <summary>The newest connection was closed by a <see cref="WireFault.Close"/>.</summary>
    public bool ConnectionClosed => Volatile.Read(ref _newest).Closed;

    /// <summary>Lets the oldest held <see cref="WireFault.Late"/> answer go out.</summary>
    public void ReleaseLateAnswer() => _lateAnswers.Release();

    /// <summary>Requests per unit id seen.</summary>
    public int[] RequestsPerUnit { get; } = new int[256];

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                // Per connection: an older one may still be finishing (its close racing with this accept).
                var connection = new Connection();
                Volatile.Write(ref _newest, connection);
                _ = ServeAsync(client, connection);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private async Task ServeAsync(Socket socket, Connection connection)
    {
        using var _ = socket;
        var buffer = new byte[512];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                int headerLength = _rtu ? 0 : MbapHeader.Size;
                ushort transactionId = 0;
                byte unit;
                byte[] pdu;
                if (_rtu)
                {
                    if (!await ReadExactlyAsync(socket, buffer.AsMemory(0, 8)))
                    {
                        return;
                    }
                    var length = RtuFrame.ExpectedRequestLength(buffer);
                    if (length > 8 && !await ReadExactlyAsync(socket, buffer.AsMemory(8, length - 8)))
                    {
                        return;
                    }
                    if (!RtuFrame.TryParse(buffer.AsSpan(0, length), out unit, out var span))
                    {
                        continue;
                    }
                    pdu = span.ToArray();
                }
                else
                {
                    if (!await ReadExactlyAsync(socket, buffer.AsMemory(0, headerLength)) || !MbapHeader.TryParse(buffer, out var header))
                    {
                        return;
                    }
                    if (!await ReadExactlyAsync(socket, buffer.AsMemory(headerLength, header.PduLength)))
                    {
                        return;
                    }
                    transactionId = header.TransactionId;
                    unit = header.UnitId;
                    pdu = buffer.AsSpan(headerLength, header.PduLength).ToArray();
                }
                RequestsPerUnit[unit]++;
                if (unit != UnitId)
                {
                    _lastUnanswered = true;
                    Interlocked.Increment(ref _handled);
                    continue;
                }
                var index = Interlocked.Increment(ref _requests) - 1;
                if (!ModbusPdu.TryParseRequest(pdu, out var request))
                {
                    _lastUnanswered = true;
                    Interlocked.Increment(ref _handled);
                    continue;
                }
                var fault = NextFault(index);
                if (fault == WireFault.Close)
                {
                    connection.Closed = true;
                    socket.Close();
                    _lastUnanswered = false;
                    Interlocked.Increment(ref _handled);
                    return;
                }
                await AnswerAsync(socket, connection, request, transactionId, fault);
                _lastUnanswered = fault == WireFault.Silence;
                Interlocked.Increment(ref _handled);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task AnswerAsync(Socket socket, Connection connection, ModbusRequest request, ushort transactionId, WireFault fault)
    {
        var right = Frame(Response(request, wrong: false), UnitId, transactionId);
        var wrongData = Response(request, wrong: true);
        switch (fault)
        {
            case WireFault.Silence:
                return;
            case WireFault.Late:
                await _lateAnswers.WaitAsync(_stop.Token);
                await SendAsync(socket, connection, right);
                return;
            case WireFault.CorruptCrc:
                right[_random.Next(1, right.Length)] ^= (byte)(1 << _random.Next(8));
                await SendAsync(socket, connection, right);
                return;
            case WireFault.Truncated:
                await SendAsync(socket, connection, right[..(right.Length - 1 - _random.Next(Math.Min(3, right.Length - 2)))]);
                return;
            case WireFault.WrongUnitFirst:
                await SendAsync(socket, connection, Frame(wrongData, (byte)(UnitId + 1), transactionId));
                await SendAsync(socket, connection, right);
                return;
            case WireFault.StaleTransactionFirst:
                await SendAsync(socket, connection, Frame(wrongData, UnitId, (ushort)(transactionId - 1)));
                await SendAsync(socket, connection, right);
                return;
            case WireFault.BadFrameFirst:
                var bad = Frame(wrongData, UnitId, transactionId);
                bad[^1] ^= 0x55;
                await SendAsync(socket, connection, bad);
                await SendAsync(socket, connection, right);
                return;
            case WireFault.Noise:
                var noise = new byte[_random.Next(1, 20)];
                _random.NextBytes(noise);
                await SendAsync(socket, connection, [.. noise, .. right, .. noise[..(noise.Length / 2)]]);
                return;
            case WireFault.BadHeader:
                right[3] = 7;
                await SendAsync(socket, connection, right);
                return;
            case WireFault.WrongLength:
                var shortData = new byte[Math.Max(0, ModbusPdu.ResponseLength(request) - 2 - 2)];
                var shortPdu = new byte[shortData.Length + 2];
                ModbusPdu.WriteReadResponse(request.Function, shortData, shortPdu);
                await SendAsync(socket, connection, Frame(shortPdu, UnitId, transactionId));
                return;
            default:
                await SendAsync(socket, connection, right);
                return;
        }
    }

    /// <summary>The PDU answering <paramref name="request"/>; <paramref name="wrong"/> inverts every data bit so a mix-up cannot go unnoticed.</summary>
    private byte[] Response(ModbusRequest request, bool wrong)
    {
        var pdu = new byte[ModbusLimits.MaxPduLength];
        int length;
        if (request.IsRead && !request.IsBitRead)
        {
            if (request.Address + request.Count > Registers.Length)
            {
                length = ModbusPdu.WriteExceptionResponse(request.Function, ModbusExceptionCode.IllegalDataAddress, pdu);
                return pdu[..length];
            }
            var data = new byte[request.Count * 2];
            for (var i = 0; i < request.Count; i++)
            {
                BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(i * 2), (ushort)(wrong ? ~Registers[request.Address + i] : Registers[request.Address + i]));
            }
            length = ModbusPdu.WriteReadResponse(request.Function, data, pdu);
        }
        else if (request.IsRead)
        {
            var data = new byte[(request.Count + 7) / 8];
            if (wrong)
            {
                data.AsSpan().Fill(0xFF);
            }
            length = ModbusPdu.WriteReadResponse(request.Function, data, pdu);
        }
        else
        {
            if (request.Function == ModbusFunction.WriteSingleRegister)
            {
                Registers[request.Address] = request.Value;
            }
            length = ModbusPdu.WriteWriteResponse(request, pdu);
        }
        return pdu[..length];
    }

    private byte[] Frame(byte[] pdu, byte unit, ushort transactionId)
    {
        if (_rtu)
        {
            var frame = new byte[pdu.Length + RtuFrame.Overhead];
            RtuFrame.Write(unit, pdu, frame);
            return frame;
        }
        var mbap = new byte[MbapHeader.Size + pdu.Length];
        MbapHeader.Write(transactionId, unit, pdu.Length, mbap);
        pdu.CopyTo(mbap, MbapHeader.Size);
        return mbap;
    }

    private async Task SendAsync(Socket socket, Connection connection, byte[] data)
    {
        var sent = await socket.SendAsync(data, SocketFlags.None, _stop.Token);
        Interlocked.Add(ref connection.BytesSent, sent);
    }

    private sealed class Connection
    {
        public long BytesSent;
        public volatile bool Closed;
    }

    private async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (n == 0)
            {
                return false;
            }
            buffer = buffer[n..];
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
        _lateAnswers.Dispose();
    }
}
