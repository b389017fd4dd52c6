using System.Net;
using System.Net.Sockets;
using Gateway.Drivers.Abstractions;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Drivers.Abstractions;

public sealed class DeviceHealthTrackerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
    private readonly CollectingDriverOutput _sink = new();

    [Fact]
    public async Task One_offline_per_streak_one_online_when_it_works_again_and_nothing_for_a_device_that_just_works()
    {
        var health = new DeviceHealthTracker("gps-1", _sink, _time, NullLogger.Instance);
        await health.OnlineAsync(CancellationToken.None); // works from the start: nothing to say
        Assert.Empty(_sink.Events);

        await health.OfflineAsync("ENOENT /dev/ttyS3", CancellationToken.None);
        await health.OfflineAsync("ENOENT /dev/ttyS3", CancellationToken.None); // every retry fails again
        await health.OfflineAsync("EACCES /dev/ttyS3", CancellationToken.None);
        Assert.True(health.IsOffline);
        Assert.Equal("EACCES /dev/ttyS3", health.Reason);

        await health.OnlineAsync(CancellationToken.None);
        await health.OnlineAsync(CancellationToken.None);
        Assert.False(health.IsOffline);
        Assert.Null(health.Reason);

        Assert.Equal(["device.offline", "device.online"], _sink.Events.Select(e => e.Type));
        var offline = _sink.Events[0];
        Assert.Equal("gps-1", offline.Source);
        Assert.Equal("gps-1", offline.Data["device"]);
        Assert.Equal("ENOENT /dev/ttyS3", offline.Data["reason"]);
        Assert.False(_sink.Events[1].Data.ContainsKey("reason"));
    }

    [Fact]
    public async Task A_device_that_fails_from_the_start_is_reported_at_once()
    {
        var health = new DeviceHealthTracker("env-1", _sink, _time, NullLogger.Instance);
        await health.OfflineAsync("ENOENT /dev/i2c-1", CancellationToken.None);
        Assert.Equal("device.offline", Assert.Single(_sink.Events).Type);
    }

    [Fact]
    public void Errno_faults_name_the_errno_and_the_device_file()
    {
        Assert.Equal("ENOENT /dev/ttyS3", DeviceFaultReason.Describe(new DeviceIOException("open /dev/ttyS3: No such file or directory (errno 2)", 2, "/dev/ttyS3")));
        Assert.Equal("EACCES /dev/i2c-1", DeviceFaultReason.Describe(new InvalidOperationException("wrapped", new DeviceIOException("x", 13, "/dev/i2c-1"))));
        Assert.Equal("EREMOTEIO /dev/i2c-1", DeviceFaultReason.Describe(new DeviceIOException("x", 121, "/dev/i2c-1")));
        Assert.Equal("errno 4095 /dev/x", DeviceFaultReason.Describe(new DeviceIOException("x", 4095, "/dev/x")));
        Assert.Equal("timeout", DeviceFaultReason.Describe(new TimeoutException("the device did not answer\n   at Somewhere()")));
        Assert.Equal("port closed", DeviceFaultReason.Describe(new IOException("port closed\n   at a stack line")));
    }

    [Fact]
    public async Task A_refused_connection_says_connection_refused()
    {
        // A port nobody listens on, on loopback: the kernel answers RST at once.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var e = await Assert.ThrowsAsync<SocketException>(() => socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Net.FreePort())));
        Assert.Equal("connection refused", DeviceFaultReason.Describe(e));
    }
}
