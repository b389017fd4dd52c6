using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Gateway.Drivers.Pooling;

/// <summary>
/// <see cref="SharedPoolValueTaskMethodBuilder{TResult}"/> for async methods returning a plain
/// <see cref="ValueTask"/>. Use as <c>[AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder))]</c>.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal struct SharedPoolValueTaskMethodBuilder
{
    private SharedPoolValueTaskMethodBuilder<bool> _inner;

    public static SharedPoolValueTaskMethodBuilder Create() => default;

    public readonly ValueTask Task => _inner.TaskOfVoid;

    public readonly void Start<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine => _inner.Start(ref stateMachine);

    public readonly void SetStateMachine(IAsyncStateMachine stateMachine) => _inner.SetStateMachine(stateMachine);

    public void SetResult() => _inner.SetResult(true);

    public void SetException(Exception exception) => _inner.SetException(exception);

    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine => _inner.AwaitOnCompleted(ref awaiter, ref stateMachine);

    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine => _inner.AwaitUnsafeOnCompleted(ref awaiter, ref stateMachine);
}
