using System.Net;
using System.Net.Sockets;

namespace Gateway.Tests.Sync.Mqtt.Peers;

/// <summary>
/// A loopback TCP proxy in front of a broker that can swallow the broker's replies and then cut every
/// connection — the network failing after a PUBLISH reached the broker but before its PUBACK came
/// back. Connections made after a cut are forwarded normally.
/// </summary>
public sealed class InterruptibleTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Link> _links = [];
    private readonly Task _acceptLoop;

    public InterruptibleTcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public string Uri => $"mqtt://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>From now on, bytes from the broker on the current connections are read and dropped.</summary>
    public void SwallowReplies()
    {
        lock (_links)
        {
            foreach (var link in _links)
            {
                link.Swallow = true;
            }
        }
    }

    /// <summary>Closes both sides of every current connection.</summary>
    public void CutAll()
    {
        lock (_links)
        {
            foreach (var link in _links)
            {
                link.Close();
            }
            _links.Clear();
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }
            var link = new Link(client, server);
            lock (_links)
            {
                _links.Add(link);
            }
            _ = PumpAsync(client, server, () => false);
            _ = PumpAsync(server, client, () => link.Swallow);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, Func<bool> swallow)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    break;
                }
                if (!swallow())
                {
                    await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
        from.Dispose();
        to.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        CutAll();
        _stop.Dispose();
    }

    private sealed class Link(Socket client, Socket server)
    {
        public volatile bool Swallow;

        public void Close()
        {
            client.Dispose();
            server.Dispose();
        }
    }
}
