using System.Text.Json.Nodes;
using Gateway.Sync.Store;

namespace Gateway.Host.Hosting;

/// <summary>What one supervised component is doing now, as the <c>status</c> command shows it.</summary>
internal sealed class ComponentState(string name, bool critical, TimeProvider time)
{
    private readonly Lock _gate = new();
    private string _state = "running";
    private DateTimeOffset _since = time.GetUtcNow();
    private int _consecutiveFailures;
    private long _failures;
    private string? _lastError;
    private DateTimeOffset? _lastFailure;
    private DateTimeOffset? _restartAt;

    public string Name => name;

    public bool Critical => critical;

    public string State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public int ConsecutiveFailures
    {
        get
        {
            lock (_gate)
            {
                return _consecutiveFailures;
            }
        }
    }

    /// <summary>Runs (again): a restart keeps its failure streak until <see cref="Recovered"/>.</summary>
    public void Running() => Set("running", restartAt: null);

    public void Recovered()
    {
        lock (_gate)
        {
            _consecutiveFailures = 0;
        }
    }

    public void Failed(int consecutiveFailures, Exception error, TimeSpan restartIn)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            _consecutiveFailures = consecutiveFailures;
            _failures++;
            _lastError = $"{error.GetType().Name}: {error.Message}";
            _lastFailure = now;
        }
        Set("restarting", now + restartIn);
    }

    /// <summary>Its work is done (e.g. nothing configured for it): not a failure, nothing to restart.</summary>
    public void Completed() => Set("completed", restartAt: null);

    /// <summary>A critical component failed too often: the process ends so that systemd starts it afresh.</summary>
    public void GaveUp() => Set("failed", restartAt: null);

    public JsonObject ToJson()
    {
        lock (_gate)
        {
            return new JsonObject
            {
                ["name"] = name,
                ["critical"] = critical,
                ["state"] = _state,
                ["since"] = RecordJson.FormatTimestamp(_since),
                ["restartAt"] = _restartAt is { } at ? RecordJson.FormatTimestamp(at) : null,
                ["consecutiveFailures"] = _consecutiveFailures,
                ["failures"] = _failures,
                ["lastError"] = _lastError,
                ["lastFailure"] = _lastFailure is { } last ? RecordJson.FormatTimestamp(last) : null,
            };
        }
    }

    private void Set(string state, DateTimeOffset? restartAt)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_state != state)
            {
                _since = now;
            }
            _state = state;
            _restartAt = restartAt;
        }
    }
}
