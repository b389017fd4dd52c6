using System.Runtime.CompilerServices;
using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Modbus.Client;
using Gateway.Drivers.Modbus.Points;
using Gateway.Drivers.Modbus.Transport;
using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Modbus.Polling;

/// <summary>
/// One link — an RS-485 bus or a TCP endpoint — and the devices polled over it. A single loop
/// serves the devices earliest-deadline-first (ties: least recently served), so devices with
/// different poll intervals share the link fairly and exactly one transaction is in flight.
/// <para>
/// Faults: a read whose answer arrived damaged (CRC error, garbled, not matching the request) is
/// retried up to <c>retries</c> times — the device is alive, the line is noisy; its points become
/// bad with the reason. Silence is never retried within a poll: when a device gives no answer at
/// all, the rest of its poll is skipped (its points bad, "device offline"), <c>device.offline</c>
/// is raised and it is probed with exponential back-off, one attempt per probe — so a dead device
/// costs the others on its bus at most one timeout per poll, from its very first silent poll.
/// A poll in which every answer came back damaged counts as offline too (reason <c>CRC errors</c>).
/// The first usable answer raises <c>device.online</c>.
/// </para>
/// </summary>
internal sealed class ModbusLink
{
    private const string OfflineReason = "device offline";
    private const string NotFiniteReason = "not a finite number (NaN or infinity)";
    private readonly IDriverOutput _output;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _maxBackoff;
    private long _served;

    public ModbusLink(string name, ModbusMaster master, IReadOnlyList<ModbusDevice> devices, IDriverOutput output, TimeProvider time, ILogger logger, TimeSpan maxBackoff)
    {
        Name = name;
        Master = master;
        Devices = devices;
        _output = output;
        _time = time;
        _logger = logger;
        _maxBackoff = maxBackoff;
    }

    public string Name { get; }

    public ModbusMaster Master { get; }

    public IReadOnlyList<ModbusDevice> Devices { get; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var start = _time.GetTimestamp();
        foreach (var device in Devices)
        {
            device.NextDue = start;
        }
        using var delay = new ReusableDelay(_time, cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            var device = NextDevice();
            var wait = TicksToTime(device.NextDue - _time.GetTimestamp());
            if (wait > TimeSpan.Zero && !await delay.WaitAsync(wait).ConfigureAwait(false))
            {
                return;
            }
            var startedAt = _time.GetTimestamp();
            device.MaxLatenessTicks = Math.Max(device.MaxLatenessTicks, startedAt - device.NextDue);
            device.LastServed = ++_served;
            try
            {
                await PollAsync(device, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.PollFailed(_logger, ex, device.Id, Name);
            }
            Reschedule(device);
        }
    }

    private ModbusDevice NextDevice()
    {
        var best = Devices[0];
        for (var i = 1; i < Devices.Count; i++)
        {
            var d = Devices[i];
            if (d.NextDue < best.NextDue || (d.NextDue == best.NextDue && d.LastServed < best.LastServed))
            {
                best = d;
            }
        }
        return best;
    }

    private void Reschedule(ModbusDevice device)
    {
        var now = _time.GetTimestamp();
        if (device.Health == DeviceHealth.Offline)
        {
            var backoff = device.Interval * Math.Pow(2, Math.Min(device.BackoffLevel, 16));
            var cap = device.Interval > _maxBackoff ? device.Interval : _maxBackoff;
            device.NextDue = now + TimeToTicks(backoff < cap ? backoff : cap);
            return;
        }
        var interval = TimeToTicks(device.Interval);
        var next = device.NextDue + interval;
        if (next <= now)
        {
            // The link could not keep up (or the device just came back): skip the slots that passed, keep the phase.
            var missed = ((now - next) / interval) + 1;
            device.MissedPolls += missed;
            next += missed * interval;
        }
        device.NextDue = next;
    }

    /// <summary>One poll of <paramref name="device"/>: every planned read, its points published with their quality.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal async ValueTask PollAsync(ModbusDevice device, CancellationToken cancellationToken)
    {
        device.Polls++;
        var started = _time.GetTimestamp();
        var probing = device.Health == DeviceHealth.Offline;
        var answered = false;
        var allData = true;
        ModbusOutcome last = default;
        for (var b = 0; b < device.Blocks.Length; b++)
        {
            var attempts = probing ? 1 : 1 + device.Retries;
            ModbusOutcome outcome = default;
            for (var a = 0; a < attempts; a++)
            {
                outcome = await Master.ExecuteAsync(device.UnitId, device.Requests[b], device.Response, device.Timeout, cancellationToken).ConfigureAwait(false);
                if (outcome.Answered || outcome.IsSilence)
                {
                    break; // retrying silence would make a dead device cost the bus a timeout per retry
                }
            }
            last = outcome;
            allData &= outcome.IsSuccess;
            if (outcome.IsSuccess)
            {
                answered = true;
                probing = false;
                await PublishBlockAsync(device, b, outcome, cancellationToken).ConfigureAwait(false);
                continue;
            }
            // Only a usable answer (data or a Modbus exception) proves the device is there: a device
            // whose every answer is damaged gives no data either, and goes offline with "CRC errors".
            answered |= outcome.Answered;
            await PublishBadAsync(device, b, outcome.Reason, cancellationToken).ConfigureAwait(false);
            if (outcome.IsSilence && !answered)
            {
                for (var rest = b + 1; rest < device.Blocks.Length; rest++)
                {
                    await PublishBadAsync(device, rest, OfflineReason, cancellationToken).ConfigureAwait(false);
                }
                break;
            }
            probing = false;
        }
        _output.PollCompleted(device.Id, _time.GetElapsedTime(started), allData);
        await UpdateHealthAsync(device, answered, last, cancellationToken).ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask UpdateHealthAsync(ModbusDevice device, bool answered, ModbusOutcome last, CancellationToken cancellationToken)
    {
        if (answered)
        {
            var was = device.Health;
            device.Health = DeviceHealth.Online;
            device.BackoffLevel = 0;
            if (was == DeviceHealth.Offline)
            {
                Log.DeviceOnline(_logger, device.Id, Name);
                await _output.PublishAsync(Event(DriverEventTypes.DeviceOnline, device, null), cancellationToken).ConfigureAwait(false);
            }
            return;
        }
        if (device.Health == DeviceHealth.Offline)
        {
            device.BackoffLevel++;
            return;
        }
        device.Health = DeviceHealth.Offline;
        device.BackoffLevel = 0;
        var reason = OfflineCause(last);
        Log.DeviceOffline(_logger, device.Id, Name, reason);
        await _output.PublishAsync(Event(DriverEventTypes.DeviceOffline, device, reason), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The specific cause for <c>device.offline</c>: the connection's own error rather than "connection failed".</summary>
    private string OfflineCause(ModbusOutcome last) => last.Transfer switch
    {
        TransferStatus.ConnectionFailed => Master.LastConnectionFault ?? last.Reason,
        TransferStatus.CrcError => "CRC errors",
        _ => last.Reason,
    };

    private GatewayEvent Event(string type, ModbusDevice device, string? reason)
    {
        var data = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["device"] = device.Id,
            ["link"] = Name,
            ["unitId"] = (int)device.UnitId,
        };
        if (reason is not null)
        {
            data["reason"] = reason;
        }
        return GatewayEvent.Create(type, device.Id, data, _time.GetUtcNow(), _time.GetTimestamp());
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask PublishBlockAsync(ModbusDevice device, int blockIndex, ModbusOutcome outcome, CancellationToken cancellationToken)
    {
        var block = device.Blocks[blockIndex];
        var measuredAt = _time.GetUtcNow();
        var timestamp = _time.GetTimestamp();
        foreach (var index in block.PointIndexes)
        {
            var point = device.Points[index];
            var value = Decode(device.Response.AsSpan(outcome.DataOffset, outcome.DataLength), block.Start, point);
            // A float register holding NaN or ±∞ (how meters say "not available") decodes to no value: a bad reading, not a good null.
            var reading = value.HasValue
                ? new Reading(device.Id, point.Name, value, point.Unit, ReadingQuality.Good, null, measuredAt, timestamp)
                : new Reading(device.Id, point.Name, value, point.Unit, ReadingQuality.Bad, NotFiniteReason, measuredAt, timestamp);
            await _output.PublishAsync(reading, cancellationToken).ConfigureAwait(false);
        }
    }

    private static ReadingValue Decode(ReadOnlySpan<byte> data, int blockStart, ModbusPoint point)
    {
        var relative = point.Address - blockStart;
        return point.IsBitTable
            ? ReadingValue.FromBoolean(PointCodec.ReadPackedBit(data, relative))
            : PointCodec.DecodeRegisters(point, data.Slice(relative * 2, point.Width * 2));
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask PublishBadAsync(ModbusDevice device, int blockIndex, string reason, CancellationToken cancellationToken)
    {
        var measuredAt = _time.GetUtcNow();
        var timestamp = _time.GetTimestamp();
        foreach (var index in device.Blocks[blockIndex].PointIndexes)
        {
            var point = device.Points[index];
            await _output.PublishAsync(new Reading(device.Id, point.Name, ReadingValue.None, point.Unit, ReadingQuality.Bad, reason, measuredAt, timestamp), cancellationToken).ConfigureAwait(false);
        }
    }

    public ModbusDeviceStatus StatusOf(ModbusDevice device) =>
        new(device.Id, Name, device.Health, device.Polls, device.MissedPolls, TicksToTime(device.MaxLatenessTicks), device.Blocks.Length);

    private TimeSpan TicksToTime(long ticks) => TimeSpan.FromSeconds((double)ticks / _time.TimestampFrequency);

    private long TimeToTicks(TimeSpan time) => (long)(time.TotalSeconds * _time.TimestampFrequency);
}
