using System.Reflection;
using BenchmarkDotNet.Running;
using Gateway.Bench;

// `-- list` shows the bench commands; `-- NAME [args]` runs one; anything else goes to
// BenchmarkDotNet's switcher (e.g. `-- --filter '*Store*'`).
var commands = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchCommand)Activator.CreateInstance(t)!)
    .ToDictionary(c => c.Name, StringComparer.Ordinal);

if (args is ["list"])
{
    foreach (var c in commands.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
    {
        Console.WriteLine($"{c.Name,-24} {c.Description}");
    }
    return 0;
}
if (args.Length > 0 && commands.TryGetValue(args[0], out var command))
{
    using var cts = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
    return await command.RunAsync(args[1..], cts.Token);
}
BenchmarkSwitcher.FromAssembly(typeof(IBenchCommand).Assembly).Run(args);
return 0;
