using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gateway.Sync.Mqtt.Packets;
using Gateway.Sync.Mqtt.Transport;

namespace Gateway.Tests.Sync.Mqtt.Peers;

/// <summary>
/// A scripted broker of our own for faults mosquitto never produces: it accepts CONNECT, answers
/// CONNACK, then lets a per-connection script acknowledge publishes and misbehave. It records every
/// CONNECT, every PUBLISH and every PUBACK it sent.
/// </summary>
public sealed class FakeMqttBroker : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly MqttProtocolVersion _version;
    private readonly Func<int, Connection, CancellationToken, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;
    private int _connectionCount;

    /// <param name="script">Runs after CONNACK for connection number n (0-based) until it returns; then the socket closes.</param>
    /// <param name="connAck">The CONNACK for connection n; null sends <see cref="Garbage"/> instead.</param>
    internal FakeMqttBroker(MqttProtocolVersion version, Func<int, Connection, CancellationToken, Task> script, Func<int, ConnAckPacket?>? connAck = null)
    {
        _version = version;
        _script = script;
        ConnAckFor = connAck ?? (_ => new ConnAckPacket());
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    internal Func<int, ConnAckPacket?> ConnAckFor { get; }

    public static byte[] Garbage { get; } = [0x00, 0xFF, 0x13, 0x37, 0x42];

    public string Uri => $"mqtt://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    internal ConcurrentQueue<ConnectPacket> Connects { get; } = new();

    /// <summary>Payloads this broker acknowledged with a successful PUBACK, one entry per PUBACK.</summary>
    public ConcurrentQueue<string> Acknowledged { get; } = new();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var index = Interlocked.Increment(ref _connectionCount) - 1;
            lock (_connections)
            {
                _connections.Add(ServeAsync(index, socket));
            }
        }
    }

    private async Task ServeAsync(int index, Socket socket)
    {
        await using var channel = new MqttChannel(new NetworkStream(socket, ownsSocket: true), 16 * 1024 * 1024);
        var connection = new Connection(this, channel);
        try
        {
            var connect = await connection.ReadAsync(_stop.Token);
            Connects.Enqueue(Assert.IsType<ConnectPacket>(connect));
            if (ConnAckFor(index) is { } connAck)
            {
                await connection.SendAsync(connAck, _stop.Token);
            }
            else
            {
                await connection.SendRawAsync(Garbage, _stop.Token);
                return;
            }
            await _script(index, connection, _stop.Token);
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // the client hung up or the test is over
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }
        await Task.WhenAll(connections);
        _stop.Dispose();
    }

    /// <summary>One accepted client connection, as the script sees it.</summary>
    internal sealed class Connection(FakeMqttBroker broker, MqttChannel channel)
    {
        public async Task<IMqttPacket> ReadAsync(CancellationToken cancellationToken)
        {
            var received = await channel.ReadPacketAsync(cancellationToken);
            Assert.True(MqttPacketCodec.TryDecode(received.FirstByte, received.Body.Span, broker._version, out var packet, out var error), error);
            return packet!;
        }

        public async Task SendAsync(IMqttPacket packet, CancellationToken cancellationToken)
        {
            var bytes = new byte[MqttPacketCodec.GetEncodedLength(packet, broker._version)];
            MqttPacketCodec.Encode(packet, broker._version, bytes);
            await channel.WriteAsync(bytes, cancellationToken);
        }

        public ValueTask SendRawAsync(byte[] bytes, CancellationToken cancellationToken) => channel.WriteAsync(bytes, cancellationToken);

        /// <summary>Reads publishes (answering PINGREQ) and acknowledges the first <paramref name="count"/> of them.</summary>
        public async Task AcknowledgePublishesAsync(int count, CancellationToken cancellationToken)
        {
            for (var acked = 0; acked < count;)
            {
                switch (await ReadAsync(cancellationToken))
                {
                    case PublishPacket publish:
                        // recorded before the PUBACK leaves: the client may act on it (and a test look) at once
                        broker.Acknowledged.Enqueue(System.Text.Encoding.UTF8.GetString(publish.Message.Payload.Span));
                        await SendAsync(new PubAckPacket(publish.PacketId), cancellationToken);
                        acked++;
                        break;
                    case PingReqPacket:
                        await SendAsync(PingRespPacket.Instance, cancellationToken);
                        break;
                }
            }
        }
    }
}
