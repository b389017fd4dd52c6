using System.Globalization;
using System.Text.RegularExpressions;

namespace Gateway.Tests.Support;

/// <summary>
/// What a shipped native asks of the machine that loads it: its ELF machine (read from the header
/// ourselves) and the newest glibc symbol version it needs (from binutils' objdump, an independent reader).
/// </summary>
public static partial class ElfFile
{
    public const ushort X64 = 62;
    public const ushort Arm64 = 0xB7;

    /// <summary>e_machine of an ELF file, or null when the file is not ELF.</summary>
    public static ushort? Machine(string path)
    {
        Span<byte> header = stackalloc byte[20];
        using var file = File.OpenRead(path);
        if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || !header[..4].SequenceEqual("\u007fELF"u8))
        {
            return null;
        }
        // EI_DATA 1: little-endian, as on both poles' platforms; a big-endian file would be foreign anyway.
        Assert.True(header[5] == 1, $"{path} is a big-endian ELF file");
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(header[18..]);
    }

    /// <summary>The newest GLIBC_x.y among the dynamic symbols <paramref name="path"/> needs, or null when it needs none.</summary>
    public static Version? NewestGlibc(string path)
    {
        var symbols = ExternalTool.Run(ExternalTool.Require("objdump"), ["-T", path], TimeSpan.FromSeconds(60));
        Assert.True(symbols.ExitCode == 0, $"objdump -T {path}: {symbols.StdErr}");
        return GlibcVersion().Matches(symbols.StdOut)
            .Select(m => new Version(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
            .Max();
    }

    [GeneratedRegex(@"GLIBC_(\d+)\.(\d+)")]
    private static partial Regex GlibcVersion();
}
