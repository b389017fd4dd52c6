using Gateway.Drivers.Modbus.Polling;
using Gateway.Drivers.Modbus.Transport;
using Gateway.Simulation.Modbus;
using Gateway.Tests.Support;

namespace Gateway.Tests.Drivers.Modbus.Polling;

/// <summary>Runs a Modbus driver on fake time, moved only while its links are parked on a timer.</summary>
internal static class FakeTimeModbusRun
{
    /// <summary>
    /// Runs the driver one timer at a time until <paramref name="done"/> holds while the link is parked
    /// between polls, then stops it there (so no poll is caught half done).
    /// </summary>
    public static async Task UntilAsync(WatchedFakeTime time, ModbusDriver driver, SimulatedModbusServer server, string device, Func<bool> done)
    {
        var counters = driver.CountersOf(device)!;
        bool Parked() => time.IsArmed(o => o is ReusableDelay) && !time.IsArmed(o => o is ReusableTimeout);
        bool TimingOut() => time.IsArmed(o => o is ReusableTimeout) && server.Handled == counters.Transactions && server.LastRequestUnanswered;

        using var stop = new CancellationTokenSource();
        var running = driver.RunAsync(stop.Token);
        while (true)
        {
            await Eventually.HoldsAsync(() => Parked() || TimingOut() || running.IsCompleted,
                () => $"the link to park ({counters.Transactions} requests, {server.Handled} handled, at {time.GetUtcNow():HH:mm:ss.fff})");
            Assert.False(running.IsCompleted, "the link stopped by itself");
            if (Parked() && done())
            {
                break;
            }
            time.AdvanceToNextTimer();
        }
        await stop.CancelAsync();
        await running;
    }
}
