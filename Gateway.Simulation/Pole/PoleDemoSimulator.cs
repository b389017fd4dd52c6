using Gateway.Drivers.Pole;
using Gateway.Simulation.Gpio;
using Microsoft.Extensions.Hosting;

namespace Gateway.Simulation.Pole;

/// <summary>
/// Drives the demo's simulated chip: a water meter pulse (with contact bounce) every 2 s, the
/// cabinet door opening for 10 s once a minute, and the pump pit's immersion sensor wet for 20 s
/// every 3 minutes, first 40 s after start (within the demo's first two minutes).
/// </summary>
internal sealed class PoleDemoSimulator(SimulatedGpioChips chips, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan PulseEvery = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PulseWidth = TimeSpan.FromMilliseconds(50);
    private const int PulsesPerDoorCycle = 30;
    private const int DoorOpenPulses = 5;
    private const int PulsesPerFloodCycle = 90;
    private const int FloodStartPulse = 20;
    private const int FloodPulses = 10;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var chip = chips.GetOrAdd(PoleDemo.Chip);
        chip.SetPhysicalLevel(PoleDemo.DoorLine, high: true); // active-low contact, closed
        chip.SetPhysicalLevel(PoleDemo.PulseLine, high: false);
        chip.SetPhysicalLevel(PoleDemo.ImmersionLine, high: true); // active-low float switch, dry
        for (var n = 0L; !stoppingToken.IsCancellationRequested; n++)
        {
            await Task.Delay(PulseEvery, time, stoppingToken).ConfigureAwait(false);
            var now = PoleClock.NowNs(time);
            chip.InjectEdges(PoleDemo.PulseLine, (true, now), (false, now + 150_000), (true, now + 300_000));
            if (n % PulsesPerDoorCycle == 0)
            {
                chip.InjectEdges(PoleDemo.DoorLine, (false, now), (true, now + 400_000), (false, now + 800_000));
            }
            else if (n % PulsesPerDoorCycle == DoorOpenPulses)
            {
                chip.InjectEdges(PoleDemo.DoorLine, (true, now));
            }
            if (n % PulsesPerFloodCycle == FloodStartPulse)
            {
                // Water sloshing over the float switch: a few bounces before it stays closed.
                chip.InjectEdges(PoleDemo.ImmersionLine, (false, now), (true, now + 20_000_000), (false, now + 40_000_000));
            }
            else if (n % PulsesPerFloodCycle == FloodStartPulse + FloodPulses)
            {
                chip.InjectEdges(PoleDemo.ImmersionLine, (true, now));
            }
            await Task.Delay(PulseWidth, time, stoppingToken).ConfigureAwait(false);
            chip.InjectEdges(PoleDemo.PulseLine, (false, PoleClock.NowNs(time)));
        }
    }
}
