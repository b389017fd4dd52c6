using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Bench.Support;

/// <summary>
/// A loopback TCP proxy between an MQTT 5.0 client and a broker that watches the packets without
/// changing them: every QoS 1/2 PUBLISH the client sends (packet id, DUP), the CONNACK (Session
/// Present, granted Receive Maximum), and the largest number of the client's publishes that were
/// unacknowledged at once. It can also stop passing the broker's replies (PUBACKs lost on the way)
/// and cut every connection — how a bench checks what a client resends on a resumed session.
/// </summary>
internal sealed class MqttCountingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _brokerPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly List<Link> _links = [];
    private readonly Task _accepting;
    private volatile bool _swallowReplies;
    private int _maxInFlight;

    public MqttCountingProxy(int brokerPort)
    {
        _brokerPort = brokerPort;
        _listener.Start();
        _accepting = AcceptAsync(_stop.Token);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Uri => $"mqtt://127.0.0.1:{Port}";

    /// <summary>Most of the client's QoS 1/2 publishes seen unacknowledged at one time.</summary>
    public int MaxInFlight
    {
        get
        {
            lock (_gate)
            {
                return _maxInFlight;
            }
        }
    }

    /// <summary>What each connection so far carried, in order of connection.</summary>
    public IReadOnlyList<ObservedConnection> Connections
    {
        get
        {
            lock (_gate)
            {
                return [.. _links.Select(l => new ObservedConnection([.. l.Publishes], l.SessionPresent, l.ReceiveMaximum))];
            }
        }
    }

    /// <summary>From now on the broker's bytes are read and dropped: the client never sees its PUBACKs.</summary>
    public void SwallowReplies() => _swallowReplies = true;

    /// <summary>Closes every open connection (both sides) and passes replies again for the next ones.</summary>
    public void CutAll()
    {
        lock (_gate)
        {
            foreach (var link in _links)
            {
                link.Client.Dispose();
                link.Broker.Dispose();
            }
        }
        _swallowReplies = false;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        CutAll();
        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
        _stop.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
            var broker = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            await broker.ConnectAsync(IPAddress.Loopback, _brokerPort, cancellationToken).ConfigureAwait(false);
            var link = new Link(client, broker);
            lock (_gate)
            {
                _links.Add(link);
            }
            _ = PumpAsync(link, toBroker: true);
            _ = PumpAsync(link, toBroker: false);
        }
    }

    private async Task PumpAsync(Link link, bool toBroker)
    {
        var (from, to) = toBroker ? (link.Client, link.Broker) : (link.Broker, link.Client);
        var scanner = new MqttFrameScanner();
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }
                if (!toBroker && _swallowReplies)
                {
                    continue;
                }
                lock (_gate)
                {
                    scanner.Append(buffer.AsSpan(0, n), toBroker ? link.FromClient : link.FromBroker);
                    _maxInFlight = Math.Max(_maxInFlight, link.Unacknowledged.Count);
                }
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None).ConfigureAwait(false);
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    private sealed class Link(Socket client, Socket broker)
    {
        private const int Connack = 2;
        private const int Publish = 3;
        private const int Puback = 4;
        private const byte ReceiveMaximumProperty = 0x21;

        public Socket Client => client;

        public Socket Broker => broker;

        public List<ObservedPublish> Publishes { get; } = [];

        public HashSet<int> Unacknowledged { get; } = [];

        public bool? SessionPresent { get; private set; }

        public int? ReceiveMaximum { get; private set; }

        public void FromClient(byte header, ReadOnlySpan<byte> body)
        {
            var qos = (header >> 1) & 0b11;
            if (header >> 4 != Publish || qos == 0)
            {
                return;
            }
            var topicLength = BinaryPrimitives.ReadUInt16BigEndian(body);
            int id = BinaryPrimitives.ReadUInt16BigEndian(body[(2 + topicLength)..]);
            Publishes.Add(new ObservedPublish(id, (header & 0b1000) != 0));
            Unacknowledged.Add(id);
        }

        public void FromBroker(byte header, ReadOnlySpan<byte> body)
        {
            switch (header >> 4)
            {
                case Puback:
                    Unacknowledged.Remove(BinaryPrimitives.ReadUInt16BigEndian(body));
                    break;
                case Connack:
                    SessionPresent = (body[0] & 1) != 0;
                    // 3.1.1 has no properties; in 5.0 an absent Receive Maximum means 65,535 (§3.2.2.3.3)
                    ReceiveMaximum = body.Length > 2 ? FindTwoByteProperty(body[2..], ReceiveMaximumProperty) ?? 65_535 : null;
                    break;
            }
        }

        // MQTT 5.0 §2.2.2.2: a Property Length varint, then identifier + value; the value's size follows from the identifier.
        private static int? FindTwoByteProperty(ReadOnlySpan<byte> properties, byte wanted)
        {
            var length = 0;
            var shift = 0;
            var i = 0;
            do
            {
                length |= (properties[i] & 0x7F) << shift;
                shift += 7;
            }
            while ((properties[i++] & 0x80) != 0);
            var end = i + length;
            while (i < end)
            {
                var id = properties[i++];
                if (id == wanted)
                {
                    return BinaryPrimitives.ReadUInt16BigEndian(properties[i..]);
                }
                i += id switch
                {
                    0x01 or 0x17 or 0x19 or 0x24 or 0x25 or 0x28 or 0x29 or 0x2A => 1,
                    0x13 or 0x21 or 0x22 or 0x23 => 2,
                    0x02 or 0x11 or 0x18 or 0x27 => 4,
                    0x26 => StringPairLength(properties[i..]),
                    0x0B => SkipVarint(properties[i..]),
                    _ => 2 + BinaryPrimitives.ReadUInt16BigEndian(properties[i..]), // UTF-8 strings and binary data
                };
            }
            return null;
        }

        private static int StringPairLength(ReadOnlySpan<byte> data)
        {
            var name = 2 + BinaryPrimitives.ReadUInt16BigEndian(data);
            return name + 2 + BinaryPrimitives.ReadUInt16BigEndian(data[name..]);
        }

        private static int SkipVarint(ReadOnlySpan<byte> data)
        {
            var n = 0;
            while ((data[n++] & 0x80) != 0)
            {
            }
            return n;
        }
    }
}

/// <summary>A QoS 1/2 PUBLISH the client sent through the proxy.</summary>
internal readonly record struct ObservedPublish(int PacketId, bool Dup);

/// <summary>One client connection through the proxy: its publishes, and what the broker's CONNACK said.</summary>
internal sealed record ObservedConnection(IReadOnlyList<ObservedPublish> Publishes, bool? SessionPresent, int? ReceiveMaximum);
