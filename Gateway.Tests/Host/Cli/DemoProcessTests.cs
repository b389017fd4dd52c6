using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.Host.Web;
using Gateway.Tests.Drivers.Modbus;
using Gateway.Tests.Host.Web;
using Gateway.Tests.Support;

namespace Gateway.Tests.Host.Cli;

/// <summary>
/// <c>demo</c> as a person runs it: a real process, its printed page, one-time login and
/// <c>mosquitto_sub</c> line used as printed; every device of the written configuration publishes
/// telemetry within two minutes, and so does the camera's crowd and litter pairs with their
/// snapshots; a second run's password replaces the first's.
/// </summary>
public partial class DemoProcessTests
{
    private static readonly TimeSpan TelemetryLimit = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task The_printed_lines_lead_to_the_page_and_the_city_topics_and_every_device_publishes_telemetry_within_two_minutes()
    {
        ExternalTool.Require("mosquitto");
        using var dir = new TempDirectory("demo-process");
        var started = Stopwatch.StartNew();
        using var gateway = GatewayProcess.Start(["demo", "--data", "pole"], dir.Path);

        // Subscribed at once, as printed: the gateway has not connected yet, so nothing it publishes is missed.
        using var subscriber = Subscriber.Start(Command(await gateway.WaitForLineAsync("demo: city topics  ", TimeSpan.FromSeconds(60))));
        var (url, password) = Access(gateway);
        var configPath = Path.Combine(dir.Path, "pole", "gateway.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!;
        var expected = Ids(config["devices"]).Concat(Ids(config["cameras"])).ToHashSet();
        Assert.Contains("water-1", expected);
        Assert.Contains("gas-1", expected);
        Assert.Contains("pit-flood", expected);
        Assert.StartsWith("/dev/pts/", config["buses"]![0]!["port"]!.GetValue<string>(), StringComparison.Ordinal);
        // Shown once, to the person at the console: not in the configuration, the users file or any log line.
        Assert.DoesNotContain(password, File.ReadAllText(configPath), StringComparison.Ordinal);
        Assert.DoesNotContain(password, File.ReadAllText(Path.Combine(dir.Path, "pole", "users.json")), StringComparison.Ordinal);

        await gateway.WaitForLineAsync("web: listening on", TimeSpan.FromSeconds(60));
        using (var client = Client(dir, url))
        {
            var csrf = JsonNode.Parse(await LoginAsync(client, password, HttpStatusCode.OK))!["csrfToken"]!.GetValue<string>();
            Assert.False(string.IsNullOrEmpty(csrf));
            // Listed and online: the RTU meter on the pty and the TCP gas meter answer their polls; the camera delivers frames.
            var devices = Ids(config["devices"]).ToHashSet();
            var cameras = Ids(config["cameras"]).ToHashSet();
            string[] online = [];
            JsonNode? health = null;
            while (started.Elapsed < TelemetryLimit && !expected.IsSubsetOf(online))
            {
                using var status = await client.GetAsync("/api/status");
                Assert.Equal(HttpStatusCode.OK, status.StatusCode);
                health = JsonNode.Parse(await status.Content.ReadAsStringAsync())!["health"]!;
                online =
                [
                    .. health["devices"]!.AsObject().Where(d => devices.Contains(d.Key) && d.Value!["state"]!.GetValue<string>() == "online").Select(d => d.Key),
                    .. (health["cameras"] as JsonObject ?? []).Where(c => cameras.Contains(c.Key) && c.Value!["fps"]?.GetValue<double>() > 0).Select(c => c.Key),
                ];
                await Task.Delay(500);
            }
            Assert.True(expected.IsSubsetOf(online), $"not online within {TelemetryLimit}: {string.Join(", ", expected.Except(online))}; /api/status health: {health?.ToJsonString()}");
        }

        var seen = new HashSet<string>();
        while (started.Elapsed < TelemetryLimit && !expected.IsSubsetOf(seen))
        {
            seen.UnionWith(subscriber.TelemetryDevices());
            await Task.Delay(500);
        }
        Assert.True(expected.IsSubsetOf(seen), $"no telemetry within {TelemetryLimit} from {string.Join(", ", expected.Except(seen))}; seen {string.Join(", ", seen)}\n{gateway.Output}");

        // The camera's city events, each litter event with its evidence JPEG under its own seq: the
        // demo's street loop gathers a crowd and leaves a cup within its first minute.
        string[] wanted = ["crowd.gathering", "crowd.dispersed", "litter.detected", "litter.cleared"];
        var events = new List<JsonNode>();
        while (started.Elapsed < TelemetryLimit
            && !(wanted.All(t => events.Any(e => Type(e) == t)) && SnapshotsMissing(subscriber, events).Count == 0))
        {
            events = [.. subscriber.Events()];
            await Task.Delay(500);
        }
        var missing = wanted.Where(t => !events.Any(e => Type(e) == t)).ToList();
        Assert.True(missing.Count == 0, $"no {string.Join(", ", missing)} within {TelemetryLimit}; events seen: {string.Join(", ", events.Select(Type))}\n{gateway.Output}");
        Assert.True(SnapshotsMissing(subscriber, events) is { Count: 0 }, $"no JPEG on snapshots/{{seq}} for seq {string.Join(", ", SnapshotsMissing(subscriber, events))} within {TelemetryLimit}");
        var gathering = events.First(e => Type(e) == "crowd.gathering");
        Assert.Equal(gathering["seq"]!.GetValue<long>(), events.First(e => Type(e) == "crowd.dispersed")["data"]!["gatheringSeq"]!.GetValue<long>());
        Assert.Equal("cam-1", gathering["data"]!["camera"]!.GetValue<string>());
        Assert.Single(gateway.Lines, l => l.Contains(password, StringComparison.Ordinal));
        Assert.DoesNotContain(gateway.Lines, l => l.Contains(" fail: ", StringComparison.Ordinal));

        gateway.SendSigterm();
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        // The next run replaces the login: its password differs and the old one is refused.
        using var second = GatewayProcess.Start(["demo", "--data", "pole"], dir.Path);
        await second.WaitForLineAsync("web: listening on", TimeSpan.FromSeconds(60));
        var (secondUrl, secondPassword) = Access(second);
        Assert.NotEqual(password, secondPassword);
        using (var client = Client(dir, secondUrl))
        {
            await LoginAsync(client, password, HttpStatusCode.Unauthorized);
            await LoginAsync(client, secondPassword, HttpStatusCode.OK);
        }
        second.SendSigterm();
        Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    private static string Type(JsonNode e) => e["type"]!.GetValue<string>();

    /// <summary>Seqs of events that say they have a snapshot and whose snapshots/{seq} has not arrived.</summary>
    private static List<long> SnapshotsMissing(Subscriber subscriber, IEnumerable<JsonNode> events) =>
        [.. events.Where(e => e["data"]?["snapshot"]?.GetValue<bool>() == true).Select(e => e["seq"]!.GetValue<long>())
            .Where(seq => !subscriber.HasTopic($"/snapshots/{seq}"))];

    private static IEnumerable<string> Ids(JsonNode? list) => (list as JsonArray ?? []).Select(d => d!["id"]!.GetValue<string>());

    /// <summary>The page's URL and this run's password, from "demo: web page  URL  (…)" and "demo: login  user demo  password P  (…)".</summary>
    private static (Uri Url, string Password) Access(GatewayProcess gateway)
    {
        var page = gateway.Lines.First(l => l.StartsWith("demo: web page ", StringComparison.Ordinal));
        var login = LoginLine().Match(gateway.Lines.First(l => l.StartsWith("demo: login ", StringComparison.Ordinal)));
        Assert.True(login.Success, gateway.Output);
        Assert.True(login.Groups[1].Value.Length >= 16);
        return (new Uri(page.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3]), login.Groups[1].Value);
    }

    /// <summary>The printed mosquitto_sub line as program and arguments (its topic is the only quoted word).</summary>
    private static string[] Command(string line) =>
        [.. line["demo: city topics".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(a => a.Trim('\''))];

    private static HttpClient Client(TempDirectory dir, Uri url) =>
        WebTestServer.PinnedClient(Path.Combine(dir.Path, "pole", NodeCertificate.FileName), url, new CookieContainer());

    private static async Task<string> LoginAsync(HttpClient client, string password, HttpStatusCode expected)
    {
        using var response = await client.PostAsync("/api/login", WebGatewayFixture.JsonContent(new JsonObject { ["user"] = "demo", ["password"] = password }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {body}");
        return body;
    }

    [GeneratedRegex(@"^demo: login +user demo +password (\S+) ")]
    private static partial Regex LoginLine();

    /// <summary>The printed subscription, run as printed; the telemetry lines it has printed so far.</summary>
    private sealed class Subscriber : IDisposable
    {
        private readonly Process _process;
        private readonly List<string> _lines = [];

        private Subscriber(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (_lines)
                    {
                        _lines.Add(e.Data);
                    }
                }
            };
            _process.BeginOutputReadLine();
        }

        public static Subscriber Start(string[] command)
        {
            Assert.Equal("mosquitto_sub", command[0]);
            var start = new ProcessStartInfo(ExternalTool.Require(command[0])) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in command[1..])
            {
                start.ArgumentList.Add(a);
            }
            return new Subscriber(Process.Start(start)!);
        }

        /// <summary>Devices named in the telemetry batches received ("TOPIC PAYLOAD" lines, as -v prints them).</summary>
        public IEnumerable<string> TelemetryDevices() =>
            Payloads("/telemetry").SelectMany(p => JsonNode.Parse(p)!["readings"]!.AsArray()).Select(r => r!["device"]!.GetValue<string>());

        /// <summary>The events received so far.</summary>
        public IEnumerable<JsonNode> Events() =>
            Payloads("/events").Select(p => JsonNode.Parse(p)!);

        /// <summary>Whether a message has arrived on a topic ending so (a JPEG's bytes follow it on the line; -v prints no length).</summary>
        public bool HasTopic(string suffix)
        {
            lock (_lines)
            {
                return _lines.Any(l => l.IndexOf(' ', StringComparison.Ordinal) is > 0 and var space && l[..space].EndsWith(suffix, StringComparison.Ordinal));
            }
        }

        private List<string> Payloads(string suffix)
        {
            string[] lines;
            lock (_lines)
            {
                lines = [.. _lines];
            }
            return [.. lines.Select(l => (Line: l, Space: l.IndexOf(' ', StringComparison.Ordinal)))
                .Where(x => x.Space > 0 && x.Line[..x.Space].EndsWith(suffix, StringComparison.Ordinal))
                .Select(x => x.Line[(x.Space + 1)..])];
        }

        public void Dispose() => ChildProcess.Stop(_process);
    }
}
