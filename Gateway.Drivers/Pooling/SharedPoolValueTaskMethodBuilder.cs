using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Gateway.Drivers.Pooling;

/// <summary>
/// Builds an async method returning <see cref="ValueTask{TResult}"/> whose state machine box comes
/// from a pool shared by all threads (<see cref="PooledAsyncBoxOf{TResult, TStateMachine}"/>), so
/// that steady-state I/O loops allocate nothing even though their continuations hop threads.
/// Use as <c>[AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder&lt;&gt;))]</c>. A call that
/// completes without suspending takes no box at all. The returned ValueTask must be awaited once
/// (the usual ValueTask rule): reading its result returns the box to the pool.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal struct SharedPoolValueTaskMethodBuilder<TResult>
{
    private PooledAsyncBox<TResult>? _box;
    private Exception? _exception;
    private TResult _result;

    public static SharedPoolValueTaskMethodBuilder<TResult> Create() => default;

    public readonly ValueTask<TResult> Task =>
        _box is { } box ? new ValueTask<TResult>(box, box.Version)
        : _exception is { } exception ? ValueTask.FromException<TResult>(exception)
        : new ValueTask<TResult>(_result);

    /// <summary>The same completion as a plain <see cref="ValueTask"/> (the box is a non-generic source too).</summary>
    internal readonly ValueTask TaskOfVoid =>
        _box is { } box ? new ValueTask(box, box.Version)
        : _exception is { } exception ? ValueTask.FromException(exception)
        : default;

    public readonly void Start<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine
    {
        // The runtime's Start: runs the first step on the caller's thread and restores the caller's contexts after it.
        default(AsyncValueTaskMethodBuilder).Start(ref stateMachine);
    }

    public readonly void SetStateMachine(IAsyncStateMachine stateMachine)
    {
        // Boxes are created by the builder itself, never by the runtime.
    }

    public void SetResult(TResult result)
    {
        if (_box is { } box)
        {
            box.SetResult(result);
        }
        else
        {
            _result = result;
        }
    }

    public void SetException(Exception exception)
    {
        if (_box is { } box)
        {
            box.SetException(exception);
        }
        else
        {
            _exception = exception;
        }
    }

    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine =>
        awaiter.OnCompleted(BoxFor(ref stateMachine).MoveNextAction);

    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine =>
        awaiter.UnsafeOnCompleted(BoxFor(ref stateMachine).MoveNextAction);

    private PooledAsyncBoxOf<TResult, TStateMachine> BoxFor<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine
    {
        PooledAsyncBoxOf<TResult, TStateMachine> box;
        if (_box is null)
        {
            // First suspension: move the state machine (which holds this builder) into a pooled box.
            box = PooledAsyncBoxOf<TResult, TStateMachine>.Rent();
            _box = box;
            box.StateMachine = stateMachine;
        }
        else
        {
            box = (PooledAsyncBoxOf<TResult, TStateMachine>)_box;
        }
        box.Context = ExecutionContext.Capture();
        return box;
    }
}
