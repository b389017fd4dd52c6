using Gateway.Sync.Mqtt;

namespace Gateway.Tests.Sync.Mqtt;

public class InFlightWindowTests
{
    [Fact]
    public async Task Slots_run_out_and_a_release_hands_one_to_the_oldest_waiter()
    {
        var window = new InFlightWindow(2);
        Assert.True(await window.AcquireAsync(CancellationToken.None));
        Assert.True(await window.AcquireAsync(CancellationToken.None));
        var first = window.AcquireAsync(CancellationToken.None).AsTask();
        var second = window.AcquireAsync(CancellationToken.None).AsTask();
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);

        window.Release();
        Assert.True(await first);
        Assert.False(second.IsCompleted);
        Assert.Equal(0, window.Free);

        window.Release();
        Assert.True(await second);
        window.Release();
        Assert.Equal(1, window.Free);
    }

    [Fact]
    public async Task A_cancelled_waiter_does_not_swallow_a_slot()
    {
        var window = new InFlightWindow(1);
        Assert.True(await window.AcquireAsync(CancellationToken.None));
        using var cancel = new CancellationTokenSource();
        var cancelled = window.AcquireAsync(cancel.Token).AsTask();
        var patient = window.AcquireAsync(CancellationToken.None).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        window.Release();
        Assert.True(await patient);
        window.Release();
        Assert.Equal(1, window.Free);
    }

    [Fact]
    public async Task Close_fails_waiters_and_later_acquisitions()
    {
        var window = new InFlightWindow(1);
        Assert.True(await window.AcquireAsync(CancellationToken.None));
        var waiter = window.AcquireAsync(CancellationToken.None).AsTask();
        window.Close();
        Assert.False(await waiter);
        Assert.False(await window.AcquireAsync(CancellationToken.None));
    }
}
