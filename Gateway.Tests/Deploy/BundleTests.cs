using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using Gateway.Tests.Support;

namespace Gateway.Tests.Deploy;

/// <summary>
/// The bundles deploy-arm64/build-bundle.sh makes, unpacked: only their platform's natives, none
/// needing a glibc newer than the poles' (2.31), a manifest that matches, the files the gateway looks
/// for, and (x64, runnable here) a gateway that starts from the bundle alone.
/// </summary>
[Collection(BundleCollection.Name)]
public sealed class BundleTests(BundleFixture fixture)
{
    [Theory]
    [InlineData("linux-arm64", ElfFile.Arm64)]
    [InlineData("linux-x64", ElfFile.X64)]
    public void Every_ELF_file_is_for_the_bundles_machine_and_needs_no_glibc_newer_than_2_31(string rid, ushort machine)
    {
        var bundle = fixture.For(rid);
        var elf = bundle.Files.Where(f => ElfFile.Machine(bundle.PathOf(f)) is not null).ToList();
        // the apphost, the runtime, SQLite, ONNX Runtime and Skia (evidence snapshots): a bundle missing one of them would not start or not snapshot
        Assert.Subset(elf.ToHashSet(), new HashSet<string> { "edge-gateway", "libcoreclr.so", "libhostfxr.so", "libe_sqlite3.so", "libonnxruntime.so", "libSkiaSharp.so" });
        foreach (var file in elf)
        {
            Assert.True(ElfFile.Machine(bundle.PathOf(file)) == machine, $"{file} is ELF machine {ElfFile.Machine(bundle.PathOf(file))}, not {machine}");
            var newest = ElfFile.NewestGlibc(bundle.PathOf(file));
            Assert.True(newest is null || newest <= new Version(2, 31), $"{file} needs GLIBC_{newest}");
        }
        Assert.NotNull(ElfFile.NewestGlibc(bundle.PathOf("libcoreclr.so")));
    }

    [Theory]
    [InlineData("linux-arm64")]
    [InlineData("linux-x64")]
    public void No_other_platforms_natives_are_inside(string rid)
    {
        var bundle = fixture.For(rid);
        Assert.False(Directory.Exists(bundle.PathOf("runtimes")), "a runtimes/ folder holds per-platform natives");
        Assert.DoesNotContain(bundle.Files, f => f.EndsWith(".dylib", StringComparison.Ordinal) || f.EndsWith(".exe", StringComparison.Ordinal) || f.EndsWith(".a", StringComparison.Ordinal));
        var dlls = bundle.Files.Where(f => f.EndsWith(".dll", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(dlls);
        foreach (var dll in dlls)
        {
            // a Windows native (such as ONNX Runtime's onnxruntime.dll) is a PE file without .NET metadata
            using var pe = new PEReader(File.OpenRead(bundle.PathOf(dll)));
            Assert.True(pe.HasMetadata, $"{dll} is a native Windows library");
        }
    }

    [Theory]
    [InlineData("linux-arm64")]
    [InlineData("linux-x64")]
    public void The_gateways_own_assemblies_are_ReadyToRun(string rid)
    {
        var bundle = fixture.For(rid);
        var own = bundle.Files.Where(f => f == "edge-gateway.dll" || (f.StartsWith("Gateway.", StringComparison.Ordinal) && f.EndsWith(".dll", StringComparison.Ordinal))).ToList();
        Assert.Equal(6, own.Count); // Host, Contracts, Drivers, Inference, Sync, Simulation
        foreach (var dll in own)
        {
            // crossgen's native code is reached through the CLI header's ManagedNativeHeader directory
            using var pe = new PEReader(File.OpenRead(bundle.PathOf(dll)));
            Assert.True(pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, $"{dll} is IL only");
            var expected = rid == "linux-arm64" ? Machine.Arm64 : Machine.Amd64;
            // R2R images carry the target machine XOR'd with an OS-specific value (Linux: 0x7B79)
            Assert.Equal((ushort)expected ^ 0x7B79, (int)pe.PEHeaders.CoffHeader.Machine);
        }
    }

    [Theory]
    [InlineData("linux-arm64")]
    [InlineData("linux-x64")]
    public void The_manifest_lists_every_file_with_its_sha256_and_names_the_version_and_rid(string rid)
    {
        var bundle = fixture.For(rid);
        var lines = File.ReadAllLines(bundle.PathOf("MANIFEST"));
        var header = lines.Where(l => l.StartsWith('#')).Select(l => l[1..].Trim().Split(' ', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(rid, header["rid"]);
        Assert.Equal($"edge-gateway-{header["version"]}-{rid}.tar.gz", Path.GetFileName(bundle.Archive));
        Assert.Equal($"edge-gateway-{header["version"]}-{rid}", Path.GetFileName(bundle.Root));

        // sha256sum's format: 64 hex digits, two spaces, the path inside the bundle
        var listed = lines.Where(l => !l.StartsWith('#')).Select(l => (Hash: l[..64], Path: l[66..])).ToList();
        Assert.Equal(bundle.Files.Where(f => f != "MANIFEST").Order(StringComparer.Ordinal), listed.Select(e => e.Path));
        foreach (var (hash, path) in listed)
        {
            using var file = File.OpenRead(bundle.PathOf(path));
            Assert.True(Convert.ToHexStringLower(SHA256.HashData(file)) == hash, $"{path}: the manifest's sha256 does not match");
        }
    }

    [Theory]
    [InlineData("linux-arm64")]
    [InlineData("linux-x64")]
    public void The_person_model_profiles_schema_and_example_configuration_are_the_repositorys(string rid)
    {
        var bundle = fixture.For(rid);
        var expected = new Dictionary<string, string>
        {
            ["models/person/manifest.json"] = Repo.PathOf("models", "person", "manifest.json"),
            ["models/person/model.onnx"] = Repo.PathOf("models", "person", "model.onnx"),
            ["gateway.schema.json"] = Repo.PathOf("config", "gateway.schema.json"),
            ["gateway.example.json"] = Repo.PathOf("deploy-arm64", "gateway.example.json"),
        };
        var profiles = Directory.GetFiles(Repo.PathOf("profiles"), "*.json");
        Assert.NotEmpty(profiles);
        foreach (var profile in profiles)
        {
            expected["profiles/" + Path.GetFileName(profile)] = profile;
        }
        Assert.Equal(profiles.Length, bundle.Files.Count(f => f.StartsWith("profiles/", StringComparison.Ordinal) && f.EndsWith(".json", StringComparison.Ordinal)));
        foreach (var (inBundle, source) in expected)
        {
            Assert.True(File.ReadAllBytes(source).AsSpan().SequenceEqual(File.ReadAllBytes(bundle.PathOf(inBundle))), $"{inBundle} differs from {source}");
        }
    }

    [Fact]
    public void The_x64_bundles_gateway_prints_its_version_and_accepts_the_example_configuration()
    {
        var bundle = fixture.For("linux-x64");
        var gateway = bundle.PathOf("edge-gateway");
        using var elsewhere = new TempDirectory("gw-bundle-cwd");
        // no dotnet on PATH and no DOTNET_ROOT: the bundle's own runtime must carry it
        var environment = new Dictionary<string, string?> { ["PATH"] = elsewhere.Path, ["DOTNET_ROOT"] = null, ["DOTNET_ROOT_X64"] = null };

        var version = ExternalTool.Run(gateway, ["--version"], TimeSpan.FromMinutes(1), workingDirectory: elsewhere.Path, environment: environment);
        Assert.True(version.ExitCode == 0, version.StdErr);
        var manifestVersion = File.ReadLines(bundle.PathOf("MANIFEST")).First(l => l.StartsWith("# version ", StringComparison.Ordinal))["# version ".Length..];
        Assert.Equal($"edge-gateway {manifestVersion}", version.StdOut.Trim());

        var check = ExternalTool.Run(gateway, ["check-config", "--config", bundle.PathOf("gateway.example.json")], TimeSpan.FromMinutes(1), workingDirectory: elsewhere.Path, environment: environment);
        Assert.True(check.ExitCode == 0, check.StdOut + check.StdErr);
        Assert.Contains("valid (node pole-0001; 4 device(s), 1 bus(es), 1 camera(s), 1 broker(s))", check.StdOut, StringComparison.Ordinal);
        // the model and the profiles are found in the bundle, not somewhere in this checkout
        Assert.DoesNotContain("not found", check.StdOut + check.StdErr, StringComparison.Ordinal);
    }
}
