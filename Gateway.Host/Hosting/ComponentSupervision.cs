using System.Text.Json.Nodes;
using Gateway.Sync.RemoteCommands;

namespace Gateway.Host.Hosting;

/// <summary>
/// The supervised components of this process: their states for the <c>status</c> reply (section
/// <c>components</c>), and the exit code the process must end with once a critical one gave up.
/// </summary>
internal sealed class ComponentSupervision(TimeProvider time) : IStatusSection
{
    private readonly Lock _gate = new();
    private readonly List<ComponentState> _components = [];
    private int _exitCode;

    public string Name => "components";

    /// <summary>0 while the process may end normally; the code to exit with once a critical component gave up.</summary>
    public int ExitCode => Volatile.Read(ref _exitCode);

    public IReadOnlyList<ComponentState> Components
    {
        get
        {
            lock (_gate)
            {
                return [.. _components];
            }
        }
    }

    public ComponentState Add(string name, bool critical)
    {
        var state = new ComponentState(name, critical, time);
        lock (_gate)
        {
            _components.Add(state);
        }
        return state;
    }

    /// <summary>A component that is gone (a live group rebuilt for a new configuration) leaves the status.</summary>
    public void Remove(ComponentState state)
    {
        lock (_gate)
        {
            _components.Remove(state);
        }
    }

    /// <summary>
    /// Records the code; the CLI returns it once the host has stopped (Environment.ExitCode would
    /// be overwritten by Main's return value).
    /// </summary>
    public void RequestExit(int code) => Interlocked.CompareExchange(ref _exitCode, code, 0);

    public JsonNode? Read() => new JsonArray([.. Components.Select(c => (JsonNode)c.ToJson())]);
}
