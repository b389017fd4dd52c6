using Gateway.Drivers.Modbus.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Drivers.Modbus.Transport;

/// <summary>
/// The per-request timeout must keep reusing one source: a link polled less often than its
/// timeout (the usual 1 s poll with a 1 s timeout) must not find it fired and rebuild it.
/// </summary>
public class ReusableTimeoutTests
{
    [Fact]
    public void A_stopped_timeout_does_not_fire_while_idle_and_the_next_request_reuses_its_source()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var timeout = new ReusableTimeout(time, CancellationToken.None);

        var first = timeout.Start(TimeSpan.FromMilliseconds(20));
        timeout.Stop();
        time.Advance(TimeSpan.FromSeconds(1)); // idle well past the timeout
        var second = timeout.Start(TimeSpan.FromMilliseconds(20));
        timeout.Stop();

        Assert.False(first.IsCancellationRequested);
        Assert.Equal(first, second); // CancellationToken equality: the same source, nothing allocated
    }

    [Fact]
    public void A_timeout_armed_again_counts_from_its_new_start_only()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var timeout = new ReusableTimeout(time, CancellationToken.None);

        timeout.Start(TimeSpan.FromSeconds(1));
        timeout.Stop();
        var longer = timeout.Start(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(longer.IsCancellationRequested); // the first arming's second is not this one's
        time.Advance(TimeSpan.FromSeconds(9) - TimeSpan.FromTicks(1));
        Assert.False(longer.IsCancellationRequested);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(longer.IsCancellationRequested);

        timeout.Stop();
        var shorter = timeout.Start(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(shorter.IsCancellationRequested);
    }

    [Fact]
    public void A_timeout_that_fired_cancels_its_token_and_the_next_request_gets_a_fresh_one()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var timeout = new ReusableTimeout(time, CancellationToken.None);

        var first = timeout.Start(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(first.IsCancellationRequested);
        timeout.Stop();
        var second = timeout.Start(TimeSpan.FromSeconds(1));

        Assert.False(second.IsCancellationRequested);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void The_owners_stopping_token_cancels_the_current_request()
    {
        using var stopping = new CancellationTokenSource();
        using var timeout = new ReusableTimeout(new FakeTimeProvider(DateTimeOffset.UnixEpoch), stopping.Token);

        var token = timeout.Start(TimeSpan.FromSeconds(1));
        stopping.Cancel();

        Assert.True(token.IsCancellationRequested);
    }
}
