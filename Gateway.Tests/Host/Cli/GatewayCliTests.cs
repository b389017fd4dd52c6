using Gateway.Host.Cli;
using Gateway.Host.Security;
using Gateway.Tests.Support;

namespace Gateway.Tests.Host.Cli;

public class GatewayCliTests
{
    private sealed class Captured
    {
        public StringWriter Out { get; } = new();

        public StringWriter Error { get; } = new();

        public CliConsole Console(string stdin = "") => new(new StringReader(stdin), Out, Error) { IsInteractive = false };
    }

    private static async Task<(int Code, Captured Io)> Run(string stdin, params string[] args)
    {
        var io = new Captured();
        var code = await GatewayCli.RunAsync(args, io.Console(stdin));
        return (code, io);
    }

    [Fact]
    public async Task Check_config_accepts_the_spec_example()
    {
        var (code, io) = await Run("", "check-config", "--config", Repo.PathOf("config", "examples", "spec-section4.json"));

        Assert.Equal(0, code);
        Assert.Contains("valid (node pole-0001; 2 device(s), 1 bus(es)", io.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_config_prints_every_error_with_its_path_and_exits_1()
    {
        using var dir = new TempDirectory();
        var file = dir.File("bad.json");
        File.WriteAllText(file, """
            { "node": { "id": "p1" }, "storage": { "path": "x.db" }, "mqtt": { "brokers": [] },
              "devices": [ { "id": "d", "type": "modbus", "endpoint": "tcp://a:502",
                             "points": [ { "name": "n", "table": "holding", "address": 0, "type": "float" } ] } ] }
            """);

        var (code, io) = await Run("", "check-config", "--config", file);

        Assert.Equal(1, code);
        var lines = io.Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("mqtt.brokers: must not be empty (at least 1 item(s))", lines);
        Assert.Contains(lines, l => l.StartsWith("devices[0].points[0].type: unknown type 'float'", StringComparison.Ordinal));
        Assert.EndsWith("2 error(s); the gateway will not start with this configuration", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_refuses_to_start_on_an_invalid_configuration()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("c.json"), "{ \"node\": {} }");

        var (code, io) = await Run("", "run", "--config", dir.File("c.json"));

        Assert.Equal(1, code);
        Assert.Contains("node.id: required key is missing", io.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_configuration_file_is_a_clear_error()
    {
        var (code, io) = await Run("", "check-config", "--config", "/nonexistent/gateway.json");

        Assert.Equal(1, code);
        Assert.Contains("cannot read configuration file '/nonexistent/gateway.json'", io.Error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("run")]
    [InlineData("check-config", "--config")]
    [InlineData("run", "--config", "x.json", "--bogus", "1")]
    [InlineData("user", "add", "alice", "--role", "admin")]
    public async Task Usage_errors_exit_2(params string[] args)
    {
        var (code, io) = await Run("", args);

        Assert.Equal(2, code);
        Assert.Contains("usage:", io.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task User_add_stores_only_a_salted_hash_in_a_private_file()
    {
        using var dir = new TempDirectory();
        var config = WriteConfig(dir);
        const string password = "correct horse battery staple";

        var (code, io) = await Run(password + "\n", "user", "add", "alice", "--role", "technician", "--config", config);

        Assert.True(code == 0, io.Error.ToString());
        var usersFile = dir.File("users.json");
        Assert.Contains($"user 'alice' (technician) created in {usersFile}", io.Out.ToString(), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(usersFile));
        var text = File.ReadAllText(usersFile);
        Assert.DoesNotContain(password, text, StringComparison.Ordinal);
        var user = Assert.Single(new UserStore(usersFile).Load());
        Assert.Equal(("alice", UserRole.Technician), (user.Name, user.Role));
        Assert.True(PasswordHasher.Verify(password, user.PasswordHash));
        Assert.False(PasswordHasher.Verify("correct horse battery stapler", user.PasswordHash));

        // Adding again resets the password and role; it never creates a second account.
        (code, _) = await Run("another long passphrase\n", "user", "add", "alice", "--role", "viewer", "--config", config);
        Assert.Equal(0, code);
        user = Assert.Single(new UserStore(usersFile).Load());
        Assert.Equal(UserRole.Viewer, user.Role);
        Assert.True(PasswordHasher.Verify("another long passphrase", user.PasswordHash));
    }

    [Theory]
    [InlineData("", "no password given")]
    [InlineData("short\n", "at least 12 characters")]
    [InlineData("xxalicexxxxxxxx\n", "must not contain the user name")]
    public async Task User_add_refuses_weak_or_missing_passwords(string stdin, string expected)
    {
        using var dir = new TempDirectory();

        var (code, io) = await Run(stdin, "user", "add", "alice", "--role", "viewer", "--config", WriteConfig(dir));

        Assert.Equal(1, code);
        Assert.Contains(expected, io.Error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("users.json")));
    }

    [Fact]
    public void Password_hashes_are_salted_and_tamper_evident()
    {
        var a = PasswordHasher.Hash("same password!", iterations: 1000);
        var b = PasswordHasher.Hash("same password!", iterations: 1000);

        Assert.NotEqual(a, b);
        Assert.StartsWith("pbkdf2-sha256$1000$", a, StringComparison.Ordinal);
        Assert.False(PasswordHasher.Verify("same password!", a.Replace("$1000$", "$999$", StringComparison.Ordinal)));
        Assert.False(PasswordHasher.Verify("same password!", "garbage"));
        Assert.False(PasswordHasher.Verify("same password!", "pbkdf2-sha256$1000$!!$!!"));
    }

    private static string WriteConfig(TempDirectory dir)
    {
        var path = dir.File("gateway.json");
        File.WriteAllText(path, $$"""
            { "node": { "id": "p1" }, "storage": { "path": "{{dir.File("buffer.db")}}" },
              "mqtt": { "brokers": ["mqtt://127.0.0.1:1883"] } }
            """);
        return path;
    }
}
