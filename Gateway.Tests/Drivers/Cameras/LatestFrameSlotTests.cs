using Gateway.Drivers.Cameras;

namespace Gateway.Tests.Drivers.Cameras;

public sealed class LatestFrameSlotTests
{
    private static VideoFrame Frame(long sequence)
    {
        var frame = VideoFrame.Rent(2, 2);
        frame.Sequence = sequence;
        return frame;
    }

    [Fact]
    public async Task Frames_nobody_took_are_replaced_by_newer_ones_released_and_counted()
    {
        using var slot = new LatestFrameSlot(capacity: 1);
        var frames = Enumerable.Range(1, 4).Select(i => Frame(i)).ToArray();
        foreach (var frame in frames)
        {
            slot.Offer(frame);
        }

        Assert.Equal(3, slot.Dropped);
        using var taken = await slot.TakeAsync(CancellationToken.None);
        Assert.Same(frames[3], taken);
        // The dropped frames gave their buffers back to the pool: reading them now is an error.
        Assert.All(frames[..3], f => Assert.Throws<ObjectDisposedException>(() => f.Pixels.Length));
        Assert.False(slot.TryTake(out _));
    }

    [Fact]
    public async Task A_larger_slot_keeps_the_newest_frames_in_order()
    {
        using var slot = new LatestFrameSlot(capacity: 2);
        for (var i = 1; i <= 5; i++)
        {
            slot.Offer(Frame(i));
        }

        Assert.Equal(3, slot.Dropped);
        using var first = await slot.TakeAsync(CancellationToken.None);
        using var second = await slot.TakeAsync(CancellationToken.None);
        Assert.Equal([4L, 5L], [first.Sequence, second.Sequence]);
    }

    [Fact]
    public async Task A_taker_waits_for_the_next_frame_and_a_disposed_slot_releases_what_it_holds()
    {
        var slot = new LatestFrameSlot();
        var waiting = slot.TakeAsync(CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        slot.Offer(Frame(7));
        using (var taken = await waiting)
        {
            Assert.Equal(7, taken.Sequence);
        }

        var left = Frame(8);
        slot.Offer(left);
        slot.Dispose();
        Assert.Throws<ObjectDisposedException>(() => left.Pixels.Length);
        var late = Frame(9);
        slot.Offer(late);
        Assert.Throws<ObjectDisposedException>(() => late.Pixels.Length);
        Assert.Equal(0, slot.Dropped);
    }
}
