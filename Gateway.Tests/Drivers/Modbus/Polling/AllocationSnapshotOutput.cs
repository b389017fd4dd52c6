using Gateway.Drivers.Abstractions;

namespace Gateway.Tests.Drivers.Modbus.Polling;

/// <summary>
/// A driver output that allocates nothing itself and records the process's total allocated bytes
/// right after the last reading of chosen polls (every <c>readingsPerPoll</c> good readings is one
/// poll). Completes <see cref="Done"/> after the last snapshot; bad readings and events fail it.
/// </summary>
public sealed class AllocationSnapshotOutput(int readingsPerPoll, int[] snapshotAfterPolls) : IDriverOutput
{
    private readonly long[] _allocated = new long[snapshotAfterPolls.Length];
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _readings;
    private int _next;

    public Task Done => _done.Task;

    /// <summary><see cref="GC.GetTotalAllocatedBytes(bool)"/> (precise) after each poll of <c>snapshotAfterPolls</c>.</summary>
    public IReadOnlyList<long> Allocated => _allocated;

    public ValueTask PublishAsync(Reading reading, CancellationToken cancellationToken)
    {
        if (reading.Quality != ReadingQuality.Good)
        {
            _done.TrySetException(new InvalidOperationException($"bad reading {reading.Point}: {reading.Reason}"));
            return ValueTask.CompletedTask;
        }
        var count = ++_readings;
        if (_next < snapshotAfterPolls.Length && count == (long)snapshotAfterPolls[_next] * readingsPerPoll)
        {
            _allocated[_next++] = GC.GetTotalAllocatedBytes(precise: true);
            if (_next == snapshotAfterPolls.Length)
            {
                _done.TrySetResult();
            }
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask PublishAsync(GatewayEvent driverEvent, CancellationToken cancellationToken)
    {
        _done.TrySetException(new InvalidOperationException($"unexpected event {driverEvent.Type}"));
        return ValueTask.CompletedTask;
    }
}
