using Gateway.Sync.Mqtt.Packets;

namespace Gateway.Sync.Mqtt;

// The watchdog: keep-alive pings and the timeouts that declare the connection dead.
internal sealed partial class MqttClient
{
    private readonly TimeSpan _keepAlive;
    private long _lastReceived;

    /// <summary>
    /// MQTT 5.0 §3.1.2.10: send PINGREQ when idle so that the broker hears from us within the keep
    /// alive; declare the broker dead when nothing came back for a whole keep-alive period, or when
    /// a PUBACK/SUBACK is overdue.
    /// </summary>
    private async Task WatchdogLoopAsync(CancellationToken cancellationToken)
    {
        var tick = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond / 4, _keepAlive.Ticks / 4));
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(tick, _time, cancellationToken).ConfigureAwait(false);
            var now = _time.GetTimestamp();
            if (_time.GetElapsedTime(Volatile.Read(ref _lastReceived), now) > _keepAlive)
            {
                throw new TimeoutException($"nothing received from the broker for {_keepAlive.TotalSeconds:0.#} s (keep alive)");
            }
            if (Volatile.Read(ref _writeStarted) is var writeStarted and not 0 && _time.GetElapsedTime(writeStarted, now) > _settings.AckTimeout)
            {
                throw new TimeoutException($"a socket write took longer than {_settings.AckTimeout.TotalSeconds:0.#} s");
            }
            if (OldestPendingSince() is { } oldest && _time.GetElapsedTime(oldest, now) > _settings.AckTimeout)
            {
                throw new TimeoutException($"an acknowledgement is overdue by more than {_settings.AckTimeout.TotalSeconds:0.#} s");
            }
            if (_time.GetElapsedTime(Volatile.Read(ref _lastSent), now) >= _keepAlive / 2
                || _time.GetElapsedTime(Volatile.Read(ref _lastReceived), now) >= _keepAlive / 2)
            {
                _outgoing.Writer.TryWrite(PingReqPacket.Instance);
                await DrainOutgoingAsync().ConfigureAwait(false);
            }
        }
    }
}
