using System.Runtime.CompilerServices;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Sync.Uplink;

/// <summary>
/// Moves records from the durable store to the city brain (SPEC section 3): events one per
/// message, then their snapshots, telemetry in batches by count and delay. A record leaves the
/// store only after its PUBACK; whatever was not acknowledged when a connection ends is sent again
/// with its original seq, in seq order, on the next one (and after a restart, since nothing
/// unacknowledged was ever removed). Each lane is read in seq order; events go before telemetry.
/// While a backlog drains, readings that arrive meanwhile travel in a live lane beside it, so
/// their latency stays bounded by one batch delay rather than by the length of the backlog.
/// A record of this boot measured before time was known waits, and every record after it in its
/// lane with it, until the store dates it or <see cref="ForwarderSettings.ClockHold"/> has passed
/// since its measurement; then it goes as <c>"clock":"unsynced"</c> (SPEC section 3).
/// </summary>
internal sealed class UplinkForwarder : BackgroundService, IForwarderStatus
{
    private readonly IOutbox _outbox;
    private readonly IMqttUplink _uplink;
    private readonly UplinkTopics _topics;
    private readonly NodeIdentity _node;
    private readonly ForwarderSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger<UplinkForwarder> _logger;
    private readonly DrainRateLimiter _limiter;

    // Where the next session starts reading each lane: every record after these that is still in
    // the store has not been confirmed delivered.
    private long _eventResume;
    private long _snapshotResume;
    private long _telemetryResume;

    private long _deliveredReadings;
    private long _deliveredEvents;
    private long _deliveredSnapshots;
    private long _sessions;
    private long _backlogBoundary;

    public UplinkForwarder(IOutbox outbox, IMqttUplink uplink, UplinkTopics topics, NodeIdentity node, ForwarderSettings settings, TimeProvider time, ILogger<UplinkForwarder> logger)
    {
        _outbox = outbox;
        _uplink = uplink;
        _topics = topics;
        _node = node;
        _settings = settings;
        _time = time;
        _logger = logger;
        _limiter = new DrainRateLimiter(settings.DrainReadingsPerSecond, time);
    }

    public ForwarderStatus Status => new(
        Interlocked.Read(ref _deliveredReadings), Interlocked.Read(ref _deliveredEvents), Interlocked.Read(ref _deliveredSnapshots),
        Interlocked.Read(ref _sessions), Math.Max(0, Interlocked.Read(ref _backlogBoundary) - Interlocked.Read(ref _telemetryResume)));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan pause;
            try
            {
                await _uplink.WaitUntilConnectedAsync(stoppingToken).ConfigureAwait(false);
                Interlocked.Increment(ref _sessions);
                pause = await new Session(this).RunAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A store read or a payload failed: nothing was acknowledged that was not delivered.
                pause = _settings.RetryDelay;
                Log.ForwarderFailed(_logger, ex, pause.TotalSeconds);
            }
            if (pause > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(pause, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// The leading records of <paramref name="records"/> that may leave now; <paramref name="held"/>
    /// is how long the first held one still waits (infinite when none is held).
    /// </summary>
    private IReadOnlyList<T> Dated<T>(IReadOnlyList<T> records, Func<T, RecordTime> timeOf, out TimeSpan held)
    {
        held = Timeout.InfiniteTimeSpan;
        if (_settings.ClockHold <= TimeSpan.Zero)
        {
            return records;
        }
        var nowMs = RecordRow.MonotonicMilliseconds(_time, _time.GetTimestamp());
        for (var i = 0; i < records.Count; i++)
        {
            var time = timeOf(records[i]);
            // Only this boot's records can still be dated (an earlier boot's uptime means nothing now).
            if (time.Timestamp is null && time.UptimeMilliseconds is { } measuredMs && time.BootId == _outbox.BootId)
            {
                var left = _settings.ClockHold - TimeSpan.FromMilliseconds(nowMs - measuredMs);
                if (left > TimeSpan.Zero)
                {
                    held = left;
                    return records.Take(i).ToList();
                }
            }
        }
        return records;
    }

    private enum Lane
    {
        Event,
        Snapshot,
        Live,
        Backlog,
    }

    private sealed record Pending(Lane Lane, string Topic, long[] Seqs, Task<MqttPublishResult> Outcome);

    /// <summary>Forwarding over one broker connection; ends when a publish was not delivered.</summary>
    private sealed class Session(UplinkForwarder f)
    {
        private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(1);

        private readonly Queue<Pending> _pending = new();
        private readonly List<Pending> _undelivered = [];
        private readonly long _connection = f._uplink.Status.Connections;
        private long _eventAfter;
        private long _snapshotAfter;
        private long _liveAfter;
        private long _backlogAfter;
        private long _boundary;
        private long? _liveWaitingSince;
        private long _backlogStarted;
        private long _backlogReadings;
        private string? _ended;
        private TimeSpan _pause;

        public async Task<TimeSpan> RunAsync(CancellationToken cancellationToken)
        {
            _eventAfter = f._eventResume;
            _snapshotAfter = f._snapshotResume;
            _boundary = f._outbox.GetStatistics().LastSeq;
            _backlogAfter = f._telemetryResume;
            _liveAfter = Math.Max(_boundary, f._telemetryResume);
            _backlogStarted = f._time.GetTimestamp();
            Interlocked.Exchange(ref f._backlogBoundary, _boundary);
            Log.SessionStarted(f._logger, _eventAfter, _backlogAfter, _boundary);
            try
            {
                while (_ended is null)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    // Every wait of an iteration hangs on this token and is released when the iteration
                    // ends, so an idle node does not pile up registrations over days.
                    using var iteration = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    // Taken before the reads, so an append that races with them still wakes the idle wait.
                    var appended = f._outbox.WaitForAppendAsync(iteration.Token);
                    try
                    {
                        SettleCompleted();
                        var sent = await SendEventsAsync(cancellationToken).ConfigureAwait(false)
                            + await SendSnapshotsAsync(cancellationToken).ConfigureAwait(false);
                        var (live, liveWait) = await SendLiveAsync(cancellationToken).ConfigureAwait(false);
                        var (backlog, backlogWait) = await SendBacklogAsync(cancellationToken).ConfigureAwait(false);
                        if (sent + live + backlog == 0 && _ended is null)
                        {
                            if (f._uplink.Status.Connections != _connection)
                            {
                                // Reconnected while idle: start a fresh session (resume points, backlog boundary).
                                _ended = "the connection was replaced";
                                break;
                            }
                            var wait = Task.Delay(Min(Min(liveWait, backlogWait), IdleCheck), f._time, iteration.Token);
                            await (_pending.Count > 0
                                ? Task.WhenAny(appended, _pending.Peek().Outcome, wait)
                                : Task.WhenAny(appended, wait)).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        await iteration.CancelAsync().ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                await SettleAllAsync().ConfigureAwait(false);
                SetResumePoints();
                if (_ended is not null)
                {
                    Log.SessionEnded(f._logger, _ended, _undelivered.Count);
                }
            }
            return _pause;
        }

        private async Task<int> SendEventsAsync(CancellationToken cancellationToken)
        {
            await LeaveReaderThreadAsync();
            var events = await f._outbox.ReadEventsAsync(_eventAfter, f._settings.EventBatch, cancellationToken).ConfigureAwait(false);
            var sent = 0;
            foreach (var e in f.Dated(events, e => e.Time, out _))
            {
                if (!await PublishAsync(Lane.Event, f._topics.Events, RecordJson.EventPayload(f._node.NodeId, e), [e.Seq], cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
                _eventAfter = e.Seq;
                sent++;
            }
            return sent;
        }

        private async Task<int> SendSnapshotsAsync(CancellationToken cancellationToken)
        {
            await LeaveReaderThreadAsync();
            var snapshots = await f._outbox.ReadSnapshotsAsync(_snapshotAfter, f._settings.SnapshotBatch, cancellationToken).ConfigureAwait(false);
            var sent = 0;
            foreach (var s in snapshots)
            {
                // A snapshot follows its event, so the platform knows what it is evidence of.
                if (s.EventSeq > _eventAfter
                    || !await PublishAsync(Lane.Snapshot, f._topics.Snapshot(s.EventSeq), s.Jpeg, [s.EventSeq], cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
                _snapshotAfter = s.EventSeq;
                sent++;
            }
            return sent;
        }

        private async Task<(int Sent, TimeSpan Wait)> SendLiveAsync(CancellationToken cancellationToken)
        {
            var size = f._settings.TelemetryBatchSize;
            await LeaveReaderThreadAsync();
            var read = await f._outbox.ReadReadingsAsync(_liveAfter, size, cancellationToken).ConfigureAwait(false);
            var batch = f.Dated(read, r => r.Time, out var held);
            if (batch.Count == 0)
            {
                _liveWaitingSince = null;
                return (0, held);
            }
            if (batch.Count < size)
            {
                // Batch by count and delay: a partial batch waits for company up to the batch delay.
                _liveWaitingSince ??= f._time.GetTimestamp();
                var age = f._time.GetElapsedTime(_liveWaitingSince.Value);
                if (age < f._settings.TelemetryBatchDelay)
                {
                    return (0, f._settings.TelemetryBatchDelay - age);
                }
            }
            if (!await PublishTelemetryAsync(Lane.Live, batch, cancellationToken).ConfigureAwait(false))
            {
                return (0, Timeout.InfiniteTimeSpan);
            }
            _liveAfter = batch[^1].Seq;
            _liveWaitingSince = null;
            return (batch.Count, TimeSpan.Zero);
        }

        private async Task<(int Sent, TimeSpan Wait)> SendBacklogAsync(CancellationToken cancellationToken)
        {
            if (_backlogAfter >= _boundary)
            {
                return (0, Timeout.InfiniteTimeSpan);
            }
            var allowed = f._limiter.Available(f._settings.TelemetryBatchSize);
            if (allowed == 0)
            {
                return (0, f._limiter.UntilNext());
            }
            await LeaveReaderThreadAsync();
            var read = await f._outbox.ReadReadingsAsync(_backlogAfter, allowed, cancellationToken).ConfigureAwait(false);
            var inBacklog = read.TakeWhile(r => r.Seq <= _boundary).ToList();
            if (inBacklog.Count == 0)
            {
                FinishBacklog();
                return (0, Timeout.InfiniteTimeSpan);
            }
            var batch = f.Dated(inBacklog, r => r.Time, out var held);
            if (batch.Count == 0)
            {
                return (0, held);
            }
            if (!await PublishTelemetryAsync(Lane.Backlog, batch, cancellationToken).ConfigureAwait(false))
            {
                return (0, Timeout.InfiniteTimeSpan);
            }
            f._limiter.Take(batch.Count);
            _backlogReadings += batch.Count;
            _backlogAfter = batch.Count == inBacklog.Count && inBacklog.Count < read.Count ? _boundary : batch[^1].Seq;
            if (_backlogAfter >= _boundary)
            {
                FinishBacklog();
            }
            return (batch.Count, TimeSpan.Zero);
        }

        private void FinishBacklog()
        {
            _backlogAfter = _boundary;
            if (_backlogReadings > 0)
            {
                Log.BacklogDrained(f._logger, _backlogReadings, Math.Round(f._time.GetElapsedTime(_backlogStarted).TotalSeconds, 1));
                _backlogReadings = 0;
            }
        }

        private Task<bool> PublishTelemetryAsync(Lane lane, IReadOnlyList<StoredReading> batch, CancellationToken cancellationToken)
        {
            var seqs = new long[batch.Count];
            for (var i = 0; i < seqs.Length; i++)
            {
                seqs[i] = batch[i].Seq;
            }
            return PublishAsync(lane, f._topics.Telemetry, RecordJson.TelemetryPayload(f._node.NodeId, batch), seqs, cancellationToken);
        }

        /// <summary>Queues one QoS 1 publish (waiting for a window slot); false once this session has ended.</summary>
        private async Task<bool> PublishAsync(Lane lane, string topic, ReadOnlyMemory<byte> payload, long[] seqs, CancellationToken cancellationToken)
        {
            SettleCompleted();
            var link = f._uplink.Status;
            if (_ended is null && (link.Connections != _connection || link.State != MqttConnectionState.Connected))
            {
                // The connection is gone or replaced: a publish now would go out first on the next
                // connection, ahead of older undelivered records. End here and resend in order.
                _ended = "the connection was lost";
            }
            if (_ended is not null)
            {
                return false;
            }
            var outcome = await f._uplink.EnqueuePublishAsync(new MqttApplicationMessage(topic, payload), cancellationToken).ConfigureAwait(false);
            _pending.Enqueue(new Pending(lane, topic, seqs, outcome));
            return true;
        }

        private void SettleCompleted()
        {
            while (_pending.Count > 0 && _pending.Peek().Outcome.IsCompleted)
            {
                Settle(_pending.Dequeue());
            }
        }

        private async Task SettleAllAsync()
        {
            if (_pending.Count > 0)
            {
                // Outcomes arrive with the PUBACKs or when the connection is declared lost; do not
                // wait for ever on a shutdown, an unsettled publish is simply sent again later.
                await Task.WhenAny(Task.WhenAll(_pending.Select(p => p.Outcome)), Task.Delay(f._settings.SettleTimeout, f._time)).ConfigureAwait(false);
            }
            while (_pending.Count > 0)
            {
                var p = _pending.Dequeue();
                if (p.Outcome.IsCompletedSuccessfully)
                {
                    Settle(p);
                }
                else
                {
                    _undelivered.Add(p);
                }
            }
        }

        private void Settle(Pending p)
        {
            var result = p.Outcome.IsCompletedSuccessfully ? p.Outcome.Result : MqttPublishResult.ConnectionLost;
            switch (result.Outcome)
            {
                case MqttPublishOutcome.Delivered or MqttPublishOutcome.Sent:
                    Delivered(p);
                    break;
                case MqttPublishOutcome.Rejected:
                    _undelivered.Add(p);
                    if (_ended is null)
                    {
                        _ended = $"the broker rejected a message (reason 0x{result.ReasonCode:X2})";
                        _pause = f._settings.RejectedRetryDelay;
                        Log.Rejected(f._logger, p.Topic, result.ReasonCode, _pause.TotalSeconds);
                    }
                    break;
                default:
                    _undelivered.Add(p);
                    _ended ??= "the connection was lost";
                    break;
            }
        }

        private void Delivered(Pending p)
        {
            switch (p.Lane)
            {
                case Lane.Event:
                    f._outbox.Acknowledge(RecordClass.Event, p.Seqs[0]);
                    Interlocked.Increment(ref f._deliveredEvents);
                    break;
                case Lane.Snapshot:
                    f._outbox.Acknowledge(RecordClass.Snapshot, p.Seqs[0]);
                    Interlocked.Increment(ref f._deliveredSnapshots);
                    break;
                default:
                    f._outbox.Acknowledge(RecordClass.Telemetry, p.Seqs);
                    Interlocked.Add(ref f._deliveredReadings, p.Seqs.Length);
                    break;
            }
        }

        /// <summary>The next session starts each lane just before its first record not confirmed delivered.</summary>
        private void SetResumePoints()
        {
            long FirstUndelivered(params Lane[] lanes) =>
                _undelivered.Where(p => lanes.Contains(p.Lane)).Select(p => p.Seqs[0]).DefaultIfEmpty(long.MaxValue).Min();

            f._eventResume = Math.Min(_eventAfter, FirstUndelivered(Lane.Event) - 1);
            f._snapshotResume = Math.Min(_snapshotAfter, FirstUndelivered(Lane.Snapshot) - 1);
            // Readings delivered in the live lane beyond an unfinished backlog may be sent twice:
            // duplicates are allowed (the platform dedupes on seq), gaps are not.
            var telemetry = _backlogAfter < _boundary ? _backlogAfter : _liveAfter;
            Interlocked.Exchange(ref f._telemetryResume, Math.Min(telemetry, FirstUndelivered(Lane.Live, Lane.Backlog) - 1));
        }

        /// <summary>
        /// A publish's continuation may resume on the MQTT connection's reader (its window hands a
        /// freed slot straight to the waiter); store reads and payload rendering must not run there,
        /// or PUBACKs wait behind SQLite.
        /// </summary>
        private static YieldAwaitable LeaveReaderThreadAsync() => Task.Yield();

        private static TimeSpan Min(TimeSpan a, TimeSpan b) =>
            a == Timeout.InfiniteTimeSpan ? b : b == Timeout.InfiniteTimeSpan ? a : a < b ? a : b;
    }
}
