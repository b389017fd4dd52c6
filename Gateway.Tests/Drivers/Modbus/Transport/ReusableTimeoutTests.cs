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
    public async Task A_stopped_timeout_does_not_fire_while_idle_and_the_next_request_reuses_its_source()
    {
        // The system clock on purpose: CancellationTokenSource.TryReset can disarm only the runtime's own timer,
        // not a custom provider's, and production runs on TimeProvider.System.
        using var timeout = new ReusableTimeout(TimeProvider.System, CancellationToken.None);

        var first = timeout.Start(TimeSpan.FromMilliseconds(20));
        timeout.Stop();
        await Task.Delay(TimeSpan.FromMilliseconds(300)); // idle well past the timeout (a late timer can only make this pass wrongly, never fail)
        var second = timeout.Start(TimeSpan.FromMilliseconds(20));
        timeout.Stop();

        Assert.False(first.IsCancellationRequested);
        Assert.Equal(first, second); // CancellationToken equality: the same source, nothing allocated
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
