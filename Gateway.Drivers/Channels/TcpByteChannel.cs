using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Gateway.Drivers.Channels;

/// <summary>A TCP connection as an <see cref="IByteChannel"/> (Modbus TCP and RTU over TCP).</summary>
internal sealed class TcpByteChannel : IByteChannel
{
    private readonly Socket _socket;
    private readonly byte[] _discard = new byte[256];

    private TcpByteChannel(Socket socket) => _socket = socket;

    public static ByteChannelConnector Connector(string host, int port) => async cancellationToken =>
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new DnsEndPoint(host, port), cancellationToken).ConfigureAwait(false);
            return new TcpByteChannel(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    };

    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var sent = await _socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    public int DiscardInput()
    {
        var total = 0;
        while (_socket.Available > 0)
        {
            var n = _socket.Receive(_discard, Math.Min(_discard.Length, _socket.Available), SocketFlags.None);
            if (n <= 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
