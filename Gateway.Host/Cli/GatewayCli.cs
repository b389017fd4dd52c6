using Gateway.Host.Configuration;
using Gateway.Host.Hosting;
using Microsoft.Extensions.Hosting;

namespace Gateway.Host.Cli;

/// <summary>The command line of SPEC section 5. Exit codes: 0 success, 1 invalid configuration or failure, 2 usage error.</summary>
public static class GatewayCli
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "help", "version" };

    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        if (!CommandLine.TryParse(args, Flags, out var line, out var parseError))
        {
            return Usage(console, parseError);
        }
        if (line!.Option("help") is not null || line.Words.Count == 0)
        {
            await console.Out.WriteLineAsync(CommandLine.Usage).ConfigureAwait(false);
            return line.Words.Count == 0 && line.Option("help") is null ? UsageError : Ok;
        }
        if (line.Option("version") is not null)
        {
            await console.Out.WriteLineAsync($"edge-gateway {GatewayRunInfo.Version}").ConfigureAwait(false);
            return Ok;
        }

        string[]? allowed = line.Words switch
        {
            ["run"] or ["check-config"] => ["config"],
            ["demo"] => ["data"],
            ["user", "add", _] => ["role", "config"],
            ["detect", ..] => ["model"],
            _ => null,
        };
        if (allowed is null)
        {
            return Usage(console, $"unknown command '{string.Join(' ', line.Words)}'");
        }
        if (line.Options.Keys.FirstOrDefault(k => !allowed.Contains(k, StringComparer.Ordinal)) is { } extra)
        {
            return Usage(console, $"'{string.Join(' ', line.Words)}' does not take --{extra}");
        }

        return line.Words[0] switch
        {
            "run" => await RunAsync(RequireConfig(line, console), console, cancellationToken).ConfigureAwait(false),
            "check-config" => CheckConfig(RequireConfig(line, console), console),
            "detect" => await DetectCommand.RunAsync(line, console, cancellationToken).ConfigureAwait(false),
            "demo" => await DemoCommand.RunAsync(line.Option("data") ?? "demo-data", console, cancellationToken).ConfigureAwait(false),
            _ => await UserCommand.AddAsync(line.Words[2], line.Option("role"), line.Option("config"), console).ConfigureAwait(false),
        };
    }

    /// <summary>Loads and validates a configuration, then runs the gateway until SIGTERM / Ctrl+C.</summary>
    internal static async Task<int> RunAsync(string? configPath, CliConsole console, CancellationToken cancellationToken, bool demo = false)
    {
        if (configPath is null)
        {
            return UsageError;
        }
        var result = GatewayConfigLoader.LoadFile(configPath);
        if (!result.IsValid)
        {
            await ReportAsync(console, configPath, result).ConfigureAwait(false);
            return Failure;
        }
        using var host = GatewayHost.Build(result.Options!, configPath, result.Warnings, result.Document!, demo);
        await host.RunAsync(cancellationToken).ConfigureAwait(false);
        return Ok;
    }

    private static int CheckConfig(string? configPath, CliConsole console)
    {
        if (configPath is null)
        {
            return UsageError;
        }
        var result = GatewayConfigLoader.LoadFile(configPath);
        ReportAsync(console, configPath, result).GetAwaiter().GetResult();
        if (!result.IsValid)
        {
            return Failure;
        }
        var o = result.Options!;
        console.Out.WriteLine($"{configPath}: valid (node {o.Node.Id}; {o.Devices.Count} device(s), {o.Buses.Count} bus(es), {o.Cameras.Count} camera(s), {o.Mqtt.Brokers.Count} broker(s))");
        return Ok;
    }

    private static async Task ReportAsync(CliConsole console, string configPath, ConfigLoadResult result)
    {
        foreach (var warning in result.Warnings)
        {
            await console.Error.WriteLineAsync($"warning: {warning}").ConfigureAwait(false);
        }
        foreach (var error in result.Errors)
        {
            await console.Error.WriteLineAsync(error.ToString()).ConfigureAwait(false);
        }
        if (result.Errors.Count > 0)
        {
            await console.Error.WriteLineAsync($"{configPath}: {result.Errors.Count} error(s); the gateway will not start with this configuration").ConfigureAwait(false);
        }
    }

    private static string? RequireConfig(CommandLine line, CliConsole console)
    {
        var path = line.Option("config") ?? Environment.GetEnvironmentVariable("GATEWAY_CONFIG");
        if (path is null)
        {
            Usage(console, $"'{line.Words[0]}' needs --config FILE");
        }
        return path;
    }

    internal static int Usage(CliConsole console, string message)
    {
        console.Error.WriteLine($"edge-gateway: {message}");
        console.Error.WriteLine(CommandLine.Usage);
        return UsageError;
    }
}
