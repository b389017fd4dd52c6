using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Serial;
using Gateway.Tests.Support;

namespace Gateway.Tests.Drivers.Serial;

/// <summary>The termios serial port over a socat pty pair (no UART here).</summary>
public class SerialPortTests
{
    [Theory]
    [InlineData(9600, SerialParity.None, 8, 1)]
    [InlineData(19200, SerialParity.Even, 8, 1)]
    [InlineData(115200, SerialParity.Odd, 7, 2)]
    public async Task Bytes_cross_the_line_both_ways_with_any_frame_settings(int baud, SerialParity parity, int dataBits, int stopBits)
    {
        using var temp = new TempDirectory("serial");
        using var pty = await SocatPtyPair.StartAsync(temp);
        await using var a = SerialPort.Open(new SerialPortSettings(pty.A, baud, parity, dataBits, stopBits));
        await using var b = SerialPort.Open(new SerialPortSettings(pty.B, baud, parity, dataBits, stopBits, Rs485: true));
        Assert.False(b.Rs485Enabled); // a pty has no RS-485 driver: refused quietly, the port still works

        var message = Enumerable.Range(0, 600).Select(i => (byte)(i % 128)).ToArray();
        await a.WriteAsync(message, CancellationToken.None);
        Assert.Equal(message, await ReadAsync(b, message.Length));

        await b.WriteAsync("pong"u8.ToArray(), CancellationToken.None);
        Assert.Equal("pong"u8.ToArray(), await ReadAsync(a, 4));
    }

    [Fact]
    public async Task A_read_with_nothing_arriving_ends_when_its_token_is_cancelled_and_input_can_be_discarded()
    {
        using var temp = new TempDirectory("serial");
        using var pty = await SocatPtyPair.StartAsync(temp);
        await using var a = SerialPort.Open(new SerialPortSettings(pty.A));
        await using var b = SerialPort.Open(new SerialPortSettings(pty.B));

        using (var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await b.ReadAsync(new byte[16], timeout.Token));
        }

        await a.WriteAsync("stale"u8.ToArray(), CancellationToken.None);
        await WaitForAsync(() => b.DiscardInput() is var n && n > 0 ? n : 0, 5);
        await a.WriteAsync("fresh"u8.ToArray(), CancellationToken.None);
        Assert.Equal("fresh"u8.ToArray(), await ReadAsync(b, 5));
    }

    [Fact]
    public void Opening_a_missing_port_says_why()
    {
        var error = Assert.Throws<DeviceIOException>(() => SerialPort.Open(new SerialPortSettings("/dev/does-not-exist")));
        Assert.Contains("/dev/does-not-exist", error.Message, StringComparison.Ordinal);
        Assert.Equal("ENOENT /dev/does-not-exist", DeviceFaultReason.Describe(error));
    }

    [Fact]
    public void Opening_something_that_is_not_a_terminal_fails_cleanly()
    {
        using var temp = new TempDirectory("serial");
        File.WriteAllText(temp.File("plain"), "x");
        var error = Assert.Throws<DeviceIOException>(() => SerialPort.Open(new SerialPortSettings(temp.File("plain"))));
        Assert.Contains("tcgetattr", error.Message, StringComparison.Ordinal);
        Assert.Equal("ENOTTY " + temp.File("plain"), DeviceFaultReason.Describe(error));
    }

    private static async Task<byte[]> ReadAsync(SerialPort port, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            read += await port.ReadAsync(buffer.AsMemory(read), timeout.Token);
        }
        return buffer;
    }

    private static async Task WaitForAsync(Func<int> discarded, int expected)
    {
        var total = 0;
        for (var i = 0; i < 250 && total < expected; i++)
        {
            total += discarded();
            await Task.Delay(20);
        }
        Assert.Equal(expected, total);
    }
}
