using System.Globalization;
using Gateway.Tests.Support;

namespace Gateway.Tests.Drivers;

/// <summary>
/// Compiles and runs a C program with gcc against the installed kernel headers and returns the
/// values it prints as <c>name value</c> lines — the independent truth for struct layouts and
/// ioctl numbers the drivers hard-code. gcc and linux-libc-dev come from tools/setup.sh.
/// </summary>
internal static class KernelHeaderProbe
{
    public static IReadOnlyDictionary<string, ulong> Run(IEnumerable<string> headers, IEnumerable<(string Name, string Expression)> values)
    {
        var gcc = ExternalTool.Require("gcc");
        using var dir = new TempDirectory("gw-header-probe");
        var source = dir.File("probe.c");
        var lines = new List<string> { "#include <stdio.h>", "#include <stddef.h>" };
        lines.AddRange(headers.Select(h => $"#include <{h}>"));
        lines.Add("int main(void) {");
        lines.AddRange(values.Select(v => $"  printf(\"%s %llu\\n\", \"{v.Name}\", (unsigned long long)({v.Expression}));"));
        lines.Add("  return 0;\n}");
        File.WriteAllLines(source, lines);
        var exe = dir.File("probe");
        var compile = ExternalTool.Run(gcc, ["-Wall", "-Werror", "-o", exe, source], TimeSpan.FromSeconds(60));
        Assert.True(compile.ExitCode == 0, $"gcc failed (are linux-libc-dev headers installed? run tools/setup.sh):\n{compile.StdErr}");
        var run = ExternalTool.Run(exe, [], TimeSpan.FromSeconds(10));
        Assert.Equal(0, run.ExitCode);
        return run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' '))
            .ToDictionary(p => p[0], p => ulong.Parse(p[1], CultureInfo.InvariantCulture));
    }
}
