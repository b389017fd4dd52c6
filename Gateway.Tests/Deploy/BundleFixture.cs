using Gateway.Tests.Support;

namespace Gateway.Tests.Deploy;

/// <summary>The Deploy tests share one <see cref="BundleFixture"/> and run one after another (each build takes the machine's cores).</summary>
[CollectionDefinition(Name)]
public sealed class BundleCollection : ICollectionFixture<BundleFixture>
{
    public const string Name = "bundles";
}

/// <summary>
/// Each bundle built once per test run by deploy-arm64/build-bundle.sh (a publish takes about a
/// minute) and unpacked from its tar.gz, as a pole would get it. Builds run one at a time: the
/// versions of one RID share the script's build folder.
/// </summary>
public sealed class BundleFixture : IDisposable
{
    private readonly TempDirectory _directory = new("gw-bundle");
    private readonly Lock _building = new();
    private readonly Dictionary<(string Rid, string? Version), Lazy<Bundle>> _bundles = [];

    /// <param name="version">null: the repository's version; else build-bundle.sh --version.</param>
    public Bundle For(string rid, string? version = null)
    {
        Lazy<Bundle> bundle;
        lock (_bundles)
        {
            if (!_bundles.TryGetValue((rid, version), out bundle!))
            {
                bundle = new Lazy<Bundle>(() => Build(rid, version));
                _bundles[(rid, version)] = bundle;
            }
        }
        return bundle.Value;
    }

    public void Dispose() => _directory.Dispose();

    private Bundle Build(string rid, string? version)
    {
        lock (_building)
        {
            return BuildNow(rid, version);
        }
    }

    private Bundle BuildNow(string rid, string? version)
    {
        var name = rid + (version is null ? "" : "-" + version);
        var output = Path.Combine(_directory.Path, "out-" + name);
        List<string> args = [Repo.PathOf("deploy-arm64", "build-bundle.sh"), "--rid", rid, "--out", output];
        if (version is not null)
        {
            args.AddRange(["--version", version]);
        }
        var build = ExternalTool.Run("/bin/bash", args, TimeSpan.FromMinutes(10), environment: WithoutParentBuildVariables());
        Assert.True(build.ExitCode == 0, $"build-bundle.sh --rid {rid} failed:\n{build.StdOut}\n{build.StdErr}");

        var archive = Assert.Single(Directory.GetFiles(output, "*.tar.gz"));
        var unpacked = Path.Combine(_directory.Path, "unpacked-" + name);
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
