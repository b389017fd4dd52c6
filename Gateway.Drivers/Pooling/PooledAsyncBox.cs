using System.Threading.Tasks.Sources;

namespace Gateway.Drivers.Pooling;

/// <summary>
/// The heap part of an async method built by <see cref="SharedPoolValueTaskMethodBuilder{TResult}"/>:
/// its state machine, its completion and the cached continuation delegate. Handed back to its
/// pool when the awaiting code reads the result, so it is reused by the next call.
/// </summary>
internal abstract class PooledAsyncBox<TResult> : IValueTaskSource<TResult>, IValueTaskSource
{
    private ManualResetValueTaskSourceCore<TResult> _core;

    public short Version => _core.Version;

    public void SetResult(TResult result) => _core.SetResult(result);

    public void SetException(Exception exception) => _core.SetException(exception);

    public TResult GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
            ReturnToPool();
        }
    }

    void IValueTaskSource.GetResult(short token) => GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    protected abstract void ReturnToPool();
}
