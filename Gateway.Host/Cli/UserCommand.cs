using Gateway.Host.Configuration;
using Gateway.Host.Security;
using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.Host.Cli;

/// <summary><c>user add NAME --role technician|viewer [--config FILE]</c>: sets a password read from stdin or a prompt.</summary>
internal static partial class UserCommand
{
    public const int MinPasswordLength = 12;
    public const string DefaultConfigPath = "/etc/edge-gateway/gateway.json";

    public static async Task<int> AddAsync(string name, string? roleText, string? configPath, CliConsole console, int iterations = PasswordHasher.DefaultIterations)
    {
        if (!UserName().IsMatch(name))
        {
            return Fail(console, $"invalid user name '{name}': 1-32 characters, a-z 0-9 . _ -, starting with a letter");
        }
        if (!Enum.TryParse<UserRole>(roleText, ignoreCase: true, out var role) || !Enum.IsDefined(role) || roleText!.All(char.IsDigit))
        {
            return GatewayCli.Usage(console, "user add needs --role technician or --role viewer");
        }

        var usersFile = ResolveUsersFile(configPath, console);
        if (usersFile is null)
        {
            return GatewayCli.Failure;
        }

        var password = console.IsInteractive ? Prompt(console) : await console.In.ReadLineAsync().ConfigureAwait(false);
        if (password is null)
        {
            return Fail(console, "no password given on standard input");
        }
        if (password.Length < MinPasswordLength)
        {
            return Fail(console, $"the password must be at least {MinPasswordLength} characters long");
        }
        if (password.Contains(name, StringComparison.OrdinalIgnoreCase))
        {
            return Fail(console, "the password must not contain the user name");
        }

        try
        {
            var store = new UserStore(usersFile);
            var created = store.Upsert(name, role, PasswordHasher.Hash(password, iterations), TimeProvider.System.GetUtcNow());
            console.Out.WriteLine($"user '{name}' ({role.ToString().ToLowerInvariant()}) {(created ? "created" : "updated")} in {usersFile}");
            return GatewayCli.Ok;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return Fail(console, ex.Message);
        }
    }

    /// <summary>The users file of the given configuration, of /etc/edge-gateway/gateway.json, or of the demo.</summary>
    private static string? ResolveUsersFile(string? configPath, CliConsole console)
    {
        configPath ??= Environment.GetEnvironmentVariable("GATEWAY_CONFIG") ?? (File.Exists(DefaultConfigPath) ? DefaultConfigPath : null);
        ConfigLoadResult result;
        if (configPath is null)
        {
            result = DemoCommand.LoadDemoConfig(DemoCommand.DefaultDataDirectory, brokerUri: null);
            console.Error.WriteLine($"edge-gateway: no --config given and no {DefaultConfigPath}: adding the user to the demo node ({DemoCommand.DefaultDataDirectory}/)");
        }
        else
        {
            result = GatewayConfigLoader.LoadFile(configPath);
        }
        if (!result.IsValid)
        {
            foreach (var error in result.Errors)
            {
                console.Error.WriteLine(error.ToString());
            }
            return null;
        }
        return UsersFile(result.Options!);
    }

    public static string UsersFile(GatewayOptions options) =>
        options.Web.UsersFile ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.Storage.Path))!, "users.json");

    private static string? Prompt(CliConsole console)
    {
        var first = ReadHidden(console, "Password: ");
        var second = ReadHidden(console, "Repeat password: ");
        if (first != second)
        {
            console.Error.WriteLine("edge-gateway: the passwords differ");
            return null;
        }
        return first;
    }

    private static string ReadHidden(CliConsole console, string prompt)
    {
        console.Error.Write(prompt);
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }
                continue;
            }
            text.Append(key.KeyChar);
        }
        console.Error.WriteLine();
        return text.ToString();
    }

    private static int Fail(CliConsole console, string message)
    {
        console.Error.WriteLine($"edge-gateway: {message}");
        return GatewayCli.Failure;
    }

    [GeneratedRegex("^[a-z][a-z0-9._-]{0,31}$")]
    private static partial Regex UserName();
}
