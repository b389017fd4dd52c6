using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Gateway.Sync.Time;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sync.Time;

public sealed class SntpClientTests
{
    private static readonly NtpServer Server = new("127.0.0.1", 123);

    [Fact]
    public async Task Chronyd_s_time_is_the_system_time_within_the_error_bound()
    {
        using var chrony = await ChronyServer.StartAsync();
        var client = new SntpClient(TimeProvider.System);

        var sample = await client.QueryAsync(new NtpServer("127.0.0.1", chrony.Port), TimeSpan.FromSeconds(3), CancellationToken.None);
        var systemThen = DateTimeOffset.UtcNow - TimeProvider.System.GetElapsedTime(sample.Timestamp);

        // chronyd serves this machine's clock (local stratum 8): the two agree to the bound, plus
        // the NTP format's and the clocks' granularity.
        Assert.Equal(8, sample.Stratum);
        Assert.InRange((systemThen - sample.Utc).Duration().TotalMilliseconds, 0, (sample.ErrorBoundSeconds * 1000) + 50);
        Assert.InRange(sample.Delay, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_silent_server_is_a_timeout_on_the_injected_clock()
    {
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var client = new SntpClient(time);

        var query = client.QueryAsync(new NtpServer("127.0.0.1", ((IPEndPoint)silent.LocalEndPoint!).Port), TimeSpan.FromSeconds(3), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(2.9));
        await Task.Delay(50);
        Assert.False(query.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.2));

        var e = await Assert.ThrowsAsync<NtpQueryException>(() => query);
        Assert.Contains("timeout", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_server_on_the_port_is_connection_refused()
    {
        var client = new SntpClient(TimeProvider.System);
        var e = await Assert.ThrowsAsync<NtpQueryException>(() => client.QueryAsync(new NtpServer("127.0.0.1", ChronyServer.FreeUdpPort()), TimeSpan.FromSeconds(3), CancellationToken.None));
        Assert.Contains("connection refused", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reply_that_does_not_echo_our_nonce_is_ignored_and_the_real_one_taken()
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var client = new SntpClient(TimeProvider.System);
        var query = client.QueryAsync(new NtpServer("127.0.0.1", ((IPEndPoint)server.LocalEndPoint!).Port), TimeSpan.FromSeconds(5), CancellationToken.None);

        var request = new byte[48];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        var got = await server.ReceiveFromAsync(request, SocketFlags.None, from);
        var nonce = BinaryPrimitives.ReadUInt64BigEndian(request.AsSpan(40));
        Assert.Equal((4 << 3) | 3, request[0]);
        var forged = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var real = new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
        await server.SendToAsync(Reply(nonce + 1, forged, stratum: 2), SocketFlags.None, got.RemoteEndPoint);
        await server.SendToAsync(Reply(nonce, real, stratum: 2), SocketFlags.None, got.RemoteEndPoint);

        var sample = await query;
        Assert.InRange(sample.Utc, real, real + TimeSpan.FromSeconds(1));
        Assert.Equal(2, sample.Stratum);
    }

    [Theory]
    [InlineData(0, 4, 4, 0, "kiss-o'-death DENY")]
    [InlineData(3, 4, 4, 2, "not synchronised")]
    [InlineData(0, 4, 4, 16, "not synchronised")]
    [InlineData(0, 4, 5, 2, "not a server reply (mode 5)")]
    [InlineData(0, 2, 4, 2, "unsupported NTP version 2")]
    public void Replies_RFC_4330_says_to_discard_are_refused_with_the_reason(int leap, int version, int mode, int stratum, string expected)
    {
        var data = Reply(1, new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero), stratum, leap, version, mode, referenceId: "DENY");
        var packet = NtpPacket.Parse(data)!.Value;

        var e = Assert.Throws<NtpQueryException>(() => SntpClient.Sample(Server, packet, TimeSpan.FromMilliseconds(10), 0));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(stratum == 0 ? "DENY" : null, e.KissCode);
    }

    [Fact]
    public void The_time_at_arrival_is_the_transmit_time_plus_half_the_network_delay()
    {
        var t2 = new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
        var data = Reply(1, t2 + TimeSpan.FromMilliseconds(30), stratum: 1, receive: t2);

        // 130 ms round trip, 30 of them spent in the server: 100 ms on the wire, 50 after it sent.
        var sample = SntpClient.Sample(Server, NtpPacket.Parse(data)!.Value, TimeSpan.FromMilliseconds(130), 42);

        Assert.InRange(sample.Delay, TimeSpan.FromMilliseconds(99.99), TimeSpan.FromMilliseconds(100.01));
        Assert.Equal(t2 + TimeSpan.FromMilliseconds(80), sample.Utc, TimeSpan.FromMilliseconds(0.01));
        Assert.Equal(42, sample.Timestamp);
    }

    [Theory]
    [InlineData("2026-11-29T20:30:00.25Z")]
    [InlineData("1970-01-01T00:00:00Z")]
    [InlineData("2036-02-07T06:28:16Z")] // the first second of NTP era 1
    [InlineData("2040-06-01T12:00:00.5Z")]
    public void NTP_timestamps_round_trip_across_the_2036_era(string utc)
    {
        var time = DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(time, NtpPacket.ToUtc(NtpPacket.FromUtc(time)), TimeSpan.FromMicroseconds(1));
    }

    [Fact]
    public void The_Unix_epoch_is_2208988800_NTP_seconds()
    {
        Assert.Equal(2208988800UL << 32, NtpPacket.FromUtc(DateTimeOffset.UnixEpoch));
    }

    /// <summary>A server reply header (RFC 5905 figure 8) answering <paramref name="nonce"/>.</summary>
    internal static byte[] Reply(ulong nonce, DateTimeOffset transmit, int stratum, int leap = 0, int version = 4, int mode = 4, string referenceId = "LOCL", DateTimeOffset? receive = null)
    {
        var data = new byte[48];
        data[0] = (byte)((leap << 6) | (version << 3) | mode);
        data[1] = (byte)stratum;
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), 0x0000_0100);  // root delay ~4 ms
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(8), 0x0000_0100);  // root dispersion ~4 ms
        for (var i = 0; i < 4; i++)
        {
            data[12 + i] = (byte)referenceId[i];
        }
        BinaryPrimitives.WriteUInt64BigEndian(data.AsSpan(24), nonce);
        BinaryPrimitives.WriteUInt64BigEndian(data.AsSpan(32), NtpPacket.FromUtc(receive ?? transmit));
        BinaryPrimitives.WriteUInt64BigEndian(data.AsSpan(40), NtpPacket.FromUtc(transmit));
        return data;
    }
}
