namespace Gateway.Host.Cli;

/// <summary>The standard streams of one command invocation; tests pass their own.</summary>
public sealed record CliConsole(TextReader In, TextWriter Out, TextWriter Error)
{
    /// <summary>True when a person types at a terminal (prompts without echo); false for piped input.</summary>
    public bool IsInteractive { get; init; } = !Console.IsInputRedirected && ReferenceEquals(In, Console.In);
}
