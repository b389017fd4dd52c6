using Gateway.Drivers;
using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Sensors;
using Gateway.Drivers.Serial;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Gateway.Simulation.Sensors;

namespace Gateway.Tests.Drivers.Sensors;

/// <summary>The default serial sensor opener: real ports through the termios layer, <c>sim:NAME</c> from the registry.</summary>
public sealed class TermiosSerialPortOpenerTests
{
    private readonly SimulatedSerialPorts _simulated = new();

    private TermiosSerialPortOpener Opener => new([_simulated]);

    [Fact]
    public async Task A_pms5003_on_a_pty_is_opened_at_the_devices_baud_in_raw_8N1_and_its_frame_arrives()
    {
        var stty = ExternalTool.Require("stty");
        using var temp = new TempDirectory();
        using var pty = await SocatPtyPair.StartAsync(temp);
        var output = new CollectingDriverOutput();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero));
        var device = new DeviceOptions { Id = "pm-1", Type = "pms5003", Port = pty.B, Baud = 9600, PollMs = 0 };
        var driver = new Pms5003Driver(device, Opener, output, time, NullLogger.Instance);
        var capture = CaptureFixtures.Pms5003[0];
        using var cts = new CancellationTokenSource();
        var run = Task.Run(() => driver.RunAsync(cts.Token));
        try
        {
            await using var sensorEnd = pty.OpenDeviceEnd();
            // The driver opens the port asynchronously: resend until the first frame gets through.
            using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                while (output.Of("pm10").Length == 0)
                {
                    Assert.False(run.IsCompleted, "the driver stopped: " + run.Exception?.InnerException?.Message);
                    await sensorEnd.WriteAsync(capture.Frame, wait.Token);
                    await Task.Delay(100, wait.Token);
                }
            }

            var settings = ExternalTool.Run(stty, ["-F", pty.B, "-a"], TimeSpan.FromSeconds(10));
            Assert.Equal(0, settings.ExitCode);
            Assert.Contains("speed 9600 baud", settings.StdOut, StringComparison.Ordinal);
            var flags = settings.StdOut.Split([' ', '\n', ';'], StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("cs8", flags);
            Assert.Contains("-parenb", flags);
            Assert.Contains("-cstopb", flags);
            Assert.Contains("-icanon", flags); // raw: no line discipline between the sensor and the driver
            Assert.Contains("-echo", flags);
            Assert.Contains("-opost", flags);
        }
        finally
        {
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
        }

        var pm10 = output.Of("pm10")[0];
        Assert.Equal(ReadingValue.FromDouble(capture.Pm10), pm10.Value);
        Assert.Equal(ReadingQuality.Good, pm10.Quality);
        Assert.Equal(ReadingValue.FromDouble(capture.Pm2_5), output.Of("pm2_5")[0].Value);
        Assert.Equal(ReadingValue.FromDouble(capture.Pm1_0), output.Of("pm1_0")[0].Value);
    }

    [Fact]
    public async Task A_pending_read_ends_when_its_token_is_cancelled_and_bytes_written_arrive()
    {
        using var temp = new TempDirectory();
        using var pty = await SocatPtyPair.StartAsync(temp);
        await using var port = Opener.Open(pty.B, 9600);
        Assert.Equal(new SerialPortSettings(pty.B, 9600), Assert.IsType<SerialPortStream>(port).Port.Settings);

        using (var cancel = new CancellationTokenSource())
        {
            var pending = port.ReadAsync(new byte[16], cancel.Token).AsTask();
            Assert.False(pending.IsCompleted); // nothing was sent
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(TimeSpan.FromSeconds(10)));
        }

        await using var sensorEnd = pty.OpenDeviceEnd();
        await sensorEnd.WriteAsync(new byte[] { 0x42, 0x4D, 0x00 });
        var buffer = new byte[16];
        var read = 0;
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (read < 3)
        {
            read += await port.ReadAsync(buffer.AsMemory(read), wait.Token);
        }
        Assert.Equal(new byte[] { 0x42, 0x4D, 0x00 }, buffer[..read]);
    }

    [Fact]
    public void Simulated_ports_come_from_the_registry_and_unknown_ones_fail()
    {
        var stream = new MemoryStream([1, 2, 3]);
        _simulated.Add("pm", () => stream);
        Assert.Same(stream, Opener.Open("sim:pm", 9600));
        Assert.Throws<IOException>(() => Opener.Open("sim:nothing", 9600));
    }

    [Fact]
    public void A_missing_device_fails_with_the_reason()
    {
        using var temp = new TempDirectory();
        var e = Assert.Throws<DeviceIOException>(() => Opener.Open(temp.File("ttyNONE"), 9600));
        Assert.Contains("No such file", e.Message, StringComparison.Ordinal);
        Assert.Equal("ENOENT " + temp.File("ttyNONE"), DeviceFaultReason.Describe(e));
    }

    [Fact]
    public void A_file_that_is_not_a_terminal_is_refused()
    {
        using var temp = new TempDirectory();
        var path = temp.File("plain");
        File.WriteAllBytes(path, [1, 2, 3]);
        var e = Assert.Throws<DeviceIOException>(() => Opener.Open(path, 9600));
        Assert.Contains("tcgetattr", e.Message, StringComparison.Ordinal);
    }
}
