using System.Text.Json;
using Gateway.Tests.Support;

namespace Gateway.Tests.Inference.Runtime;

/// <summary>
/// The build output (here: next to the test assembly, which references Host and Inference) carries
/// only the natives the product runs on; Directory.Build.targets drops the packages' others.
/// </summary>
public sealed class NativeAssetsTests
{
    private const ushort ElfX64 = 62;
    private const ushort ElfArm64 = 183;

    [Fact]
    public void Only_linux_x64_and_linux_arm64_natives_are_in_the_build_output()
    {
        // deps.json is rewritten by every build; the folders also hold what older builds left.
        using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Gateway.Tests.deps.json")));
        var nativeRids = deps.RootElement.GetProperty("targets").EnumerateObject().Single().Value.EnumerateObject()
            .SelectMany(library => library.Value.TryGetProperty("runtimeTargets", out var targets) ? targets.EnumerateObject() : [])
            .Where(asset => asset.Value.GetProperty("assetType").GetString() == "native")
            .Select(asset => asset.Value.GetProperty("rid").GetString() ?? "")
            .Distinct().Order().ToArray();
        Assert.Equal(["linux-arm64", "linux-x64"], nativeRids);

        var runtimes = new DirectoryInfo(Path.Combine(AppContext.BaseDirectory, "runtimes"));
        var withNatives = runtimes.GetDirectories().Where(d => Directory.Exists(Path.Combine(d.FullName, "native")) || Directory.Exists(Path.Combine(d.FullName, "nativeassets"))).Select(d => d.Name).Order().ToArray();
        Assert.Equal(["linux-arm64", "linux-x64"], withNatives);
        foreach (var rid in withNatives)
        {
            // SQLite's and ONNX Runtime's libraries for this RID, ELF of its machine
            var machine = rid == "linux-x64" ? ElfX64 : ElfArm64;
            Assert.Equal(machine, ElfMachine(Path.Combine(runtimes.FullName, rid, "native", "libe_sqlite3.so")));
        }

        Assert.Equal(ElfX64, ElfMachine(Path.Combine(runtimes.FullName, "linux-x64", "native", "libonnxruntime.so")));
        Assert.Equal(ElfArm64, ElfMachine(Path.Combine(runtimes.FullName, "linux-arm64", "native", "libonnxruntime.so")));

        // The package's build props would also copy Windows' onnxruntime.dll to the output root.
        Assert.DoesNotContain(Directory.GetFiles(AppContext.BaseDirectory, "*.dll"), f => Path.GetFileName(f).StartsWith("onnxruntime", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(Directory.GetFiles(AppContext.BaseDirectory, "*.dylib", SearchOption.AllDirectories));
    }

    /// <summary>
    /// Poles run Debian 11 / Ubuntu 20.04 and newer (glibc 2.31): no shipped native may ask for a newer
    /// glibc symbol version (SQLitePCLRaw 2.1.12+ builds ask for 2.34, hence 2.1.11). Read with binutils' objdump.
    /// </summary>
    [Fact]
    public void Shipped_natives_need_no_glibc_newer_than_2_31()
    {
        var objdump = ExternalTool.Require("objdump");
        var libraries = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "runtimes"), "*.so", SearchOption.AllDirectories);
        Assert.Equal(6, libraries.Length); // e_sqlite3, onnxruntime, onnxruntime_providers_shared × 2 RIDs
        foreach (var library in libraries)
        {
            var symbols = ExternalTool.Run(objdump, ["-T", library], TimeSpan.FromSeconds(60));
            Assert.True(symbols.ExitCode == 0, symbols.StdErr);
            var newest = System.Text.RegularExpressions.Regex.Matches(symbols.StdOut, @"GLIBC_(\d+)\.(\d+)")
                .Select(m => new Version(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)))
                .Max();
            Assert.NotNull(newest);
            Assert.True(newest <= new Version(2, 31), $"{library} needs GLIBC_{newest}");
        }
    }

    private static ushort ElfMachine(string path)
    {
        Span<byte> header = stackalloc byte[20];
        using var file = File.OpenRead(path);
        file.ReadExactly(header);
        Assert.True(header[..4].SequenceEqual("\u007fELF"u8), $"{path} is not an ELF file");
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(header[18..]);
    }
}
