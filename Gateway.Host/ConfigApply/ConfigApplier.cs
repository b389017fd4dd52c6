using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Contracts;
using Gateway.Drivers.Modbus.Polling;
using Gateway.Host.Configuration;
using Gateway.Host.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Host.ConfigApply;

/// <inheritdoc cref="IConfigApplier"/>
internal sealed class ConfigApplier : IConfigApplier, IDisposable
{
    public const string EventType = "config.applied";
    public const string EventSource = "config";

    private static readonly JsonSerializerOptions FileFormat = new() { WriteIndented = true, Encoder = GatewayEvent.DataSerializerOptions.Encoder };

    private readonly RunningConfiguration _running;
    private readonly ConfigFileWriter _writer;
    private readonly ConfigAuditLog _audit;
    private readonly IngestQueue _queue;
    private readonly LiveComponents _live;
    private readonly HostRestart _restart;
    private readonly TimeProvider _time;
    private readonly ILogger<ConfigApplier> _logger;
    private readonly IEnumerable<KeyValuePair<string, string?>>? _environment;
    private readonly SemaphoreSlim _one = new(1, 1);

    public ConfigApplier(RunningConfiguration running, ConfigFileWriter writer, ConfigAuditLog audit, IngestQueue queue, LiveComponents live,
        HostRestart restart, TimeProvider time, ILogger<ConfigApplier> logger, IEnumerable<KeyValuePair<string, string?>>? environment = null)
    {
        _running = running;
        _writer = writer;
        _audit = audit;
        _queue = queue;
        _live = live;
        _restart = restart;
        _time = time;
        _logger = logger;
        _environment = environment;
    }

    public string CurrentVersion => _running.Current.Version;

    public async Task<ConfigApplyResult> ApplyAsync(ConfigChange change, ConfigActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(actor);
        await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_restart.Requested)
            {
                // The file is already changed and a new host is on its way: nothing may interleave.
                return await FinishAsync(actor, change.BaseVersion, [],
                    new ConfigApplyResult(ConfigApplyOutcome.Conflict, _running.Current.Version, [new ConfigError("", "the gateway is restarting for the previous change; ask again in a moment")])).ConfigureAwait(false);
            }
            return await ApplyOneAsync(change, actor, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _one.Release();
        }
    }

    private async Task<ConfigApplyResult> ApplyOneAsync(ConfigChange change, ConfigActor actor, CancellationToken cancellationToken)
    {
        var current = _running.Current;
        if (change.BaseVersion is { } baseVersion && baseVersion != current.Version)
        {
            Log.Conflict(_logger, actor.User, actor.Via, baseVersion, current.Version);
            return await FinishAsync(actor, baseVersion, [], new ConfigApplyResult(ConfigApplyOutcome.Conflict, current.Version, [])).ConfigureAwait(false);
        }

        var prepared = await PrepareAsync(change, current).ConfigureAwait(false);
        if (prepared.Errors.Count > 0)
        {
            return await RejectAsync(actor, change, current, prepared.Diff, prepared.Errors).ConfigureAwait(false);
        }
        var diff = prepared.Diff;
        if (diff.Count == 0)
        {
            // Same configuration: nothing to write or restart, but the attempt is on record.
            return await FinishAsync(actor, change.BaseVersion, diff, new ConfigApplyResult(ConfigApplyOutcome.Applied, current.Version, [], Diff: diff)).ConfigureAwait(false);
        }
        var (bytes, next, plan) = (prepared.Bytes!, prepared.Next!, prepared.Plan!);

        try
        {
            _writer.Replace(_running.ConfigPath, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Written to a temporary file and renamed: the file in force is still the old one, whole.
            return await RejectAsync(actor, change, current, diff, [new ConfigError("", $"cannot write {_running.ConfigPath}: {e.Message}")]).ConfigureAwait(false);
        }
        Log.Written(_logger, _running.ConfigPath, current.Version, next.Version, actor.User, actor.Via, plan.Restarted ?? "nothing");

        if (plan.RestartHost)
        {
            var result = new ConfigApplyResult(ConfigApplyOutcome.Applied, next.Version, [], plan.Restarted, diff);
            await FinishAsync(actor, change.BaseVersion, diff, result).ConfigureAwait(false);
            _restart.Request(new PendingConfigApply(actor, current.Version, next.Version, diff));
            return result;
        }

        _running.Set(next);
        var problems = await RestartAndCheckAsync(plan, current, next, cancellationToken).ConfigureAwait(false);
        if (problems.Count == 0)
        {
            return await FinishAsync(actor, change.BaseVersion, diff, new ConfigApplyResult(ConfigApplyOutcome.Applied, next.Version, [], plan.Restarted, diff)).ConfigureAwait(false);
        }

        Log.RollingBack(_logger, next.Version, current.Version, string.Join("; ", problems));
        _writer.RestoreLastGood(_running.ConfigPath);
        _running.Set(current);
        try
        {
            await _live.RestartAsync(plan.Groups, current.Options, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            problems.Add(new ConfigError("", $"the previous configuration did not start again either: {e.Message}"));
            Log.RollbackFailed(_logger, e.Message);
        }
        return await FinishAsync(actor, change.BaseVersion, diff, new ConfigApplyResult(ConfigApplyOutcome.RolledBack, current.Version, problems, plan.Restarted, diff)).ConfigureAwait(false);
    }

    public async Task<ConfigValidation> ValidateAsync(ConfigChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var current = _running.Current;
        if (change.BaseVersion is { } baseVersion && baseVersion != current.Version)
        {
            return new ConfigValidation(current.Version, [new ConfigError("", ConfigApplyResult.VersionConflict)], [], null, Conflict: true);
        }
        var prepared = await PrepareAsync(change, current).ConfigureAwait(false);
        return new ConfigValidation(current.Version, prepared.Errors, prepared.Diff, prepared.Errors.Count == 0 && prepared.Diff.Count > 0 ? prepared.Plan?.Restarted : null);
    }

    /// <summary>
    /// Steps 1–4 of an apply, which validation alone runs too: the proposed file (merged, redacted
    /// secrets restored), its diff, its load (schema and semantic rules) and the live groups' own
    /// validators. Writes nothing.
    /// </summary>
    private async Task<Prepared> PrepareAsync(ConfigChange change, ConfigSnapshot current)
    {
        var proposed = change.Config?.DeepClone() ?? JsonMergePatch.Apply(current.FileDocument, change.Patch);
        if (proposed is not JsonObject document)
        {
            return new Prepared([], [new ConfigError("", "the merge patch must leave a JSON object")]);
        }
        RedactedSecrets.Restore(document, current.FileDocument);
        var diff = ConfigDiff.Between(current.FileDocument, document);

        var bytes = Encoding.UTF8.GetBytes(document.ToJsonString(FileFormat) + "\n");
        var loaded = GatewayConfigLoader.LoadText(Encoding.UTF8.GetString(bytes), Path.GetDirectoryName(_running.ConfigPath), _environment);
        if (!loaded.IsValid)
        {
            return new Prepared(diff, loaded.Errors);
        }
        if (diff.Count == 0)
        {
            return new Prepared(diff, []);
        }
        var next = new ConfigSnapshot(ConfigVersion.Of(bytes), document, loaded.Document!, loaded.Options!);
        var plan = ApplyPlan.For(current.EffectiveDocument, next.EffectiveDocument);
        if (!plan.RestartHost && plan.Groups.Count > 0)
        {
            // The groups' own validators (what their start runs) before anything is written.
            try
            {
                await _live.ValidateAsync(next.Options).ConfigureAwait(false);
            }
            catch (OptionsValidationException e)
            {
                return new Prepared(diff, [.. e.Failures.Select(f => new ConfigError("", f))]);
            }
            catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
            {
                return new Prepared(diff, [.. e.InnerExceptions.SelectMany(i => ((OptionsValidationException)i).Failures).Select(f => new ConfigError("", f))]);
            }
        }
        return new Prepared(diff, [], bytes, next, plan);
    }

    private sealed record Prepared(IReadOnlyList<ConfigDiffEntry> Diff, IReadOnlyList<ConfigError> Errors, byte[]? Bytes = null, ConfigSnapshot? Next = null, ApplyPlan? Plan = null);

    /// <summary>Restarts the plan's groups on <paramref name="next"/> and watches them for the health window; what went wrong, if anything.</summary>
    private async Task<List<ConfigError>> RestartAndCheckAsync(ApplyPlan plan, ConfigSnapshot current, ConfigSnapshot next, CancellationToken cancellationToken)
    {
        try
        {
            await _live.RestartAsync(plan.Groups, next.Options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return [new ConfigError("", $"components {string.Join(",", plan.Groups)} did not start: {e.Message}")];
        }
        var window = TimeSpan.FromSeconds(next.Options.Host.ApplyHealthSeconds);
        if (window > TimeSpan.Zero)
        {
            await Task.Delay(window, _time, cancellationToken).ConfigureAwait(false);
        }
        var problems = new List<ConfigError>();
        foreach (var state in _live.StatesOf(plan.Groups))
        {
            if (state.ConsecutiveFailures > 0 || state.State is "restarting" or "failed")
            {
                problems.Add(new ConfigError("", $"component {state.Name} failed after the change: {state.ToJson()["lastError"]}"));
            }
        }
        if (plan.Groups.Contains(LiveComponents.Modbus)
            && _live.ServicesOf(LiveComponents.Modbus)?.GetService<IModbusDriverStatus>() is { } modbus)
        {
            var offline = modbus.GetStatus().Where(s => s.Health == DeviceHealth.Offline).Select(s => s.DeviceId).ToHashSet(StringComparer.Ordinal);
            foreach (var (index, id) in ChangedDevices(current.EffectiveDocument, next.EffectiveDocument))
            {
                if (offline.Contains(id))
                {
                    problems.Add(new ConfigError($"devices[{index}]", $"device '{id}' is offline after the change (its device.offline event says why)"));
                }
            }
        }
        return problems;
    }

    /// <summary>Devices added or changed by the change, with their index in the new list.</summary>
    private static IEnumerable<(int Index, string Id)> ChangedDevices(JsonObject before, JsonObject after)
    {
        var old = (before["devices"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(d => d["id"] is JsonValue)
            .ToDictionary(d => d["id"]!.GetValue<string>(), StringComparer.Ordinal);
        var now = after["devices"] as JsonArray ?? [];
        for (var i = 0; i < now.Count; i++)
        {
            if (now[i] is JsonObject device && device["id"] is JsonValue idValue && idValue.TryGetValue<string>(out var id)
                && (!old.TryGetValue(id, out var was) || !JsonNode.DeepEquals(was, device)))
            {
                yield return (i, id);
            }
        }
    }

    private Task<ConfigApplyResult> RejectAsync(ConfigActor actor, ConfigChange change, ConfigSnapshot current, IReadOnlyList<ConfigDiffEntry> diff, IReadOnlyList<ConfigError> errors)
    {
        Log.Rejected(_logger, actor.User, actor.Via, errors.Count, errors.Count > 0 ? errors[0].ToString() : "");
        return FinishAsync(actor, change.BaseVersion, diff, new ConfigApplyResult(ConfigApplyOutcome.Rejected, current.Version, errors, Diff: diff));
    }

    /// <summary>The record of every attempt: the audit line (fsync'd) and the <c>config.applied</c> event.</summary>
    private async Task<ConfigApplyResult> FinishAsync(ConfigActor actor, string? baseVersion, IReadOnlyList<ConfigDiffEntry> diff, ConfigApplyResult result)
    {
        await RecordAsync(_audit, _queue, _time, _logger, actor, baseVersion, diff, result).ConfigureAwait(false);
        if (result.Applied)
        {
            Log.Applied(_logger, result.Version, actor.User, actor.Via, result.Restarted ?? "nothing");
        }
        return result;
    }

    /// <summary>
    /// The audit line, and the <c>config.applied</c> event of SPEC section 3 into the store like
    /// every event. An audit log that cannot be written is logged, not fatal: the change has happened.
    /// </summary>
    internal static ValueTask RecordAsync(ConfigAuditLog audit, IngestQueue queue, TimeProvider time, ILogger logger,
        ConfigActor actor, string? baseVersion, IReadOnlyList<ConfigDiffEntry> diff, ConfigApplyResult result)
    {
        try
        {
            audit.Append(actor, result, baseVersion, diff);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.AuditFailed(logger, audit.Path, e.Message);
        }
        var data = new JsonObject { ["by"] = actor.User, ["via"] = actor.Via, ["version"] = result.Version, ["result"] = result.EventResult };
        return queue.PublishAsync(GatewayEvent.Now(time, EventType, EventSource, data.ToJsonString(GatewayEvent.DataSerializerOptions)), CancellationToken.None);
    }

    public void Dispose() => _one.Dispose();
}

/// <summary>A change that restarts the host: the next host checks it and, if it fails, restores the previous file.</summary>
public sealed record PendingConfigApply(ConfigActor Actor, string PreviousVersion, string Version, IReadOnlyList<ConfigDiffEntry> Diff)
{
    /// <summary>Set when the loop had to restore the previous file already (the new host could not even be built).</summary>
    public IReadOnlyList<ConfigError>? RolledBackBecause { get; init; }

    /// <summary>
    /// The web page's login sessions, handed from the stopped host to the next one in the same
    /// process: a technician who applied a change that restarts the host (a camera's zones) stays
    /// logged in. Memory only, as before; a new process starts with none.
    /// </summary>
    public Web.SessionTable? WebSessions { get; init; }
}
