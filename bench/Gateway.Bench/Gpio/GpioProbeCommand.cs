using System.Device.Gpio;
using System.Reflection;
using System.Runtime.InteropServices;
using Gateway.Drivers.Gpio;
using Gateway.Drivers.Gpio.Interop;

namespace Gateway.Bench.Gpio;

/// <summary>
/// System.Device.Gpio 4.2 on this machine (docs/decisions.md): which libgpiod it could load,
/// what happens when a GpioController is opened, and what its public API offers for the things
/// the pole needs (kernel event timestamps, debounce, active-low) — read from the assembly by
/// reflection, beside the same facts for our GPIO v2 uAPI layer. Prints facts; there is no ratio
/// to take without a GPIO chip.
/// </summary>
public sealed class GpioProbeCommand : IBenchCommand
{
    public string Name => "gpio-probe";

    public string Description => "System.Device.Gpio 4.2 here: libgpiod found, GpioController opened or not, timestamps / debounce / active-low in its API vs ours";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var gpio = typeof(GpioController).Assembly;
        Console.WriteLine($"System.Device.Gpio {gpio.GetName().Version} ({gpio.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion})");
        Console.WriteLine();
        Console.WriteLine("## This machine");
        foreach (var library in new[] { "libgpiod.so.2", "libgpiod.so.3" })
        {
            var loaded = NativeLibrary.TryLoad(library, out var handle);
            if (loaded)
            {
                NativeLibrary.Free(handle);
            }
            Console.WriteLine($"- {library} ({(library.EndsWith(".3", StringComparison.Ordinal) ? "libgpiod v2 API: System.Device.Gpio's LibGpiodV2Driver" : "libgpiod v1 API: its LibGpiodDriver / V1")}): {(loaded ? "loads" : "not found")}");
        }
        var chips = Directory.Exists("/dev") ? Directory.GetFiles("/dev", "gpiochip*") : [];
        Console.WriteLine($"- GPIO character devices: {(chips.Length == 0 ? "none" : string.Join(", ", chips))}");
        Console.WriteLine($"- new GpioController(): {Attempt(() => { using var c = new GpioController(); return $"opened, {c.PinCount} pins; OpenPin(0, Input): {Attempt(() => { c.OpenPin(0, PinMode.Input); return "ok"; })}"; })}");
        foreach (var driver in new[] { "System.Device.Gpio.Drivers.LibGpiodDriver", "System.Device.Gpio.Drivers.LibGpiodV2Driver" })
        {
            // by name, so that the probe names the exact drivers GpioController chooses between
            var type = gpio.GetType(driver, throwOnError: true)!;
            Console.WriteLine($"- new {type.Name}(0): {Attempt(() => { using var d = (IDisposable)Activator.CreateInstance(type, 0)!; return "opened"; })}");
        }
        Console.WriteLine();
        Console.WriteLine("## System.Device.Gpio API (public surface, by reflection)");
        Console.WriteLine($"- PinValueChangedEventArgs (what an edge callback gets): {Members(typeof(PinValueChangedEventArgs))}");
        Console.WriteLine($"- WaitForEventResult (what WaitForEvent returns): {Members(typeof(WaitForEventResult))}");
        Console.WriteLine($"- event timestamp in either: {(HasTime(typeof(PinValueChangedEventArgs)) || HasTime(typeof(WaitForEventResult)) ? "yes" : "no")}");
        Console.WriteLine($"- PinMode: {string.Join(", ", Enum.GetNames<PinMode>())}");
        Console.WriteLine($"- public members named *Debounce*: {Named(gpio, "Debounce")}");
        Console.WriteLine($"- public members named *ActiveLow*: {Named(gpio, "ActiveLow")}");
        Console.WriteLine($"- Iot.Device.Bindings members named *Debounce* (software debounce in bindings, not in the GPIO API): {Named(typeof(Iot.Device.Bmxx80.Bme280).Assembly, "Debounce")}");
        Console.WriteLine();
        Console.WriteLine("## Ours (Gateway.Drivers/Gpio, GPIO v2 character-device uAPI, no library)");
        Console.WriteLine($"- kernel event record: {string.Join(", ", typeof(GpioV2Uapi.LineEvent).GetFields().Select(f => f.Name))}");
        Console.WriteLine($"- line request: {string.Join(", ", typeof(GpioInputRequest).GetProperties().Select(p => $"{p.Name} ({p.PropertyType.Name})"))}");
        Console.WriteLine($"- uAPI flags used: ActiveLow = 0x{GpioV2Uapi.FlagActiveLow:x}, debounce attribute id {GpioV2Uapi.AttrIdDebounce}");
        return Task.FromResult(0);
    }

    private static string Attempt(Func<string> action)
    {
        try
        {
            return action();
        }
        catch (Exception e)
        {
            var chain = new List<string>();
            for (var x = e is TargetInvocationException { InnerException: { } i } ? i : e; x is not null; x = x.InnerException)
            {
                chain.Add($"{x.GetType().Name}: {x.Message.Split('\n')[0].Trim()}");
            }
            return string.Join(" <- ", chain);
        }
    }

    private static string Members(Type type) =>
        string.Join(", ", type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => $"{p.Name} ({p.PropertyType.Name})")
            .Concat(type.GetFields(BindingFlags.Public | BindingFlags.Instance).Select(f => $"{f.Name} ({f.FieldType.Name})")));

    private static bool HasTime(Type type) =>
        type.GetProperties().Select(p => (p.Name, p.PropertyType)).Concat(type.GetFields().Select(f => (f.Name, f.FieldType)))
            .Any(m => m.Item2 == typeof(DateTime) || m.Item2 == typeof(TimeSpan) || m.Item2 == typeof(DateTimeOffset) || m.Name.Contains("Timestamp", StringComparison.OrdinalIgnoreCase));

    private static string Named(Assembly assembly, string part)
    {
        var hits = assembly.GetExportedTypes()
            .SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
                .Where(m => m is not MethodInfo { IsSpecialName: true }) // a property once, not its get_/set_
                .Select(m => $"{t.Name}.{m.Name}").Prepend(t.Name))
            .Where(n => n.Contains(part, StringComparison.OrdinalIgnoreCase))
            .Distinct()
            .ToList();
        return hits.Count == 0 ? "none" : string.Join(", ", hits);
    }
}
