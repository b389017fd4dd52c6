using System.Net;
using System.Net.Sockets;
using Gateway.Drivers.Modbus.Protocol;

namespace Gateway.Tests.Drivers.Modbus.Polling;

/// <summary>
/// A Modbus TCP server for allocation measurements: one connection served on a dedicated thread
/// with blocking socket calls and preallocated buffers, so that in steady state it allocates
/// nothing and adds no work to the thread pool the driver runs on. Reads are answered from a
/// fixed register image (holding and input alike).
/// </summary>
public sealed class BlockingModbusTcpServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly Thread _thread;
    private readonly byte[] _image = new byte[512];
    private readonly byte[] _request = new byte[MbapHeader.Size + ModbusLimits.MaxPduLength];
    private readonly byte[] _response = new byte[MbapHeader.Size + ModbusLimits.MaxPduLength];
    private Socket? _client;
    private volatile bool _stopping;

    public BlockingModbusTcpServer(int port)
    {
        for (var i = 0; i < _image.Length; i++)
        {
            _image[i] = (byte)(i * 7);
        }
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start(1);
        Port = port;
        _thread = new Thread(Serve) { IsBackground = true, Name = "blocking modbus server" };
        _thread.Start();
    }

    public int Port { get; }

    public long Requests => Interlocked.Read(ref _requests);

    private long _requests;

    private void Serve()
    {
        try
        {
            using var client = _listener.AcceptSocket();
            client.NoDelay = true;
            _client = client;
            while (!_stopping)
            {
                if (!ReceiveExactly(client, _request.AsSpan(0, MbapHeader.Size))
                    || !MbapHeader.TryParse(_request, out var header)
                    || !ReceiveExactly(client, _request.AsSpan(MbapHeader.Size, header.PduLength)))
                {
                    return;
                }
                Interlocked.Increment(ref _requests);
                var length = Answer(_request.AsMemory(MbapHeader.Size, header.PduLength), _response.AsSpan(MbapHeader.Size));
                MbapHeader.Write(header.TransactionId, header.UnitId, length, _response);
                var total = MbapHeader.Size + length;
                for (var sent = 0; sent < total;)
                {
                    sent += client.Send(_response, sent, total - sent, SocketFlags.None);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Disposed while blocked in accept or receive.
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

    private int Answer(ReadOnlyMemory<byte> pdu, Span<byte> destination)
    {
        if (!ModbusPdu.TryParseRequest(pdu, out var request) || !request.IsRead)
        {
            return ModbusPdu.WriteExceptionResponse((ModbusFunction)pdu.Span[0], ModbusExceptionCode.IllegalFunction, destination);
        }
        var bytes = request.IsBitRead ? (request.Count + 7) / 8 : request.Count * 2;
        var start = request.IsBitRead ? 0 : request.Address * 2;
        return start + bytes > _image.Length
            ? ModbusPdu.WriteExceptionResponse(request.Function, ModbusExceptionCode.IllegalDataAddress, destination)
            : ModbusPdu.WriteReadResponse(request.Function, _image.AsSpan(start, bytes), destination);
    }

    public void Dispose()
    {
        _stopping = true;
        _listener.Stop();
        _client?.Dispose();
        _thread.Join();
    }
}
