using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.Tests.Support;

namespace Gateway.Tests.Deploy;

/// <summary>
/// Issue 14: deploy-arm64/edge-gateway.service as systemd itself judges it (`systemd-analyze verify`
/// with the bundle installed in a scratch root, `security --offline` exposure at most 2.5), and the
/// udev rules giving exactly the unit's groups their devices.
/// </summary>
[Collection(BundleCollection.Name)]
public sealed partial class ServiceUnitTests(BundleFixture fixture)
{
    private static readonly string Unit = Repo.PathOf("deploy-arm64", "edge-gateway.service");

    private static Dictionary<string, List<string>> Settings(string unit) =>
        File.ReadLines(unit).Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] is not ('#' or ';' or '[') && l.Contains('=', StringComparison.Ordinal))
            .Select(l => l.Split('=', 2)).GroupBy(p => p[0], p => p[1]).ToDictionary(g => g.Key, g => g.ToList());

    [Fact]
    public void Systemd_verifies_the_unit_with_the_x64_bundle_installed_in_a_scratch_root()
    {
        var bundle = fixture.For("linux-x64");
        using var root = new TempDirectory("gw-unit-root");
        // systemd's own units (sysinit.target, …) inside the root: verify resolves dependencies there
        DeployFiles.CopyDirectory("/usr/lib/systemd/system", Path.Combine(root.Path, "usr/lib/systemd/system"));
        var units = Path.Combine(root.Path, "etc/systemd/system");
        Directory.CreateDirectory(units);
        File.Copy(bundle.PathOf("deploy/edge-gateway.service"), Path.Combine(units, "edge-gateway.service"));
        Assert.Equal(File.ReadAllText(Unit), File.ReadAllText(bundle.PathOf("deploy/edge-gateway.service")));

        var missing = Verify(root.Path);
        // verify looks for ExecStart inside the root: without the installed binary it must complain
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("/opt/edge-gateway/current/edge-gateway is not executable", missing.StdErr, StringComparison.Ordinal);

        // installed as install.sh lays it out; hard links, as the bundle is large (verify resolves links inside the root)
        var opt = Path.Combine(root.Path, "opt/edge-gateway");
        Directory.CreateDirectory(opt);
        var copy = ExternalTool.Run(ExternalTool.Require("cp"), ["-al", bundle.Root, Path.Combine(opt, "0.1.0")], TimeSpan.FromMinutes(1));
        Assert.True(copy.ExitCode == 0, copy.StdErr);
        Directory.CreateSymbolicLink(Path.Combine(opt, "current"), "0.1.0");
        var verify = Verify(root.Path);
        Assert.True(verify.ExitCode == 0 && verify.StdErr.Trim().Length == 0, $"systemd-analyze verify: {verify.ExitCode}\n{verify.StdOut}{verify.StdErr}");
    }

    private static ExternalTool.Result Verify(string root) =>
        ExternalTool.Run(ExternalTool.Require("systemd-analyze"), ["verify", "--root=" + root, "edge-gateway.service"], TimeSpan.FromMinutes(1));

    [Fact]
    public void Systemd_rates_the_units_exposure_at_most_2_5()
    {
        using var dir = new TempDirectory("gw-unit-security");
        var unit = dir.File("edge-gateway.service");
        File.Copy(Unit, unit);
        var security = ExternalTool.Run(ExternalTool.Require("systemd-analyze"), ["security", "--offline=true", "--no-pager", unit], TimeSpan.FromMinutes(1));
        var match = ExposureLine().Match(security.StdOut + security.StdErr);
        Assert.True(match.Success, security.StdOut + security.StdErr);
        var exposure = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(exposure <= 2.5, $"exposure {exposure}:\n{security.StdOut}");
        // the points we pay for, each for a reason (deploy-arm64/README.md): anything else is a regression
        var paid = security.StdOut.Split('\n').Where(l => l.StartsWith('✗')).Select(l => l.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries)[1]).Order(StringComparer.Ordinal);
        Assert.Equal(
            [
                "DeviceAllow=", "IPAddressDeny=", "MemoryDenyWriteExecute=", "PrivateDevices=", "PrivateNetwork=", "PrivateUsers=", "ProcSubset=", "ProtectClock=",
                "RestrictAddressFamilies=~AF_(INET|INET6)", "RestrictAddressFamilies=~AF_NETLINK", "RestrictAddressFamilies=~AF_UNIX", "RootDirectory=/RootImage=",
                "SupplementaryGroups=", "SystemCallFilter=~@clock", "SystemCallFilter=~@privileged", "SystemCallFilter=~@resources",
            ],
            paid);
    }

    [Fact]
    public void The_unit_is_Type_notify_with_a_watchdog_restarts_always_and_runs_as_its_own_user_with_only_the_device_groups()
    {
        var s = Settings(Unit);
        Assert.Equal(["notify"], s["Type"]);
        Assert.Equal(["main"], s["NotifyAccess"]);
        Assert.Equal(["always"], s["Restart"]);
        Assert.Equal(["30"], s["WatchdogSec"]);
        Assert.Equal(["300"], s["StartLimitIntervalSec"]);
        Assert.Equal(["5"], s["StartLimitBurst"]);
        Assert.Equal(["edge-gateway"], s["User"]);
        Assert.Equal(["dialout gpio i2c video"], s["SupplementaryGroups"]);
        Assert.Equal(["edge-gateway"], s["StateDirectory"]);
        Assert.Equal(["edge-gateway"], s["ConfigurationDirectory"]);
        Assert.Equal([""], s["CapabilityBoundingSet"]);
        Assert.Equal(["/opt/edge-gateway/current/edge-gateway run --config /etc/edge-gateway/gateway.json"], s["ExecStart"]);
        Assert.False(s.ContainsKey("LogsDirectory"), "logs go to journald");
        Assert.False(s.ContainsKey("MemoryDenyWriteExecute"), "the runtime's JIT needs executable pages it wrote: see the MDWE test");
    }

    /// <summary>
    /// Why the unit has no MemoryDenyWriteExecute=yes: ReadyToRun code still needs the JIT (generic
    /// instantiations, stubs), which maps pages it wrote as executable. The kernel's own
    /// write-xor-execute lock (PR_SET_MDWE, what MemoryDenyWriteExecute= means) kills the runtime at
    /// once, while the same launcher runs an ordinary program.
    /// </summary>
    [Fact]
    public void The_bundles_runtime_dies_under_MemoryDenyWriteExecute_so_the_unit_leaves_it_off()
    {
        var bundle = fixture.For("linux-x64");
        using var dir = new TempDirectory("gw-mdwe");
        File.WriteAllText(dir.File("mdwe.c"), """
            #include <stdio.h>
            #include <sys/prctl.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                if (prctl(65 /* PR_SET_MDWE */, 1 /* PR_MDWE_REFUSE_EXEC_GAIN */, 0, 0, 0) != 0) { perror("PR_SET_MDWE"); return 125; }
                execv(argv[1], argv + 1);
                perror("execv");
                return 126;
            }
            """);
        var gcc = ExternalTool.Run(ExternalTool.Require("gcc"), ["-O2", "-o", dir.File("mdwe"), dir.File("mdwe.c")], TimeSpan.FromMinutes(1));
        Assert.True(gcc.ExitCode == 0, gcc.StdErr);

        var plain = ExternalTool.Run(dir.File("mdwe"), ["/bin/echo", "fine"], TimeSpan.FromMinutes(1));
        Assert.Equal((0, "fine"), (plain.ExitCode, plain.StdOut.Trim()));
        var gateway = ExternalTool.Run(dir.File("mdwe"), [bundle.PathOf("edge-gateway"), "--version"], TimeSpan.FromMinutes(1));
        Assert.True(gateway.ExitCode != 0 && gateway.StdOut.Trim().Length == 0, $"the gateway ran under MDWE ({gateway.ExitCode}): {gateway.StdOut}; the unit could set MemoryDenyWriteExecute=yes");
        var unrestricted = ExternalTool.Run(bundle.PathOf("edge-gateway"), ["--version"], TimeSpan.FromMinutes(1));
        Assert.Equal(0, unrestricted.ExitCode);
    }

    [Fact]
    public void The_udev_rules_give_each_device_kind_to_one_of_the_units_groups_and_the_unit_allows_those_devices()
    {
        var s = Settings(Unit);
        var groups = s["SupplementaryGroups"].Single().Split(' ').ToHashSet();
        var rules = File.ReadLines(Repo.PathOf("deploy-arm64", "99-edge-gateway.rules")).Where(l => l.Trim().Length > 0 && !l.StartsWith('#')).ToList();
        var bySubsystem = rules.Select(r => (Subsystem: Field(r, "SUBSYSTEM", "=="), Kernel: Field(r, "KERNEL", "=="), Group: Field(r, "GROUP", "="), Mode: Field(r, "MODE", "=")))
            .ToDictionary(r => r.Subsystem);
        Assert.Equal(new Dictionary<string, (string, string)>
        {
            ["gpio"] = ("gpiochip[0-9]*", "gpio"),
            ["i2c-dev"] = ("i2c-[0-9]*", "i2c"),
            ["tty"] = ("ttyS[0-9]*|ttyUSB[0-9]*|ttyAMA[0-9]*|ttyACM[0-9]*", "dialout"),
            ["video4linux"] = ("video[0-9]*", "video"),
        }, bySubsystem.ToDictionary(r => r.Key, r => (r.Value.Kernel, r.Value.Group)));
        Assert.All(bySubsystem.Values, r => Assert.Equal("0660", r.Mode)); // the group, not everyone
        Assert.Equal(groups, bySubsystem.Values.Select(r => r.Group).ToHashSet());

        // DeviceAllow names drivers as /proc/devices does; a closed policy allows nothing else
        Assert.Equal(["closed"], s["DevicePolicy"]);
        Assert.Equal(
            ["char-gpiochip rw", "char-i2c rw", "char-ttyACM rw", "char-ttyAMA rw", "char-ttyS rw", "char-ttyUSB rw", "char-video4linux rw"],
            s["DeviceAllow"].Order(StringComparer.Ordinal));
    }

    private static string Field(string rule, string key, string op)
    {
        var match = Regex.Match(rule, $@"(?:^|,\s*){key}{Regex.Escape(op)}""([^""]*)""");
        Assert.True(match.Success, $"{key}{op} in: {rule}");
        return match.Groups[1].Value;
    }

    [GeneratedRegex(@"Overall exposure level for edge-gateway\.service: (\d+\.\d+)")]
    private static partial Regex ExposureLine();
}
