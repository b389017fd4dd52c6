using Gateway.Host.Cli;

// Entry point: every command (run, check-config, demo, user add, detect) lives in Gateway.Host/Cli.
return await GatewayCli.RunAsync(args, new CliConsole(Console.In, Console.Out, Console.Error)).ConfigureAwait(false);
