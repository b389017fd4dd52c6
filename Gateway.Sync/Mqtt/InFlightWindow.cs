namespace Gateway.Sync.Mqtt;

/// <summary>
/// The slots of unacknowledged QoS 1 publishes (MQTT 5.0 §4.9 flow control). Unlike SemaphoreSlim,
/// a publisher waiting for a slot is resumed synchronously by <see cref="Release"/> — on the reader,
/// as the PUBACK is parsed — instead of through the thread pool, so that a full window costs no
/// thread hand-off per message. Waiters are served in order.
/// </summary>
internal sealed class InFlightWindow
{
    private readonly Lock _gate = new();
    private readonly Queue<TaskCompletionSource<bool>> _waiters = new();
    private int _free;
    private bool _closed;

    public InFlightWindow(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _free = size;
    }

    public int Free
    {
        get
        {
            lock (_gate)
            {
                return _free;
            }
        }
    }

    /// <summary>Takes a slot; false once the window is closed (the connection ended).</summary>
    public ValueTask<bool> AcquireAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool> waiter;
        lock (_gate)
        {
            if (_closed)
            {
                return ValueTask.FromResult(false);
            }
            if (_free > 0)
            {
                _free--;
                return ValueTask.FromResult(true);
            }
            waiter = new TaskCompletionSource<bool>();
            _waiters.Enqueue(waiter);
        }
        return new ValueTask<bool>(WaitAsync(waiter, cancellationToken));
    }

    /// <summary>Takes a free slot without waiting; false if none is free or the window is closed.</summary>
    public bool TryAcquire()
    {
        lock (_gate)
        {
            if (_closed || _free == 0)
            {
                return false;
            }
            _free--;
            return true;
        }
    }

    /// <summary>Returns a slot, handing it straight to the oldest waiter if there is one.</summary>
    public void Release()
    {
        while (true)
        {
            TaskCompletionSource<bool>? next = null;
            lock (_gate)
            {
                while (_waiters.TryDequeue(out var waiter))
                {
                    if (!waiter.Task.IsCompleted)
                    {
                        next = waiter;
                        break;
                    }
                }
                if (next is null)
                {
                    _free++;
                    return;
                }
            }
            // outside the lock: the waiter's continuation runs here
            if (next.TrySetResult(true))
            {
                return;
            }
            // it was cancelled in between: offer the slot to the next one
        }
    }

    /// <summary>Fails every waiter and all future acquisitions.</summary>
    public void Close()
    {
        TaskCompletionSource<bool>[] waiters;
        lock (_gate)
        {
            _closed = true;
            waiters = [.. _waiters];
            _waiters.Clear();
        }
        foreach (var waiter in waiters)
        {
            waiter.TrySetResult(false);
        }
    }

    private static async Task<bool> WaitAsync(TaskCompletionSource<bool> waiter, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            return await waiter.Task.ConfigureAwait(false);
        }
        await using var registration = cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken)).ConfigureAwait(false);
        return await waiter.Task.ConfigureAwait(false);
    }
}
