using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Gateway.Host.ConfigApply;
using Gateway.Host.Configuration;
using Gateway.Host.Hosting;
using Gateway.Host.Web;
using Gateway.Inference;
using Gateway.Sync.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Cli;

/// <summary>The command line of SPEC section 5. Exit codes: 0 success, 1 invalid configuration or failure, 2 usage error.</summary>
public static class GatewayCli
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    /// <summary>The overview printed by <c>--help</c> and after every usage error; <c>COMMAND --help</c> details one command.</summary>
    public const string UsageText = """
        usage:
          edge-gateway run --config FILE              run the gateway service
          edge-gateway check-config --config FILE     validate a configuration, list every error
          edge-gateway demo [--data DIR]              a complete virtual pole on embedded defaults
          edge-gateway user add NAME --role technician|viewer [--config FILE]
                                                      create or reset a web user; password from stdin
          edge-gateway detect --model MANIFEST IMAGE...
                                                      run a detection model on pictures, one JSON line each
          edge-gateway --version | --help | COMMAND --help
        The configuration file may also be named by GATEWAY_CONFIG; GATEWAY_section__key=value
        environment variables override single keys.
        """;

    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        // No @response-files: an image or configuration path may start with '@'.
        var parse = Commands(console).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Action is ParseErrorAction)
        {
            return Usage(console, parse.Errors[0].Message);
        }
        // Signals stay with the generic host (graceful stop, ShutdownWatchdog); exceptions are not caught here.
        var invocation = new InvocationConfiguration { Output = console.Out, Error = console.Error, ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
        return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    private static RootCommand Commands(CliConsole console)
    {
        var root = new RootCommand("Edge gateway for a smart street pole (SPEC section 5).");
        root.SetAction(_ =>
        {
            console.Out.WriteLine(UsageText);
            return UsageError;
        });
        var help = root.Options.OfType<HelpOption>().Single();
        var detailedHelp = help.Action!;
        help.Action = new Print(r => r.CommandResult.Command == root ? UsageText : null, detailedHelp);
        root.Options.OfType<VersionOption>().Single().Action = new Print(_ => $"edge-gateway {GatewayRunInfo.Version}", null);

        var run = new Command("run", "Run the gateway service until SIGTERM or Ctrl+C.") { ConfigOption("the configuration file") };
        run.SetAction((r, ct) => RunAsync(RequireConfig(r, console), console, ct));
        var check = new Command("check-config", "Validate a configuration and list every error with its path.") { ConfigOption("the configuration file") };
        check.SetAction(r => CheckConfig(RequireConfig(r, console), console));

        var data = new Option<string>("--data") { Description = "where the demo keeps its data", HelpName = "DIR", DefaultValueFactory = _ => DemoCommand.DefaultDataDirectory };
        var demo = new Command("demo", "A complete virtual pole on embedded defaults (simulated hardware, loopback broker).") { data };
        demo.SetAction((r, ct) => DemoCommand.RunAsync(r.GetValue(data)!, console, ct));

        var name = new Argument<string>("NAME") { Description = "1-32 characters a-z 0-9 . _ -, starting with a letter" };
        var role = new Option<string>("--role") { Description = "technician or viewer", HelpName = "technician|viewer" };
        var userConfig = ConfigOption($"the node's configuration (default: GATEWAY_CONFIG, {UserCommand.DefaultConfigPath}, else the demo node)");
        var add = new Command("add", "Create a web user or reset its password and role; the password is read from standard input or a prompt.") { name, role, userConfig };
        add.SetAction(r => UserCommand.AddAsync(r.GetValue(name)!, r.GetValue(role), r.GetValue(userConfig), console));
        var user = new Command("user", "Manage the users of the local web page.") { add };

        var model = new Option<string>("--model") { Description = "the model's manifest", HelpName = "MANIFEST", Required = true };
        var images = new Argument<string[]>("IMAGE") { Description = "picture files", Arity = ArgumentArity.OneOrMore };
        // The parser hands unknown --options to a many-valued argument instead of refusing them.
        images.Validators.Add(r =>
        {
            foreach (var unknown in r.Tokens.Where(t => t.Value.Length > 1 && t.Value[0] == '-'))
            {
                r.AddError($"Unrecognized command or argument '{unknown.Value}'.");
            }
        });
        var detect = new Command("detect", "Run a detection model on pictures; one JSON line per picture.") { model, images };
        detect.SetAction((r, ct) => Inference.Cli.DetectCommand.RunAsync(r.GetValue(model)!, r.GetValue(images)!, console.Out, console.Error, new InferenceOptions(), TimeProvider.System, ct));

        root.Subcommands.Add(run);
        root.Subcommands.Add(check);
        root.Subcommands.Add(demo);
        root.Subcommands.Add(user);
        root.Subcommands.Add(detect);
        return root;
    }

    private static Option<string> ConfigOption(string description) => new("--config") { Description = description, HelpName = "FILE" };

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
        return await RunHostAsync(result, configPath, console, cancellationToken, demo).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the gateway on loaded options; options no component accepts end it before anything starts, in one line.
    /// A configuration change that the components cannot take live stops the host and lands here again: a
    /// new host is built from the file (<see cref="HostRestart"/>). If the changed file cannot even start a
    /// host, the previous one (<c>.last-good</c>) is put back and run, and that host records the rollback.
    /// </summary>
    internal static async Task<int> RunHostAsync(ConfigLoadResult result, string configPath, CliConsole console, CancellationToken cancellationToken, bool demo = false)
    {
        PendingConfigApply? pending = null;
        while (true)
        {
            using (var host = GatewayHost.Build(result.Options!, configPath, result.Warnings, result.Document!, demo, pending))
            {
                if (StartProblem(host) is { } problem)
                {
                    if (pending is null || pending.RolledBackBecause is not null)
                    {
                        await console.Error.WriteLineAsync($"edge-gateway: {problem}").ConfigureAwait(false);
                        return Failure;
                    }
                    await console.Error.WriteLineAsync($"edge-gateway: {problem}; restoring the previous configuration").ConfigureAwait(false);
                    (result, pending) = RestoreLastGood(configPath, pending, problem);
                    continue;
                }
                var supervision = host.Services.GetRequiredService<ComponentSupervision>(); // before RunAsync disposes the services
                var restart = host.Services.GetRequiredService<HostRestart>();
                var sessions = host.Services.GetService<Web.SessionTable>(); // handed to the next host, if a change restarts it
                await host.RunAsync(cancellationToken).ConfigureAwait(false);
                // Non-zero when a critical component gave up: systemd's Restart=on-failure starts us afresh.
                if (supervision.ExitCode != 0)
                {
                    return supervision.ExitCode;
                }
                if (!restart.Requested || cancellationToken.IsCancellationRequested)
                {
                    return Ok;
                }
                pending = restart.Pending is { } next ? next with { WebSessions = sessions } : null;
            }
            result = GatewayConfigLoader.LoadFile(configPath);
            if (!result.IsValid)
            {
                if (pending is null)
                {
                    await ReportAsync(console, configPath, result).ConfigureAwait(false);
                    return Failure;
                }
                (result, pending) = RestoreLastGood(configPath, pending, string.Join("; ", result.Errors));
            }
        }
    }

    private static (ConfigLoadResult, PendingConfigApply) RestoreLastGood(string configPath, PendingConfigApply pending, string problem)
    {
        new ConfigFileWriter().RestoreLastGood(configPath);
        return (GatewayConfigLoader.LoadFile(configPath), pending with { RolledBackBecause = [new ConfigError("", problem)] });
    }

    /// <summary>
    /// Runs the components' option validators (what <c>ValidateOnStart</c> would run inside the host's
    /// start, where a failure becomes a logged stack trace) and opens the store, before anything starts.
    /// </summary>
    private static string? StartProblem(IHost host)
    {
        try
        {
            host.Services.GetService<IStartupValidator>()?.Validate();
            host.Services.GetRequiredService<LiveComponents>().ValidateAsync(host.Services.GetRequiredService<GatewayOptions>()).GetAwaiter().GetResult();
            _ = host.Services.GetRequiredService<IRecordStore>();
            host.Services.PrepareTechnicianWeb();
            return null;
        }
        catch (OptionsValidationException e)
        {
            return $"invalid configuration: {string.Join("; ", e.Failures)}";
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            return $"invalid configuration: {string.Join("; ", e.InnerExceptions.SelectMany(i => ((OptionsValidationException)i).Failures))}";
        }
        catch (StoreUnavailableException e)
        {
            return e.Message;
        }
        catch (WebStartException e)
        {
            return e.Message;
        }
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
        if (StoreLocation.Problem(o.Storage.Path) is { } problem)
        {
            console.Error.WriteLine($"warning: storage.path: {problem}");
        }
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

    /// <summary>--config, else GATEWAY_CONFIG; null (after a usage message) when neither is given.</summary>
    private static string? RequireConfig(ParseResult parse, CliConsole console)
    {
        var command = parse.CommandResult.Command;
        var path = parse.GetValue<string>("--config") ?? Environment.GetEnvironmentVariable("GATEWAY_CONFIG");
        if (path is null)
        {
            Usage(console, $"'{command.Name}' needs --config FILE");
        }
        return path;
    }

    internal static int Usage(CliConsole console, string message)
    {
        console.Error.WriteLine($"edge-gateway: {message}");
        console.Error.WriteLine(UsageText);
        return UsageError;
    }

    /// <summary>Writes a text to standard output (exit 0); where the text is null, hands over to <paramref name="fallback"/>.</summary>
    private sealed class Print(Func<ParseResult, string?> text, CommandLineAction? fallback) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            if (text(parseResult) is { } line)
            {
                parseResult.InvocationConfiguration.Output.WriteLine(line);
                return Ok;
            }
            return ((SynchronousCommandLineAction)fallback!).Invoke(parseResult);
        }
    }
}
