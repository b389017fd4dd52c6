using System.Text.Json;
using Gateway.Tests.Support;

namespace Gateway.Tests.Inference.Runtime;

/// <summary>
/// The build output (here: next to the test assembly, which references Host and Inference) carries
/// only the natives the product runs on; Directory.Build.targets drops the packages' others.
/// </summary>
public sealed class NativeAssetsTests
{
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
            var machine = rid == "linux-x64" ? ElfFile.X64 : ElfFile.Arm64;
            Assert.Equal(machine, ElfFile.Machine(Path.Combine(runtimes.FullName, rid, "native", "libe_sqlite3.so")));
        }

        Assert.Equal(ElfFile.X64, ElfFile.Machine(Path.Combine(runtimes.FullName, "linux-x64", "native", "libonnxruntime.so")));
        Assert.Equal(ElfFile.Arm64, ElfFile.Machine(Path.Combine(runtimes.FullName, "linux-arm64", "native", "libonnxruntime.so")));
        Assert.Equal(ElfFile.X64, ElfFile.Machine(Path.Combine(runtimes.FullName, "linux-x64", "native", "libSkiaSharp.so")));
        Assert.Equal(ElfFile.Arm64, ElfFile.Machine(Path.Combine(runtimes.FullName, "linux-arm64", "native", "libSkiaSharp.so")));

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
        var libraries = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "runtimes"), "*.so", SearchOption.AllDirectories);
        Assert.Equal(8, libraries.Length); // e_sqlite3, onnxruntime, onnxruntime_providers_shared, SkiaSharp × 2 RIDs
        foreach (var library in libraries)
        {
            var newest = ElfFile.NewestGlibc(library);
            Assert.NotNull(newest);
            Assert.True(newest <= new Version(2, 31), $"{library} needs GLIBC_{newest}");
        }
    }
}
