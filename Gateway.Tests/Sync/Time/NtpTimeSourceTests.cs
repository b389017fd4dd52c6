using Gateway.Sync.Store;
using Gateway.Sync.Time;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sync.Time;

public sealed class NtpTimeSourceTests
{
    private static readonly DateTimeOffset Floor = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset RealNow = new(2026, 11, 29, 20, 0, 0, TimeSpan.Zero);

    private readonly WatchedFakeTime _time = new(DateTimeOffset.UnixEpoch); // a pole that booted at 1970
    private readonly CapturingLogger<NtpTimeSource> _log = new();
    private readonly List<(NtpServer Server, DateTimeOffset At)> _asked = [];

    [Fact]
    public async Task With_the_clock_at_1970_NTP_time_dates_measurements_and_the_offset_is_said_once()
    {
        var clock = new ClockSync(Floor, requireTimeSync: false, _time);
        var source = Source(clock, ["ntp.example"], (server, ts) => Sample(server, RealNow, ts));
        var measuredAt = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Null(clock.TimeOf(_time.GetUtcNow(), measuredAt));

        Assert.True(await source.PollOnceAsync(CancellationToken.None));
        Assert.True(await source.PollOnceAsync(CancellationToken.None));

        // A measurement taken 5 s before the answer is dated 5 s before NTP time; the clock is not vouched for.
        Assert.Equal(RealNow - TimeSpan.FromSeconds(5), clock.TimeOf(_time.GetUtcNow(), measuredAt));
        Assert.False(clock.IsSynchronized);
        Assert.Single(_log.Entries, e => e.Message.Contains("system clock is off by", StringComparison.Ordinal));
        Assert.Single(_log.Entries, e => e.Message.Contains("time is known from NTP (ntp.example, stratum 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_answer_that_agrees_with_the_system_clock_vouches_for_it()
    {
        _time.SetUtcNow(RealNow + TimeSpan.FromMilliseconds(120));
        var clock = new ClockSync(Floor, requireTimeSync: true, _time);
        var source = Source(clock, ["ntp.example"], (server, ts) => Sample(server, RealNow, ts));
        Assert.False(clock.IsTrusted(_time.GetUtcNow()));

        await source.PollOnceAsync(CancellationToken.None);

        Assert.True(clock.IsSynchronized);
        Assert.True(clock.IsTrusted(_time.GetUtcNow()));
        Assert.Contains(_log.Entries, e => e.Message.Contains("confirms the system clock", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_answer_with_the_smallest_error_bound_wins()
    {
        var clock = new ClockSync(Floor, requireTimeSync: false, _time);
        var source = Source(clock, ["far.example", "near.example"], (server, ts) => server.Host == "far.example"
            ? Sample(server, RealNow + TimeSpan.FromSeconds(30), ts, delay: TimeSpan.FromMilliseconds(400))
            : Sample(server, RealNow, ts, delay: TimeSpan.FromMilliseconds(4)));

        await source.PollOnceAsync(CancellationToken.None);

        Assert.Equal(RealNow, clock.TimeOf(_time.GetUtcNow(), _time.GetTimestamp()));
    }

    [Fact]
    public async Task Without_answers_it_retries_after_16_s_doubling_then_polls_at_the_configured_interval()
    {
        var clock = new ClockSync(Floor, requireTimeSync: false, _time);
        var answering = false;
        using var stop = new CancellationTokenSource();
        var source = Source(clock, ["ntp.example"], (server, ts) => answering ? Sample(server, RealNow, ts) : throw new NtpQueryException("ntp.example: timeout (no answer within 3 s)"));
        await source.StartAsync(stop.Token);

        await WaitForAsync(() => _asked.Count == 1);
        foreach (var (wait, asked) in new[] { (16, 2), (32, 3), (64, 4) })
        {
            await _time.WaitForTimersAsync(asked - 1); // the source waits for its retry
            _time.Advance(TimeSpan.FromSeconds(wait) - TimeSpan.FromMilliseconds(1));
            Assert.Equal(asked - 1, _asked.Count);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            await WaitForAsync(() => _asked.Count == asked);
        }
        answering = true;
        await _time.WaitForTimersAsync(4);
        _time.Advance(TimeSpan.FromSeconds(128));
        await WaitForAsync(() => _asked.Count == 5);
        await _time.WaitForTimersAsync(5);
        _time.Advance(TimeSpan.FromSeconds(1024) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(5, _asked.Count);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await WaitForAsync(() => _asked.Count == 6);
        await source.StopAsync(CancellationToken.None);

        // One warning for the whole streak, one line when the server answered again.
        Assert.Single(_log.Entries, e => e.Message.Contains("gave no time", StringComparison.Ordinal));
        Assert.Single(_log.Entries, e => e.Message.Contains("answers again", StringComparison.Ordinal));
        Assert.True(clock.IsTimeKnown);
    }

    [Fact]
    public async Task Kiss_o_death_DENY_drops_the_server_and_RATE_skips_a_round()
    {
        var clock = new ClockSync(Floor, requireTimeSync: false, _time);
        var source = Source(clock, ["deny.example", "rate.example", "ok.example"], (server, ts) => server.Host switch
        {
            "deny.example" => throw new NtpQueryException("deny.example: kiss-o'-death DENY", "DENY"),
            "rate.example" => throw new NtpQueryException("rate.example: kiss-o'-death RATE", "RATE"),
            _ => Sample(server, RealNow, ts),
        });

        for (var round = 0; round < 4; round++)
        {
            await source.PollOnceAsync(CancellationToken.None);
        }

        Assert.Equal(1, _asked.Count(a => a.Server.Host == "deny.example"));
        Assert.Equal(2, _asked.Count(a => a.Server.Host == "rate.example")); // rounds 1 and 3
        Assert.Equal(4, _asked.Count(a => a.Server.Host == "ok.example"));
        Assert.Single(_log.Entries, e => e.Message.Contains("refuses this node (kiss code DENY)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ntp.aliyun.com", true)]
    [InlineData("10.0.0.1:1123", true)]
    [InlineData("[fd00::1]:123", true)]
    [InlineData("ntp example", false)]
    [InlineData("host:0", false)]
    [InlineData("host:99999", false)]
    public void Server_names_are_checked_with_the_key_path(string text, bool valid)
    {
        var errors = TimeOptionsValidator.Problems(new TimeOptions { NtpServers = ["pool.ntp.org", text] }).ToList();
        if (valid)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Equal("time.ntpServers[1]", Assert.Single(errors).Path);
        }
    }

    private NtpTimeSource Source(ClockSync clock, List<string> servers, Func<NtpServer, long, NtpSample> answer) =>
        new(new TimeOptions { NtpServers = servers }, clock, _time, _log, (server, _, _) =>
        {
            _asked.Add((server, _time.GetUtcNow()));
            return Task.FromResult(answer(server, _time.GetTimestamp()));
        }, () => 0);

    private static NtpSample Sample(NtpServer server, DateTimeOffset utc, long timestamp, TimeSpan? delay = null) =>
        new(server, utc, timestamp, delay ?? TimeSpan.FromMilliseconds(4), 2, 0.01);

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 3000 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition());
    }
}
