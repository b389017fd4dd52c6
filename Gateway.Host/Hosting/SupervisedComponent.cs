using Gateway.Sync.Mqtt;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>
/// Stands in the host for one component. A <see cref="BackgroundService"/> is run, watched and,
/// when its run faults, run again on the same instance after a jittered back-off
/// (<see cref="ReconnectBackoff"/>, drawn from the upper half, <see cref="SupervisionPolicy.UpperHalf"/>): the first failure of a streak is logged with its exception, the
/// rest only counted in <see cref="ComponentState"/>, and the streak ends after a run that lasted
/// <see cref="SupervisionPolicy.HealthyAfter"/>. A critical component that reaches
/// <see cref="SupervisionPolicy.CriticalFailureLimit"/> failures in a row stops the application with
/// <see cref="SupervisionPolicy.ExitCode"/>. A run that ends without a fault is finished work, not
/// restarted. Any other hosted service is passed through untouched.
/// </summary>
internal sealed class SupervisedComponent : IHostedService, IDisposable
{
    private readonly IHostedService _inner;
    private readonly string _name;
    private readonly bool _critical;
    private readonly ComponentSupervision _supervision;
    private readonly SupervisionPolicy _policy;
    private readonly ReconnectBackoff _backoff;
    private readonly TimeProvider _time;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private ComponentState? _state;
    private Task? _run;

    public SupervisedComponent(IHostedService inner, bool critical, ComponentSupervision supervision, SupervisionPolicy policy,
        Func<double> uniform, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<SupervisedComponent> logger)
    {
        _inner = inner;
        _name = NameOf(inner.GetType());
        _critical = critical;
        _supervision = supervision;
        _policy = policy;
        _backoff = new ReconnectBackoff(policy.FirstBackoff, policy.MaxBackoff, SupervisionPolicy.UpperHalf(uniform));
        _time = time;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>Its state in <see cref="ComponentSupervision"/> once started (null for a plain hosted service).</summary>
    public ComponentState? State => _state;

    /// <summary>The component's name in logs and status: its type's, in kebab case, without "Service".</summary>
    internal static string NameOf(Type type)
    {
        var name = type.Name.EndsWith("Service", StringComparison.Ordinal) && type.Name.Length > "Service".Length
            ? type.Name[..^"Service".Length]
            : type.Name;
        var text = new System.Text.StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
            {
                text.Append('-');
            }
            text.Append(char.ToLowerInvariant(name[i]));
        }
        return text.ToString();
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_inner is not BackgroundService service)
        {
            return _inner.StartAsync(cancellationToken);
        }
        _state = _supervision.Add(_name, _critical);
        _run = SuperviseAsync(service, _stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_run is null)
        {
            await _inner.StopAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        // The service's own stop cancels the run in progress and waits for it (or for the host's deadline).
        await _inner.StopAsync(cancellationToken).ConfigureAwait(false);
        await _run.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task SuperviseAsync(BackgroundService service, CancellationToken stopping)
    {
        var streak = 0;
        while (!stopping.IsCancellationRequested)
        {
            // A run's token must not outlive it: BackgroundService links a source to the token it is
            // started with and never unlinks it, so restarts on the component's own stop token would
            // pile links onto it for the life of the process. Disposing this one drops them.
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var run = await StartOnceAsync(service, attempt.Token).ConfigureAwait(false);
            // Timers before states, here and below: whoever sees the new state (a test driving a fake
            // clock) may count on what it implies being scheduled.
            using var watch = new CancellationTokenSource();
            var healthy = streak > 0 ? Task.Delay(_policy.HealthyAfter, _time, watch.Token) : null;
            _state!.Running();
            if (healthy is not null && await Task.WhenAny(run, healthy).ConfigureAwait(false) == healthy && !stopping.IsCancellationRequested)
            {
                Log.ComponentRecovered(_logger, _name, streak);
                streak = 0;
                _state.Recovered();
            }
            Exception error;
            try
            {
                await run.ConfigureAwait(false);
                if (!stopping.IsCancellationRequested)
                {
                    _state.Completed();
                    Log.ComponentCompleted(_logger, _name);
                }
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // whatever a component throws is its failure to report and restart, not the host's
            catch (Exception e)
#pragma warning restore CA1031
            {
                error = e;
            }
            await watch.CancelAsync().ConfigureAwait(false);
            if (stopping.IsCancellationRequested)
            {
                Log.ComponentFailedStopping(_logger, _name, error);
                return;
            }
            streak++;
            var delay = _backoff.Next(streak - 1);
            if (_critical && streak >= _policy.CriticalFailureLimit)
            {
                Log.CriticalComponentGaveUp(_logger, _name, streak, error.Message, SupervisionPolicy.ExitCode);
                _supervision.RequestExit(SupervisionPolicy.ExitCode);
                _lifetime.StopApplication();
                // The state last, as above: whoever sees "failed" may count on the exit being under way.
                _state.Failed(streak, error, TimeSpan.Zero);
                _state.GaveUp();
                return;
            }
            var restart = Task.Delay(delay, _time, stopping);
            _state.Failed(streak, error, delay);
            if (streak == 1)
            {
                Log.ComponentFailed(_logger, _name, delay.TotalSeconds, error);
            }
            else
            {
                Log.ComponentFailedAgain(_logger, _name, streak, delay.TotalSeconds, error.Message);
            }
            try
            {
                await restart.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Starts one run; a start that throws is a failed run like any other.</summary>
    private static async Task<Task> StartOnceAsync(BackgroundService service, CancellationToken attempt)
    {
        try
        {
            await service.StartAsync(attempt).ConfigureAwait(false);
            return service.ExecuteTask ?? Task.CompletedTask;
        }
#pragma warning disable CA1031 // see SuperviseAsync
        catch (Exception e)
#pragma warning restore CA1031
        {
            return Task.FromException(e);
        }
    }

    public void Dispose() => _stopping.Dispose();
}
