using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Drivers.Modbus;
using Gateway.Tests.Support;
using Gateway.Tests.Sync.Mqtt.Peers;

namespace Gateway.Tests.Deploy;

/// <summary>
/// Issue 14: install.sh, upgrade.sh and rollback.sh from the x64 bundles, for real, in a scratch
/// root. The service manager is systemctl_double.py, which runs the installed gateway as systemd
/// runs a Type=notify unit (READY=1 on a notify socket, SIGTERM to stop). A pymodbus meter is
/// polled; an independent paho subscriber sees the telemetry, the events and the retained status
/// (which names the running version).
/// </summary>
[Collection(BundleCollection.Name)]
public sealed class InstallUpgradeRollbackTests(BundleFixture fixture)
{
    private const string Node = "deploy-test";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Install_upgrade_a_broken_upgrade_rolled_back_by_itself_and_a_manual_rollback_keep_the_store_seq_config_and_users()
    {
        var v1 = fixture.For("linux-x64");
        var v2 = fixture.For("linux-x64", "0.2.0");
        var v1Version = Manifest(v1.Root, "version");
        Assert.NotEqual("0.2.0", v1Version);
        using var dir = new TempDirectory("gw-deploy");
        var broken = BrokenBundle(v2, dir, "0.3.0");

        var bits = BitConverter.SingleToUInt32Bits(42.25f);
        var meterPort = Net.FreePort();
        using var meter = await PymodbusServer.StartAsync("tcp", meterPort.ToString(CultureInfo.InvariantCulture),
            new ModbusTables([(ushort)(bits & 0xFFFF), (ushort)(bits >> 16)], [0], [false], [false]), dir);
        await using var broker = MosquittoPeer.Create();
        await broker.StartAsync();
        using var paho = new PahoSubscriber(broker.Port, $"city/{Node}/#");
        await paho.WaitUntilReadyAsync();

        using var pole = new ScratchPole(dir);
        var config = pole.Seed($$"""
            { "node": { "id": "{{Node}}" },
              "storage": { "path": "{{pole.State}}/buffer.db" },
              "mqtt": { "brokers": ["{{broker.Uri}}"], "telemetryBatchDelayMs": 100 },
              "devices": [
                { "id": "water-1", "type": "modbus", "endpoint": "tcp://127.0.0.1:{{meterPort}}", "unitId": 1, "pollMs": 200,
                  "points": [ { "name": "flow_total", "table": "holding", "address": 0, "type": "f32", "order": "CDAB", "unit": "m3" } ] } ] }
            """);

        // install v1 from its archive, as a pole gets it
        var install = pole.Script(v1, "install.sh", v1.Archive);
        Assert.True(install.ExitCode == 0, install.StdErr + pole.Journal);
        Assert.Contains($"edge-gateway {v1Version} installed and running", install.StdErr, StringComparison.Ordinal);
        Assert.Equal(v1Version, pole.Current);
        Assert.Equal(["edge-gateway"], File.ReadLines(Path.Combine(pole.Root, "etc/passwd")).Where(l => l.StartsWith("edge-gateway:", StringComparison.Ordinal)).Select(l => l.Split(':')[0]));
        foreach (var group in new[] { "gpio", "i2c", "dialout", "video" })
        {
            Assert.Contains(File.ReadLines(Path.Combine(pole.Root, "etc/group")), l => l.StartsWith(group + ":", StringComparison.Ordinal));
        }
        Assert.True(File.Exists(Path.Combine(pole.Root, "etc/systemd/system/multi-user.target.wants/edge-gateway.service")), "enabled");
        Assert.Equal(File.ReadAllText(Repo.PathOf("deploy-arm64", "99-edge-gateway.rules")), File.ReadAllText(Path.Combine(pole.Root, "etc/udev/rules.d/99-edge-gateway.rules")));
        await WaitForVersionAsync(paho, v1Version);
        var afterV1 = await WaitForMoreSeqsAsync(paho, 0);

        // a technician account made by v1: upgrades and rollbacks must keep it
        var users = pole.Gateway(["user", "add", "tech", "--role", "technician", "--config", config], "Correct-horse-42-battery\nCorrect-horse-42-battery\n");
        Assert.True(users.ExitCode == 0, users.StdOut + users.StdErr);
        var usersFile = Path.Combine(pole.State, "users.json");
        var usersBytes = File.ReadAllBytes(usersFile);
        var configBytes = File.ReadAllBytes(config);

        // the store is locked: a second gateway on it is refused, whatever its version
        var second = ExternalTool.Run(Path.Combine(v2.Root, "edge-gateway"), ["run", "--config", config], TimeSpan.FromMinutes(1));
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("it is in use by another gateway process", second.StdOut + second.StdErr, StringComparison.Ordinal);

        // upgrade to v2 (the same code under another version), with the v2 bundle's own script
        var upgrade = pole.Script(v2, "upgrade.sh", v2.Archive);
        Assert.True(upgrade.ExitCode == 0, upgrade.StdErr + pole.Journal);
        Assert.Equal(("0.2.0", v1Version), (pole.Current, pole.Previous));
        await WaitForVersionAsync(paho, "0.2.0");
        var afterV2 = await WaitForMoreSeqsAsync(paho, afterV1);

        // a broken build (its SQLite library missing: check-config passes, run cannot open the store)
        var failed = pole.Script(v2, "upgrade.sh", broken);
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("upgrade.sh: ERROR: upgrade to 0.3.0 failed: systemctl start edge-gateway failed", failed.StdErr, StringComparison.Ordinal);
        Assert.Contains("rolled back to 0.2.0, which is running", failed.StdErr, StringComparison.Ordinal);
        Assert.Equal(("0.2.0", v1Version), (pole.Current, pole.Previous));
        Assert.Equal("active", pole.ActiveState);
        Assert.Contains("Unable to load shared library 'e_sqlite3'", pole.Journal, StringComparison.Ordinal);
        var afterBroken = await WaitForMoreSeqsAsync(paho, afterV2);

        // back to v1 by hand, with the script of the version that runs
        var rollback = pole.InstalledScript(pole.Current, "rollback.sh");
        Assert.True(rollback.ExitCode == 0, rollback.StdErr + pole.Journal);
        Assert.Equal((v1Version, "0.2.0"), (pole.Current, pole.Previous));
        await WaitForVersionAsync(paho, v1Version, after: 2); // v1 online again: the second time in this test
        await WaitForMoreSeqsAsync(paho, afterBroken);

        pole.StopService();
        AssertSeqsContinue(paho);
        Assert.Equal(configBytes, File.ReadAllBytes(config));
        Assert.Equal(usersBytes, File.ReadAllBytes(usersFile));
        pole.AssertOneGatewayAtATime(expectedStarts: 5); // v1, v2, the broken one, v2 again, v1
    }

    [Fact]
    public void A_bundle_that_does_not_match_its_manifest_is_refused_before_anything_changes()
    {
        var v1 = fixture.For("linux-x64");
        using var dir = new TempDirectory("gw-deploy-tampered");
        var tampered = Path.Combine(dir.Path, Path.GetFileName(v1.Root));
        DeployFiles.CopyDirectory(v1.Root, tampered);
        File.AppendAllText(Path.Combine(tampered, "gateway.schema.json"), " ");
        using var pole = new ScratchPole(dir);
        pole.Seed("""{ "node": { "id": "x" }, "storage": { "path": "data/buffer.db" }, "mqtt": { "brokers": ["mqtt://127.0.0.1:1"] } }""");

        var install = pole.Script(v1, "install.sh", tampered);
        Assert.Equal(1, install.ExitCode);
        Assert.Contains("gateway.schema.json: FAILED", install.StdErr, StringComparison.Ordinal);
        Assert.Contains("files do not match the MANIFEST (corrupt or altered); nothing changed", install.StdErr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(pole.Root, "opt/edge-gateway")));
        Assert.False(File.Exists(Path.Combine(pole.Root, "etc/systemd/system/edge-gateway.service")));
    }

    private static string Manifest(string bundleRoot, string field) =>
        File.ReadLines(Path.Combine(bundleRoot, "MANIFEST")).First(l => l.StartsWith($"# {field} ", StringComparison.Ordinal))[$"# {field} ".Length..];

    /// <summary>
    /// A copy of <paramref name="good"/> as version <paramref name="version"/> without libe_sqlite3.so,
    /// with a MANIFEST that matches it: it verifies and passes check-config, and `run` dies at the store.
    /// </summary>
    private static string BrokenBundle(Bundle good, TempDirectory dir, string version)
    {
        var root = Path.Combine(dir.Path, "broken", $"edge-gateway-{version}-{good.Rid}");
        DeployFiles.CopyDirectory(good.Root, root);
        File.Delete(Path.Combine(root, "libe_sqlite3.so"));
        var manifest = new StringBuilder($"# version {version}\n# rid {good.Rid}\n# commit broken-on-purpose\n");
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Where(f => f != "MANIFEST").Order(StringComparer.Ordinal))
        {
            using var stream = File.OpenRead(Path.Combine(root, file));
            manifest.Append(CultureInfo.InvariantCulture, $"{Convert.ToHexStringLower(SHA256.HashData(stream))}  {file}\n");
        }
        File.WriteAllText(Path.Combine(root, "MANIFEST"), manifest.ToString());
        return root;
    }

    private static IEnumerable<JsonElement> Records(PahoSubscriber paho) =>
        paho.Messages.Where(m => m.Topic.EndsWith("/telemetry", StringComparison.Ordinal) || m.Topic.EndsWith("/events", StringComparison.Ordinal))
            .SelectMany(m =>
            {
                var json = JsonDocument.Parse(m.Payload).RootElement;
                return m.Topic.EndsWith("/telemetry", StringComparison.Ordinal) ? json.GetProperty("readings").EnumerateArray().ToList() : [json];
            });

    private static long MaxSeq(PahoSubscriber paho) => Records(paho).Select(r => r.GetProperty("seq").GetInt64()).DefaultIfEmpty(0).Max();

    /// <summary>Waits until records with seqs above <paramref name="above"/> (at least 3 more) arrived; returns the highest.</summary>
    private static async Task<long> WaitForMoreSeqsAsync(PahoSubscriber paho, long above)
    {
        await paho.WaitForMessagesAsync(_ => MaxSeq(paho) >= above + 3, Patience);
        return MaxSeq(paho);
    }

    /// <summary>Waits for the <paramref name="after"/>-th live "online" status (counted over the test) naming <paramref name="version"/>.</summary>
    private static Task WaitForVersionAsync(PahoSubscriber paho, string version, int after = 1) =>
        paho.WaitForMessagesAsync(messages => messages.Count(m => m.Topic == $"city/{Node}/status" && IsOnline(m.Payload, version)) >= after, Patience);

    private static bool IsOnline(byte[] payload, string version)
    {
        var json = JsonDocument.Parse(payload).RootElement;
        return json.GetProperty("state").GetString() == "online" && json.GetProperty("version").GetString() == version;
    }

    /// <summary>
    /// One store throughout: every seq from the first to the last arrived (again, at most, after a
    /// restart: at-least-once), and a seq never names two different records — a new store would
    /// have started over at 1.
    /// </summary>
    private static void AssertSeqsContinue(PahoSubscriber paho)
    {
        var bySeq = Records(paho).GroupBy(r => r.GetProperty("seq").GetInt64()).ToDictionary(g => g.Key, g => g.Select(r => r.GetRawText()).Distinct().ToList());
        Assert.All(bySeq, e => Assert.True(e.Value.Count == 1, $"seq {e.Key} names different records: {string.Join(" / ", e.Value)}"));
        var seqs = bySeq.Keys.Order().ToList();
        var missing = Enumerable.Range(1, (int)seqs[^1]).Select(i => (long)i).Except(seqs).ToList();
        Assert.True(missing.Count == 0, $"seqs 1..{seqs[^1]} are missing {string.Join(",", missing.Take(20))}");
    }

    /// <summary>A scratch root with the stand-in service manager, and the deploy scripts run against it.</summary>
    private sealed class ScratchPole : IDisposable
    {
        private readonly string _double = Repo.PathOf("Gateway.Tests", "Deploy", "systemctl_double.py");
        private readonly string _doubleState;

        public ScratchPole(TempDirectory dir)
        {
            Root = Path.Combine(dir.Path, "root");
            _doubleState = Path.Combine(dir.Path, "service");
            Directory.CreateDirectory(Path.Combine(Root, "etc"));
            Directory.CreateDirectory(_doubleState);
            // the root's account files hold only root, as a fresh pole's base image would (plus what install.sh adds)
            foreach (var file in new[] { "passwd", "group", "shadow", "gshadow" })
            {
                File.WriteAllLines(Path.Combine(Root, "etc", file), File.ReadLines("/etc/" + file).Where(l => l.StartsWith("root:", StringComparison.Ordinal)));
            }
        }

        public string Root { get; }

        public string State => Path.Combine(Root, "var/lib/edge-gateway");

        public string? Current => Link("current");

        public string? Previous => Link("previous");

        public string Journal => File.Exists(Path.Combine(_doubleState, "journal.log")) ? File.ReadAllText(Path.Combine(_doubleState, "journal.log")) : "";

        public string ActiveState => Systemctl("show", "-p", "ActiveState", "edge-gateway").StdOut.Trim()["ActiveState=".Length..];

        private Dictionary<string, string?> Environment => new()
        {
            ["SYSTEMCTL"] = _double,
            ["DOUBLE_ROOT"] = Root,
            ["DOUBLE_STATE"] = _doubleState,
        };

        /// <summary>Writes the pole's configuration before installation (install.sh keeps it); returns its path.</summary>
        public string Seed(string configuration)
        {
            var path = Path.Combine(Root, "etc/edge-gateway/gateway.json");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, configuration);
            return path;
        }

        public ExternalTool.Result Script(Bundle bundle, string script, params string[] args) => Script(bundle.Root, script, args);

        /// <summary>A script of an installed version (its copy under /opt/edge-gateway).</summary>
        public ExternalTool.Result InstalledScript(string? installedVersion, string script) =>
            Script(Path.Combine(Root, "opt/edge-gateway", installedVersion!), script, []);

        private ExternalTool.Result Script(string bundleRoot, string script, params string[] args) =>
            ExternalTool.Run("/bin/bash", [Path.Combine(bundleRoot, "deploy", script), "--root", Root, "--settle", "3", .. args], TimeSpan.FromMinutes(5), environment: Environment);

        public ExternalTool.Result Gateway(string[] args, string stdin) =>
            ExternalTool.Run(Path.Combine(Root, "opt/edge-gateway/current/edge-gateway"), args, TimeSpan.FromMinutes(1), stdin: stdin);

        public void StopService() => Assert.Equal(0, Systemctl("stop", "edge-gateway").ExitCode);

        /// <summary>From the stand-in's log: each start came after the previous gateway had exited.</summary>
        public void AssertOneGatewayAtATime(int expectedStarts)
        {
            var events = File.ReadAllLines(Path.Combine(_doubleState, "events.log")).Select(l => l.Split(' ', 2)[1]).ToList();
            var running = 0;
            var starts = 0;
            foreach (var e in events)
            {
                if (e.StartsWith("spawned pid", StringComparison.Ordinal))
                {
                    starts++;
                    Assert.True(running == 0, "a gateway started while another ran:\n" + string.Join('\n', events));
                    running++;
                }
                else if (e.StartsWith("exited pid", StringComparison.Ordinal))
                {
                    running--;
                }
            }
            Assert.Equal(expectedStarts, starts);
            Assert.Equal(0, running);
        }

        private ExternalTool.Result Systemctl(params string[] args) => ExternalTool.Run(_double, args, TimeSpan.FromMinutes(2), environment: Environment);

        private string? Link(string name)
        {
            var path = Path.Combine(Root, "opt/edge-gateway", name);
            return new FileInfo(path).LinkTarget;
        }

        public void Dispose() => Systemctl("stop", "edge-gateway");
    }
}
