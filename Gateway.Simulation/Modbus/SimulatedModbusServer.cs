using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Gateway.Drivers.Modbus.Protocol;

namespace Gateway.Simulation.Modbus;

/// <summary>
/// A Modbus server on 127.0.0.1 (Modbus Messaging on TCP/IP Implementation Guide v1.0b for MBAP;
/// RTU frames over TCP on request) answering from a <see cref="ModbusRegisterMap"/>: the demo's water
/// meter, the tests' faulty and blocking devices and the benches' load simulator are this one class
/// with different <see cref="SimulatedModbusOptions"/>. Answers are built in preallocated buffers, so
/// a steady poll costs it no allocation unless <see cref="NextFault"/> injects faults.
/// </summary>
public sealed class SimulatedModbusServer : IAsyncDisposable
{
    private const int FrameCapacity = MbapHeader.Size + ModbusLimits.MaxPduLength;

    private readonly SimulatedModbusOptions _options;
    private readonly List<TcpListener> _listeners = [];
    private readonly List<Task> _accepting = [];
    private readonly List<Thread> _threads = [];
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Random _random = new(42);
    private readonly SemaphoreSlim _lateAnswers = new(0);
    private long _requests;
    private int _handled;
    private Connection _newest = new();
    private volatile bool _lastUnanswered;

    public SimulatedModbusServer(SimulatedModbusOptions? options = null)
    {
        _options = options ?? new SimulatedModbusOptions();
        if (_options.DedicatedThreads && _options.Rtu)
        {
            throw new ArgumentException("dedicated threads serve MBAP only", nameof(options));
        }
        for (var i = 0; i < _options.Devices; i++)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start(16);
            _listeners.Add(listener);
            if (_options.DedicatedThreads)
            {
                var thread = new Thread(() => ServeBlocking(listener)) { IsBackground = true, Name = "simulated modbus device" };
                _threads.Add(thread);
                thread.Start();
            }
            else
            {
                _accepting.Add(AcceptAsync(listener));
            }
        }
    }

    public int Port => Ports[0];

    public IReadOnlyList<int> Ports => [.. _listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];

    public ModbusRegisterMap Registers => _options.Registers;

    /// <summary>Requests to the answering unit(s) so far; the index <see cref="NextFault"/> is called with.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests seen per unit id, answered or not.</summary>
    public int[] RequestsPerUnit { get; } = new int[256];

    /// <summary>Chooses what happens to the answer of request number n (from 0). Null: every answer is right.</summary>
    public Func<int, WireFault>? NextFault { get; set; }

    /// <summary>
    /// Requests of any unit whose handling is over (answered, ignored, or their connection closed); a
    /// <see cref="WireFault.Late"/> answer counts once <see cref="ReleaseLateAnswer"/> let it go. Tests on
    /// fake time wait for this before they move the clock, so a timeout never overtakes an answer still
    /// on its way.
    /// </summary>
    public int Handled => Volatile.Read(ref _handled);

    /// <summary>Bytes sent on the newest connection (to compare with what the client has read of it).</summary>
    public long ConnectionBytesSent => Interlocked.Read(ref Volatile.Read(ref _newest).BytesSent);

    /// <summary>The newest connection was closed by a <see cref="WireFault.Close"/>.</summary>
    public bool ConnectionClosed => Volatile.Read(ref _newest).Closed;

    /// <summary>The last request handled got no answer at all (another unit's, or <see cref="WireFault.Silence"/>): its master can only time out.</summary>
    public bool LastRequestUnanswered => _lastUnanswered;

    /// <summary>
    /// Lets the oldest held <see cref="WireFault.Late"/> answer go out. Held rather than delayed, so that
    /// "after the master's timeout" is the test's decision on its own clock, not a wall-clock guess.
    /// </summary>
    public void ReleaseLateAnswer() => _lateAnswers.Release();

    private async Task AcceptAsync(TcpListener listener)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
                socket.NoDelay = true;
                _connections[socket] = ServeAsync(socket, NewConnection());
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopping
        }
    }

    /// <summary>
    /// State per connection, not per server: an older connection may still be closing while the next is
    /// accepted, and its close must not be taken for the new one's.
    /// </summary>
    private Connection NewConnection()
    {
        var connection = new Connection();
        Volatile.Write(ref _newest, connection);
        return connection;
    }

    private void Handle(bool unanswered)
    {
        _lastUnanswered = unanswered;
        Interlocked.Increment(ref _handled);
    }

    private async Task ServeAsync(Socket socket, Connection connection)
    {
        var request = new byte[FrameCapacity];
        var response = new byte[FrameCapacity];
        var scratch = new ModbusResponder(_options.Registers);
        var requestMemory = request.AsMemory();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                int pduStart;
                int pduLength;
                byte unit;
                ushort transactionId = 0;
                if (_options.Rtu)
                {
                    if (!await ReadExactlyAsync(socket, requestMemory[..8]).ConfigureAwait(false))
                    {
                        return;
                    }
                    var length = RtuFrame.ExpectedRequestLength(request.AsSpan(0, 8));
                    if (length > request.Length
                        || (length > 8 && !await ReadExactlyAsync(socket, requestMemory[8..length]).ConfigureAwait(false)))
                    {
                        return;
                    }
                    if (!RtuFrame.TryParse(request.AsSpan(0, length), out unit, out _))
                    {
                        continue; // a CRC error: a real device stays silent
                    }
                    pduStart = 1;
                    pduLength = length - RtuFrame.Overhead;
                }
                else
                {
                    if (!await ReadExactlyAsync(socket, requestMemory[..MbapHeader.Size]).ConfigureAwait(false)
                        || !MbapHeader.TryParse(request, out var header)
                        || !await ReadExactlyAsync(socket, requestMemory.Slice(MbapHeader.Size, header.PduLength)).ConfigureAwait(false))
                    {
                        return;
                    }
                    pduStart = MbapHeader.Size;
                    pduLength = header.PduLength;
                    unit = header.UnitId;
                    transactionId = header.TransactionId;
                }
                if (!Count(unit, out var index))
                {
                    Handle(unanswered: true);
                    continue;
                }
                var pdu = requestMemory.Slice(pduStart, pduLength);
                if (NextFault is { } next)
                {
                    if (!ModbusPdu.TryParseRequest(pdu, out var parsed))
                    {
                        Handle(unanswered: true);
                        continue;
                    }
                    var fault = next(index);
                    if (fault == WireFault.Close)
                    {
                        connection.Closed = true;
                        socket.Close();
                        Handle(unanswered: false);
                        return;
                    }
                    await AnswerWithFaultAsync(socket, connection, pdu, unit, transactionId, fault, scratch).ConfigureAwait(false);
                    Handle(unanswered: fault == WireFault.Silence);
                    continue;
                }
                var size = Frame(unit, transactionId, pdu, response, scratch);
                var sent = await socket.SendAsync(response.AsMemory(0, size), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                Interlocked.Add(ref connection.BytesSent, sent);
                Handle(unanswered: false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // the client left, or the server stops
        }
        finally
        {
            socket.Dispose();
            _connections.TryRemove(socket, out _);
        }
    }

    private void ServeBlocking(TcpListener listener)
    {
        var request = new byte[FrameCapacity];
        var response = new byte[FrameCapacity];
        var scratch = new ModbusResponder(_options.Registers);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using var socket = listener.AcceptSocket();
                socket.NoDelay = true;
                _connections[socket] = Task.CompletedTask;
                var connection = NewConnection();
                while (ReceiveExactly(socket, request.AsSpan(0, MbapHeader.Size))
                    && MbapHeader.TryParse(request, out var header)
                    && ReceiveExactly(socket, request.AsSpan(MbapHeader.Size, header.PduLength)))
                {
                    if (!Count(header.UnitId, out _))
                    {
                        Handle(unanswered: true);
                        continue;
                    }
                    var size = Frame(header.UnitId, header.TransactionId, request.AsMemory(MbapHeader.Size, header.PduLength), response, scratch);
                    for (var sent = 0; sent < size;)
                    {
                        sent += socket.Send(response, sent, size - sent, SocketFlags.None);
                    }
                    Interlocked.Add(ref connection.BytesSent, size);
                    Handle(unanswered: false);
                }
                _connections.TryRemove(socket, out _);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // disposed while blocked in accept or receive
        }
    }

    private static bool ReceiveExactly(Socket socket, Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var n = socket.Receive(buffer, SocketFlags.None);
            if (n == 0)
            {
                return false;
            }
            buffer = buffer[n..];
        }
        return true;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }
            buffer = buffer[n..];
        }
        return true;
    }

    /// <summary>Counts a request; false when its unit is not the one that answers.</summary>
    private bool Count(byte unit, out int index)
    {
        Interlocked.Increment(ref RequestsPerUnit[unit]);
        index = 0;
        if (_options.UnitId is { } only && unit != only)
        {
            return false;
        }
        index = (int)(Interlocked.Increment(ref _requests) - 1);
        return true;
    }

    /// <summary>Writes the whole answer frame (MBAP or RTU) for a request PDU into <paramref name="frame"/>; returns its length.</summary>
    private int Frame(byte unit, ushort transactionId, ReadOnlyMemory<byte> pdu, Span<byte> frame, ModbusResponder scratch)
    {
        if (_options.Rtu)
        {
            var length = scratch.Answer(pdu, scratch.Pdu);
            return RtuFrame.Write(unit, scratch.Pdu.AsSpan(0, length), frame);
        }
        var pduLength = scratch.Answer(pdu, frame[MbapHeader.Size..]);
        MbapHeader.Write(transactionId, unit, pduLength, frame);
        return MbapHeader.Size + pduLength;
    }

    /// <summary>The fault paths allocate freely: they serve robustness tests, not measurements.</summary>
    private async Task AnswerWithFaultAsync(Socket socket, Connection connection, ReadOnlyMemory<byte> pdu, byte unit, ushort transactionId, WireFault fault, ModbusResponder scratch)
    {
        var rightPdu = new byte[ModbusLimits.MaxPduLength];
        var length = scratch.Answer(pdu, rightPdu);
        rightPdu = rightPdu[..length];
        // Every data bit inverted, so that a mix-up of answers cannot go unnoticed.
        var wrongPdu = rightPdu.ToArray();
        if ((wrongPdu[0] & 0x80) == 0 && ModbusPdu.TryParseRequest(pdu, out var request) && request.IsRead)
        {
            for (var i = 2; i < wrongPdu.Length; i++)
            {
                wrongPdu[i] = (byte)~wrongPdu[i];
            }
        }
        var right = Frame(rightPdu, unit, transactionId);
        switch (fault)
        {
            case WireFault.Silence:
                return;
            case WireFault.Late:
                await _lateAnswers.WaitAsync(_stop.Token).ConfigureAwait(false);
                await SendAsync(socket, connection, right).ConfigureAwait(false);
                return;
            case WireFault.CorruptCrc:
                right[_random.Next(1, right.Length)] ^= (byte)(1 << _random.Next(8));
                await SendAsync(socket, connection, right).ConfigureAwait(false);
                return;
            case WireFault.Truncated:
                await SendAsync(socket, connection, right[..(right.Length - 1 - _random.Next(Math.Min(3, right.Length - 2)))]).ConfigureAwait(false);
                return;
            case WireFault.WrongUnitFirst:
                await SendAsync(socket, connection, Frame(wrongPdu, (byte)(unit + 1), transactionId)).ConfigureAwait(false);
                await SendAsync(socket, connection, right).ConfigureAwait(false);
                return;
            case WireFault.StaleTransactionFirst:
                await SendAsync(socket, connection, Frame(wrongPdu, unit, (ushort)(transactionId - 1))).ConfigureAwait(false);
                await SendAsync(socket, connection, right).ConfigureAwait(false);
                return;
            case WireFault.BadFrameFirst:
                var bad = Frame(wrongPdu, unit, transactionId);
                bad[^1] ^= 0x55;
                await SendAsync(socket, connection, bad).ConfigureAwait(false);
                await SendAsync(socket, connection, right).ConfigureAwait(false);
                return;
            case WireFault.Noise:
                var noise = new byte[_random.Next(1, 20)];
                _random.NextBytes(noise);
                await SendAsync(socket, connection, [.. noise, .. right, .. noise[..(noise.Length / 2)]]).ConfigureAwait(false);
                return;
            case WireFault.BadHeader:
                right[3] = 7;
                await SendAsync(socket, connection, right).ConfigureAwait(false);
                return;
            case WireFault.WrongLength when rightPdu.Length >= 4:
                var shortPdu = new byte[rightPdu.Length - 2];
                ModbusPdu.WriteReadResponse((ModbusFunction)rightPdu[0], new byte[shortPdu.Length - 2], shortPdu);
                await SendAsync(socket, connection, Frame(shortPdu, unit, transactionId)).ConfigureAwait(false);
                return;
            default:
                await SendAsync(socket, connection, right).ConfigureAwait(false);
                return;
        }
    }

    private byte[] Frame(byte[] pdu, byte unit, ushort transactionId)
    {
        if (_options.Rtu)
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
        var sent = await socket.SendAsync(data, SocketFlags.None, _stop.Token).ConfigureAwait(false);
        Interlocked.Add(ref connection.BytesSent, sent);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var listener in _listeners)
        {
            listener.Stop();
        }
        foreach (var socket in _connections.Keys)
        {
            if (_options.DedicatedThreads)
            {
                socket.Dispose(); // unblocks Receive
            }
        }
        foreach (var thread in _threads)
        {
            thread.Join();
        }
        await Task.WhenAll(_accepting).ConfigureAwait(false);
        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stop.Dispose();
        _lateAnswers.Dispose();
    }

    private sealed class Connection
    {
        public long BytesSent;
        public volatile bool Closed;
    }
}
