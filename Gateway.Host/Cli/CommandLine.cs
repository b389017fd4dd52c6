namespace Gateway.Host.Cli;

/// <summary>A parsed command line: the command words, then <c>--name value</c> options.</summary>
internal sealed class CommandLine
{
    public const string Usage = """
        usage:
          edge-gateway run --config FILE              run the gateway service
          edge-gateway check-config --config FILE     validate a configuration, list every error
          edge-gateway demo [--data DIR]              a complete virtual pole on embedded defaults
          edge-gateway user add NAME --role technician|viewer [--config FILE]
                                                      create or reset a web user; password from stdin
          edge-gateway detect --model MANIFEST IMAGE...
                                                      run a detection model on pictures, one JSON line each
          edge-gateway --version | --help
        The configuration file may also be named by GATEWAY_CONFIG; GATEWAY_section__key=value
        environment variables override single keys.
        """;

    private CommandLine(IReadOnlyList<string> words, IReadOnlyDictionary<string, string> options)
    {
        Words = words;
        Options = options;
    }

    public IReadOnlyList<string> Words { get; }

    public IReadOnlyDictionary<string, string> Options { get; }

    public string? Option(string name) => Options.TryGetValue(name, out var v) ? v : null;

    /// <summary>Splits words from <c>--name value</c> / <c>--name=value</c> options; flags take no value.</summary>
    public static bool TryParse(IReadOnlyList<string> args, IReadOnlySet<string> flags, out CommandLine? result, out string error)
    {
        var words = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                words.Add(arg);
                continue;
            }
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? arg[2..eq] : arg[2..];
            string value;
            if (flags.Contains(name))
            {
                value = "true";
            }
            else if (eq > 0)
            {
                value = arg[(eq + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                (result, error) = (null, $"option --{name} needs a value");
                return false;
            }
            if (!options.TryAdd(name, value))
            {
                (result, error) = (null, $"option --{name} is given twice");
                return false;
            }
        }
        (result, error) = (new CommandLine(words, options), "");
        return true;
    }
}
