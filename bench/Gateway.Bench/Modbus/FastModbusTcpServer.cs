using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Gateway.Drivers.Modbus.Protocol;

namespace Gateway.Bench.Modbus;

/// <summary>
/// A lean Modbus TCP server for load runs: many listening ports (one simulated device each), a
/// fixed register image, preallocated buffers per connection, no allocation per request. Its
/// own CPU cost is the reference the gateway's cost is compared with. Correctness of the gateway
/// is proven against pymodbus in the tests, not against this.
/// </summary>
public sealed class FastModbusTcpServer : IAsyncDisposable
{
    private readonly List<TcpListener> _listeners = [];
    private readonly List<Task> _tasks = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _image = new byte[2 * 1024];
    private long _requests;

    public FastModbusTcpServer(int devices)
    {
        for (var i = 0; i < _image.Length / 2; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_image.AsSpan(i * 2), (ushort)(i * 31 + 7));
        }
        for (var i = 0; i < devices; i++)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start(16);
            _listeners.Add(listener);
            _tasks.Add(AcceptAsync(listener));
        }
    }

    public IReadOnlyList<int> Ports => [.. _listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];

    public long Requests => Interlocked.Read(ref _requests);

    private async Task AcceptAsync(TcpListener listener)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
                socket.NoDelay = true;
                _ = ServeAsync(socket);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var request = new byte[MbapHeader.Size + ModbusLimits.MaxPduLength];
        var response = new byte[MbapHeader.Size + ModbusLimits.MaxPduLength];
        var requestMemory = request.AsMemory();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                if (!await ReadExactlyAsync(socket, requestMemory[..MbapHeader.Size]).ConfigureAwait(false)
                    || !MbapHeader.TryParse(request, out var header)
                    || !await ReadExactlyAsync(socket, requestMemory.Slice(MbapHeader.Size, header.PduLength)).ConfigureAwait(false))
                {
                    return;
                }
                Interlocked.Increment(ref _requests);
                var length = Answer(requestMemory.Slice(MbapHeader.Size, header.PduLength), response.AsSpan(MbapHeader.Size));
                MbapHeader.Write(header.TransactionId, header.UnitId, length, response);
                await socket.SendAsync(response.AsMemory(0, MbapHeader.Size + length), SocketFlags.None, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            socket.Dispose();
        }
    }

    private int Answer(ReadOnlyMemory<byte> pdu, Span<byte> destination)
    {
        if (!ModbusPdu.TryParseRequest(pdu, out var request))
        {
            return ModbusPdu.WriteExceptionResponse((ModbusFunction)pdu.Span[0], ModbusExceptionCode.IllegalFunction, destination);
        }
        if (!request.IsRead)
        {
            return ModbusPdu.WriteWriteResponse(request, destination);
        }
        var bytes = request.IsBitRead ? (request.Count + 7) / 8 : request.Count * 2;
        var start = request.IsBitRead ? 0 : request.Address * 2;
        if (start + bytes > _image.Length)
        {
            return ModbusPdu.WriteExceptionResponse(request.Function, ModbusExceptionCode.IllegalDataAddress, destination);
        }
        return ModbusPdu.WriteReadResponse(request.Function, _image.AsSpan(start, bytes), destination);
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

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var listener in _listeners)
        {
            listener.Stop();
        }
        await Task.WhenAll(_tasks).ConfigureAwait(false);
        _stop.Dispose();
    }
}
