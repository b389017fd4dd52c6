using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Gateway.Sync.Time;

/// <summary>
/// One answer of an NTP server: <see cref="Utc"/> was the time at the monotonic
/// <see cref="Timestamp"/> (of the client's <see cref="TimeProvider"/>), to within half of
/// <see cref="Delay"/> plus the server's own <see cref="RootDistanceSeconds"/>.
/// </summary>
internal sealed record NtpSample(NtpServer Server, DateTimeOffset Utc, long Timestamp, TimeSpan Delay, int Stratum, double RootDistanceSeconds)
{
    /// <summary>How far this sample may be off: the path's half round trip plus the server's distance to its reference.</summary>
    public double ErrorBoundSeconds => Delay.TotalSeconds / 2 + RootDistanceSeconds;
}

/// <summary>Why a server gave no usable time. <see cref="KissCode"/> is set for a kiss-o'-death (RFC 5905 section 7.4).</summary>
internal sealed class NtpQueryException : Exception
{
    public NtpQueryException() { }

    public NtpQueryException(string message) : base(message) { }

    public NtpQueryException(string message, Exception inner) : base(message, inner) { }

    public NtpQueryException(string message, string? kissCode) : base(message) => KissCode = kissCode;

    public string? KissCode { get; }
}

/// <summary>
/// An SNTPv4 client (RFC 4330, on the RFC 5905 packet). It never sets the system clock: it ties a
/// server's UTC to the monotonic clock, which is what the store needs to date records on a pole
/// whose clock is still at 1970 and that may not set it (no CAP_SYS_TIME).
/// </summary>
internal sealed class SntpClient(TimeProvider time)
{
    /// <summary>RFC 5905 section 7.2, MAXDIST: a server farther than this from its reference is not used.</summary>
    internal const double MaxRootDistanceSeconds = 1.5;

    public async Task<NtpSample> QueryAsync(NtpServer server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var address = await ResolveAsync(server.Host, linked.Token).ConfigureAwait(false);
            using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            // Connected: the kernel passes up only datagrams from this server's address and port.
            await socket.ConnectAsync(new IPEndPoint(address, server.Port), linked.Token).ConfigureAwait(false);
            var nonce = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
            var request = new byte[NtpPacket.Length];
            NtpPacket.WriteRequest(request, nonce);
            var sent = time.GetTimestamp();
            await socket.SendAsync(request, SocketFlags.None, linked.Token).ConfigureAwait(false);
            var buffer = new byte[512];
            while (true)
            {
                int length;
                try
                {
                    length = await socket.ReceiveAsync(buffer, SocketFlags.None, linked.Token).ConfigureAwait(false);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
                {
                    throw new NtpQueryException($"{server}: connection refused (no NTP server on UDP port {server.Port})", e);
                }
                var received = time.GetTimestamp();
                if (NtpPacket.Parse(buffer.AsSpan(0, length)) is not { } reply || reply.OriginateTimestamp != nonce)
                {
                    continue; // short, stale or forged: not the answer to this request (RFC 5905 section 8)
                }
                return Sample(server, reply, time.GetElapsedTime(sent, received), received);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new NtpQueryException($"{server}: timeout (no answer within {timeout.TotalSeconds:0.#} s)");
        }
        catch (SocketException e)
        {
            throw new NtpQueryException($"{server}: {e.Message}", e);
        }
    }

    /// <summary>Checks a reply as RFC 4330 section 5 asks and computes the time at its arrival.</summary>
    internal static NtpSample Sample(NtpServer server, NtpPacket reply, TimeSpan roundTrip, long receivedTimestamp)
    {
        if (reply.Mode != NtpPacket.ServerMode)
        {
            throw new NtpQueryException($"{server}: not a server reply (mode {reply.Mode})");
        }
        if (reply.Stratum == 0)
        {
            var code = reply.KissCode;
            throw new NtpQueryException($"{server}: kiss-o'-death {code}", code);
        }
        if (reply.LeapIndicator == NtpPacket.Unsynchronized || reply.Stratum > 15)
        {
            throw new NtpQueryException($"{server}: the server is not synchronised itself (leap indicator {reply.LeapIndicator}, stratum {reply.Stratum})");
        }
        if (reply.Version is < 3 or > 4)
        {
            throw new NtpQueryException($"{server}: unsupported NTP version {reply.Version}");
        }
        if (reply.TransmitTimestamp == 0 || reply.ReceiveTimestamp == 0)
        {
            throw new NtpQueryException($"{server}: the reply carries no time");
        }
        if (reply.RootDistanceSeconds > MaxRootDistanceSeconds)
        {
            throw new NtpQueryException($"{server}: too far from its reference (root distance {reply.RootDistanceSeconds:0.###} s)");
        }
        var serverReceive = NtpPacket.ToUtc(reply.ReceiveTimestamp);
        var serverTransmit = NtpPacket.ToUtc(reply.TransmitTimestamp);
        var held = serverTransmit - serverReceive;
        // The network's part of the round trip (RFC 5905 section 8, delta); never below zero,
        // which clock granularity on either side can produce.
        var delay = roundTrip - held;
        if (delay < TimeSpan.Zero)
        {
            delay = TimeSpan.Zero;
        }
        // The reply left the server at T3 and took about half the network delay to arrive.
        return new NtpSample(server, serverTransmit + delay / 2, receivedTimestamp, delay, reply.Stratum, reply.RootDistanceSeconds);
    }

    private static async Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return literal;
        }
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new NtpQueryException($"{host}: cannot resolve the name ({e.Message})", e);
        }
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new NtpQueryException($"{host}: the name has no address");
    }
}
