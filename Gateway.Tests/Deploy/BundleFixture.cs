using Gateway.Tests.Support;

namespace Gateway.Tests.Deploy;

/// <summary>
/// Each bundle built once per test run by deploy-arm64/build-bundle.sh (a publish takes about a
/// minute) and unpacked from its tar.gz, as a pole would get it.
/// </summary>
public sealed class BundleFixture : IDisposable
{
    private readonly TempDirectory _directory = new("gw-bundle");
    private readonly Dictionary<string, Lazy<Bundle>> _bundles;

    public BundleFixture()
    {
        _bundles = new[] { "linux-arm64", "linux-x64" }.ToDictionary(rid => rid, rid => new Lazy<Bundle>(() => Build(rid)));
    }

    public Bundle For(string rid) => _bundles[rid].Value;

    public void Dispose() => _directory.Dispose();

    private Bundle Build(string rid)
    {
        var output = Path.Combine(_directory.Path, "out-" + rid);
        var build = ExternalTool.Run("/bin/bash", [Repo.PathOf("deploy-arm64", "build-bundle.sh"), "--rid", rid, "--out", output], TimeSpan.FromMinutes(10),
            environment: WithoutParentBuildVariables());
        Assert.True(build.ExitCode == 0, $"build-bundle.sh --rid {rid} failed:\n{build.StdOut}\n{build.StdErr}");

        var archive = Assert.Single(Directory.GetFiles(output, "*.tar.gz"));
        var unpacked = Path.Combine(_directory.Path, "unpacked-" + rid);
        Directory.CreateDirectory(unpacked);
        var tar = ExternalTool.Run(ExternalTool.Require("tar"), ["-xzf", archive, "-C", unpacked], TimeSpan.FromMinutes(2));
        Assert.True(tar.ExitCode == 0, tar.StdErr);
        return new Bundle(rid, archive, Assert.Single(Directory.GetDirectories(unpacked)));
    }

    /// <summary>
    /// `dotnet test` hands its own MSBuild settings down to the test host; a publish started from a
    /// test must resolve its SDK as from a shell.
    /// </summary>
    private static Dictionary<string, string?> WithoutParentBuildVariables() =>
        Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("MSBUILD", StringComparison.Ordinal) || k == "DOTNET_HOST_PATH")
            .ToDictionary(k => k, _ => (string?)null);
}

/// <summary>An unpacked bundle: <see cref="Root"/> is its one top folder, edge-gateway-VERSION-RID.</summary>
public sealed record Bundle(string Rid, string Archive, string Root)
{
    public IEnumerable<string> Files => Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'));

    public string PathOf(string relative) => Path.Combine(Root, relative);
}
