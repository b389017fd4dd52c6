using System.Globalization;
using System.Text.RegularExpressions;

namespace Gateway.Bench.Store;

/// <summary>
/// Write and sync system calls a child process made on the files of one directory, counted from an
/// <c>strace -f -y</c> log between two marker writes (so start-up, schema creation and shutdown are
/// left out). Each call's path comes from <c>-y</c>; bytes are the calls' return values.
/// </summary>
internal sealed partial class SyscallTrace
{
    public const string BeginMarker = "begin.marker";
    public const string EndMarker = "end.marker";

    /// <summary>The calls that put bytes on the way to the disk, and those that force them there.</summary>
    public const string TracedCalls = "write,pwrite64,writev,pwritev,pwritev2,fsync,fdatasync,sync_file_range";

    public int Syncs { get; private set; }

    public int Writes { get; private set; }

    public long BytesWritten { get; private set; }

    /// <summary>Calls per file name (for the report: which file got the writes and syncs).</summary>
    public SortedDictionary<string, int> ByFile { get; } = new(StringComparer.Ordinal);

    public static SyscallTrace Parse(IEnumerable<string> lines, string dir)
    {
        var trace = new SyscallTrace();
        var pending = new Dictionary<string, (string Call, string Path)>(StringComparer.Ordinal);
        var inside = false;
        foreach (var line in lines)
        {
            string pid, call, path, rest;
            var start = CallStart().Match(line);
            if (start.Success)
            {
                (pid, call, path, rest) = (start.Groups[1].Value, start.Groups[2].Value, start.Groups[3].Value, start.Groups[4].Value);
                if (rest.Contains("<unfinished ...>", StringComparison.Ordinal))
                {
                    pending[pid] = (call, path);
                    continue;
                }
            }
            else
            {
                var resumed = CallResumed().Match(line);
                if (!resumed.Success || !pending.Remove(resumed.Groups[1].Value, out var begun))
                {
                    continue;
                }
                (pid, call, path, rest) = (resumed.Groups[1].Value, begun.Call, begun.Path, resumed.Groups[3].Value);
            }
            var name = Path.GetFileName(path);
            if (name == BeginMarker)
            {
                inside = true;
                continue;
            }
            if (name == EndMarker)
            {
                break;
            }
            if (!inside || !path.StartsWith(dir, StringComparison.Ordinal))
            {
                continue;
            }
            trace.ByFile[name + " " + call] = trace.ByFile.GetValueOrDefault(name + " " + call) + 1;
            if (call is "fsync" or "fdatasync" or "sync_file_range")
            {
                trace.Syncs++;
                continue;
            }
            trace.Writes++;
            var result = Result().Match(rest);
            if (result.Success && long.TryParse(result.Groups[1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes) && bytes > 0)
            {
                trace.BytesWritten += bytes;
            }
        }
        if (!inside)
        {
            throw new InvalidOperationException("the begin marker is not in the trace: was the child traced with -f -y?");
        }
        return trace;
    }

    // "1234 pwrite64(25</tmp/d/store.db-wal>, ""..., 4120, 32) = 4120"
    [GeneratedRegex(@"^(\d+)\s+(\w+)\(\d+<([^>]*)>(.*)$")]
    private static partial Regex CallStart();

    // "1234 <... pwrite64 resumed>) = 4120"
    [GeneratedRegex(@"^(\d+)\s+<\.\.\. (\w+) resumed>(.*)$")]
    private static partial Regex CallResumed();

    [GeneratedRegex(@"=\s*(-?\d+)\s*(?:$|<|\()")]
    private static partial Regex Result();
}
