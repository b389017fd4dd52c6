using System.Text;
using Gateway.Drivers;
using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Sensors;
using Gateway.Drivers.Serial;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Gateway.Simulation.Sensors;

namespace Gateway.Tests.Drivers.Sensors;

/// <summary>
/// The serial sensor drivers reading real captures — and corrupted ones — through a socat pty pair,
/// the way they read a sensor on a UART.
/// </summary>
public sealed class SerialSensorsOverPtyTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero));
    private readonly CollectingDriverOutput _sink = new();

    /// <summary>The default opener, as AddPoleSensors registers it: real ports through the termios layer.</summary>
    private static readonly ISerialPortOpener Opener = new TermiosSerialPortOpener([new SimulatedSerialPorts()]);

    /// <summary>
    /// Runs <paramref name="driver"/> on end B, opened through the default <see cref="Opener"/> at
    /// 9600 baud (8N1, raw), while <paramref name="feed"/> writes to end A.
    /// </summary>
    private static async Task RunOverPtyAsync(SerialSensorDriver driver, Func<FileStream, Task> feed, Func<Task> waitForResult)
    {
        using var temp = new TempDirectory();
        using var pty = await SocatPtyPair.StartAsync(temp);
        using var cts = new CancellationTokenSource();
        Task run;
        await using (var gatewayEnd = Opener.Open(pty.B, 9600))
        {
            Assert.Equal(9600, Assert.IsType<SerialPortStream>(gatewayEnd).Port.Settings.Baud);
            run = Task.Run(() => driver.RunOnStreamAsync(gatewayEnd, cts.Token));
            await using (var sensorEnd = pty.OpenDeviceEnd())
            {
                await feed(sensorEnd);
                await waitForResult();
            }
            // Shutdown must not wait for the sensor's next byte.
            await cts.CancelAsync();
            var ended = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(10)));
            Assert.Same(run, ended);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        }
    }

    [Fact]
    public async Task Pms5003_reports_every_good_captured_frame_and_drops_the_corrupt_ones()
    {
        var device = new DeviceOptions { Id = "pm-1", Type = "pms5003", Port = "pty", PollMs = 0 };
        var driver = new Pms5003Driver(device, Opener, _sink, _time, NullLogger.Instance);
        var frames = CaptureFixtures.Pms5003.Select(c => c.Frame).ToArray();
        var badChecksum = (byte[])frames[2].Clone();
        badChecksum[7] ^= 0x10;

        await RunOverPtyAsync(driver, async port =>
        {
            await port.WriteAsync(new byte[] { 0x55, 0x42, 0x00, 0xAA }); // line noise
            await port.WriteAsync(frames[0]);
            await port.WriteAsync(frames[1].AsMemory(0, 20)); // truncated
            await port.WriteAsync(frames[1]);
            await port.WriteAsync(badChecksum);
            // The rest in odd-sized pieces, as a UART driver delivers them.
            var rest = frames[3].Concat(frames[4]).Concat(frames[5]).ToArray();
            for (var i = 0; i < rest.Length; i += 7)
            {
                await port.WriteAsync(rest.AsMemory(i, Math.Min(7, rest.Length - i)));
            }
        }, () => _sink.WaitUntilAsync(s => s.Of("pm10").Length == 5));

        Assert.Equal(new double[] { 11, 8, 4, 1, 22 }, _sink.Of("pm10").Select(r => r.Value.ExpectDouble()));
        Assert.Equal(new double[] { 8, 8, 2, 0, 13 }, _sink.Of("pm2_5").Select(r => r.Value.ExpectDouble()));
        Assert.Equal(new double[] { 0, 0, 0, 0, 5 }, _sink.Of("pm1_0").Select(r => r.Value.ExpectDouble()));
        Assert.All(_sink.Readings, r => Assert.Equal("µg/m³", r.Unit));
        Assert.Equal(2, driver.CorruptFrames);
    }

    [Fact]
    public async Task Nmea_reports_position_and_a_time_fix_from_captures_and_ignores_corruption()
    {
        var device = new DeviceOptions { Id = "gps-1", Type = "nmea", Port = "pty", PollMs = 0, TimeSource = true };
        var driver = new NmeaDriver(device, Opener, _sink, _sink, _time, NullLogger.Instance)
        {
            MinPlausibleUtc = new DateTimeOffset(2019, 1, 1, 0, 0, 0, TimeSpan.Zero), // the captures are from 2020
        };
        var captures = CaptureFixtures.Nmea.Select(c => c.Sentence).ToArray();
        var text = new StringBuilder()
            .Append("\0\u007f$GPGSV,3,1,1") // noise and a sentence cut off by a reset
            .Append("\r\n")
            .Append(captures[0][..^1] + "1\r\n") // GGA with a wrong checksum
            .Append(captures[0][..40] + "\r\n") // GGA truncated
            .Append(captures[6] + "\r\n") // GGA without a fix: no position
            .Append(captures[5] + "\r\n") // RMC void: no time
            .Append(captures[0] + "\r\n") // good GGA
            .Append(captures[1] + "\r\n") // good RMC: the time fix
            .Append(captures[7] + "\r\n") // good GGA, western hemisphere
            .ToString();

        await RunOverPtyAsync(driver, async port =>
        {
            var bytes = Encoding.Latin1.GetBytes(text);
            for (var i = 0; i < bytes.Length; i += 13)
            {
                await port.WriteAsync(bytes.AsMemory(i, Math.Min(13, bytes.Length - i)));
            }
        }, () => _sink.WaitUntilAsync(s => s.Of("latitude").Length == 2 && s.TimeFixes.Length == 1));

        Assert.Equal([49.5963391833, 41.5239735], _sink.Of("latitude").Select(r => Math.Round(r.Value.ExpectDouble(), 10)));
        Assert.Equal([7.0135398333, -70.6722655], _sink.Of("longitude").Select(r => Math.Round(r.Value.ExpectDouble(), 10)));
        Assert.Equal([17L, 7L], _sink.Of("satellites").Select(r => r.Value.ExpectInt64()));
        var fix = Assert.Single(_sink.TimeFixes);
        Assert.Equal(new DateTimeOffset(2020, 10, 27, 10, 33, 9, TimeSpan.Zero), fix.Utc);
        Assert.Equal(_time.GetUtcNow(), fix.LocalClockAtReceipt);
        Assert.Equal("gps-1", fix.Source);
        Assert.Equal(3, driver.RejectedSentences); // the cut-off GSV, the bad checksum and the truncated GGA
    }

    [Fact]
    public async Task Pms5003_that_falls_silent_or_sends_only_garbage_is_reported_bad_once_until_it_recovers()
    {
        var device = new DeviceOptions { Id = "pm-1", Type = "pms5003", Port = "pty", PollMs = 0 };
        var driver = new Pms5003Driver(device, Opener, _sink, _time, NullLogger.Instance);
        Assert.Equal(TimeSpan.FromSeconds(10), driver.StaleAfter);
        var frame = CaptureFixtures.Pms5003[0].Frame;
        var corrupt = (byte[])frame.Clone();
        corrupt[12] ^= 0x01;
        Reading[] Bad() => [.. _sink.Readings.Where(r => r.Quality == ReadingQuality.Bad)];

        async Task StepUntilAsync(Func<bool> condition, TimeSpan most)
        {
            for (var t = TimeSpan.Zero; !condition() && t < most; t += TimeSpan.FromMilliseconds(500))
            {
                _time.Advance(TimeSpan.FromMilliseconds(500));
                await Task.Delay(5);
            }
        }

        await RunOverPtyAsync(driver, async port =>
        {
            await port.WriteAsync(frame);
            await _sink.WaitUntilAsync(s => s.Of("pm10").Length == 1);

            await StepUntilAsync(() => Bad().Length == 3, TimeSpan.FromSeconds(15));
            Assert.Equal(["pm1_0", "pm2_5", "pm10"], Bad().Select(r => r.Point));
            Assert.All(Bad(), r => Assert.Equal(ReadingValue.None, r.Value));
            Assert.StartsWith("no valid data from the sensor", Bad()[0].Reason, StringComparison.Ordinal);

            await port.WriteAsync(corrupt); // garbage is no sign of life
            await StepUntilAsync(() => false, TimeSpan.FromSeconds(15));
            Assert.Equal(3, Bad().Length); // once per silence, not every period

            await port.WriteAsync(frame);
            await _sink.WaitUntilAsync(s => s.Of("pm10").Count(r => r.Quality == ReadingQuality.Good) == 2);
            await StepUntilAsync(() => Bad().Length == 6, TimeSpan.FromSeconds(15));
        }, () => _sink.WaitUntilAsync(_ => Bad().Length == 6));

        Assert.Equal(1, driver.CorruptFrames);
    }
}
