using System.Runtime.CompilerServices;

namespace Gateway.Drivers.Pooling;

/// <summary>
/// A <see cref="PooledAsyncBox{TResult}"/> for one async method (one state machine type), with
/// that method's pool: a stack shared by all threads. The runtime's
/// PoolingAsyncValueTaskMethodBuilder caches boxes per thread and per core instead, which loses
/// boxes — and allocates new ones — whenever a method completes on another thread than the one it
/// started on, as socket and timer completions do all the time. The shared stack grows to the
/// peak number of concurrent calls of the method (≈ one per link) and then stops allocating;
/// beyond <see cref="MaxPooled"/> boxes are left to the GC.
/// </summary>
internal sealed class PooledAsyncBoxOf<TResult, TStateMachine> : PooledAsyncBox<TResult>
    where TStateMachine : IAsyncStateMachine
{
    private const int MaxPooled = 4096;
    private static readonly Lock PoolLock = new();
    private static readonly ContextCallback MoveNextInContext = static s => ((PooledAsyncBoxOf<TResult, TStateMachine>)s!).StateMachine.MoveNext();
    private static PooledAsyncBoxOf<TResult, TStateMachine>?[] _pool = new PooledAsyncBoxOf<TResult, TStateMachine>?[4];
    private static int _pooled;

    private PooledAsyncBoxOf()
    {
        MoveNextAction = MoveNext;
        StateMachine = default!;
    }

    public TStateMachine StateMachine;

    /// <summary>The caller's execution context at the last await (flowed like the runtime's builders do).</summary>
    public ExecutionContext? Context;

    /// <summary>Allocated once per box: what awaiters call to resume the method.</summary>
    public Action MoveNextAction { get; }

    public static PooledAsyncBoxOf<TResult, TStateMachine> Rent()
    {
        lock (PoolLock)
        {
            if (_pooled > 0)
            {
                var box = _pool[--_pooled]!;
                _pool[_pooled] = null;
                return box;
            }
        }
        return new PooledAsyncBoxOf<TResult, TStateMachine>();
    }

    protected override void ReturnToPool()
    {
        StateMachine = default!;
        Context = null;
        lock (PoolLock)
        {
            if (_pooled == _pool.Length)
            {
                if (_pooled >= MaxPooled)
                {
                    return;
                }
                Array.Resize(ref _pool, _pooled * 2);
            }
            _pool[_pooled++] = this;
        }
    }

    private void MoveNext()
    {
        if (Context is { } context)
        {
            ExecutionContext.Run(context, MoveNextInContext, this);
        }
        else
        {
            StateMachine.MoveNext();
        }
    }
}
