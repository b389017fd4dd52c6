using System.Diagnostics;
using System.Globalization;

namespace Gateway.Bench.Store;

/// <summary>
/// Our durable store against LiteDB (a design-card candidate), same readings, same run:
/// write/sync system calls and bytes written per commit (strace around a child process), bytes
/// on disk per reading, what survives a SIGKILL mid-ingest, and what a torn or damaged tail of
/// the log or data file does on the next open. Results: docs/bench/store-vs-litedb.md.
/// </summary>
public sealed class StoreVsLiteDbCommand : IBenchCommand
{
    private const string ChildFlag = "--child";

    public string Name => "store-vs-litedb";

    public string Description => "our store vs LiteDB 5: syncs/writes/bytes per commit (strace), bytes/reading, SIGKILL and torn-tail recovery";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length > 0 && args[0] == ChildFlag)
        {
            return await StoreVsLiteDbChild.RunAsync(args[1..], cancellationToken);
        }
        var readings = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var commits = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var kills = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        var root = Directory.CreateTempSubdirectory("store-vs-litedb-").FullName;
        try
        {
            Console.WriteLine($"store-vs-litedb: SQLite {StoreBenchCommand.SqliteVersion()}, {ComparedEngine.All[1].Name}, {Environment.ProcessorCount} cores, temp dir {root}");
            var traced = await PerCommitAsync(root, commits, cancellationToken);
            await BytesPerReadingAsync(root, readings);
            var crashes = await KillMidIngestAsync(root, kills, cancellationToken);
            foreach (var (engine, round, crashed, acknowledged) in crashes)
            {
                Console.WriteLine();
                Console.WriteLine($"## {engine.Name}: the log left by SIGKILL round {round} ({acknowledged.Count:N0} acknowledged readings), damaged");
                await DamageAsync(engine, crashed, acknowledged, LogDamages(engine, crashed));
            }
            foreach (var engine in ComparedEngine.All)
            {
                var closed = Dir(root, engine, "size");
                Console.WriteLine();
                Console.WriteLine($"## {engine.Name}: the data file of the closed {readings:N0}-reading store, damaged");
                await DamageAsync(engine, closed, Enumerable.Range(0, readings).Select(i => (long)i).ToList(), DataDamages(engine, closed));
            }
            return traced ? 0 : 1;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>System calls per commit of 1 and of 100 readings; false when strace is missing.</summary>
    private static async Task<bool> PerCommitAsync(string root, int commits, CancellationToken cancellationToken)
    {
        var strace = FindOnPath("strace");
        foreach (var batch in (int[])[1, 100])
        {
            Console.WriteLine();
            Console.WriteLine($"## {commits} commits of {batch} reading(s), one after another, in a child process under strace (counted between markers, after a warm-up commit)");
            if (strace is null)
            {
                Console.WriteLine("strace not found (apt-get install strace): system calls per commit NOT measured");
                continue;
            }
            Console.WriteLine("| store | syncs (fsync/fdatasync) per commit | write calls per commit | bytes written per commit | per reading | calls by file |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | --- |");
            var traces = new List<SyscallTrace>();
            foreach (var engine in ComparedEngine.All)
            {
                var trace = await TraceCommitsAsync(strace, engine, Dir(root, engine, $"commits{batch}"), commits, batch, cancellationToken);
                traces.Add(trace);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {engine.Name} | {(double)trace.Syncs / commits:F1} | {(double)trace.Writes / commits:F1} | {(double)trace.BytesWritten / commits:N0} | {(double)trace.BytesWritten / commits / batch:N0} | {string.Join(", ", trace.ByFile.Select(kv => $"{kv.Key} {kv.Value}"))} |"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"LiteDB / ours: bytes written per commit {(double)traces[1].BytesWritten / traces[0].BytesWritten:F1}x, write calls {(double)traces[1].Writes / traces[0].Writes:F1}x, syncs {traces[1].Syncs} vs {traces[0].Syncs}"));
        }
        return strace is not null;
    }

    /// <summary>Fills each store with the same readings, closes it, and sums its files; leaves the stores for the damage tests.</summary>
    private static async Task BytesPerReadingAsync(string root, int readings)
    {
        Console.WriteLine();
        Console.WriteLine($"## bytes on disk per reading: {readings:N0} readings, {ComparedEngine.Series} series, in batches of 500, store closed");
        var sizes = new List<double>();
        foreach (var engine in ComparedEngine.All)
        {
            var dir = Dir(root, engine, "size");
            await using (var writer = await engine.OpenAsync(dir))
            {
                for (var i = 0; i < readings; i += 500)
                {
                    await writer.AppendBatchAsync(i, Math.Min(500, readings - i));
                }
            }
            var recovered = await engine.RecoverAsync(dir);
            if (recovered.Good.Count != readings)
            {
                throw new InvalidOperationException($"{engine.Name}: read back {recovered.Good.Count} of {readings} readings ({recovered.Error})");
            }
            var bytes = Directory.GetFiles(dir).Sum(f => new FileInfo(f).Length);
            sizes.Add((double)bytes / readings);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {engine.Name} | {bytes:N0} B in {string.Join(", ", Directory.GetFiles(dir).Select(Path.GetFileName))} | {(double)bytes / readings:F1} B/reading |"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"LiteDB / ours: {sizes[1] / sizes[0]:F1}x the bytes per reading"));
    }

    /// <summary>SIGKILL rounds per engine; returns a copy of what each kill left, for the damage tests.</summary>
    private static async Task<List<(ComparedEngine Engine, int Round, string Dir, List<long> Acknowledged)>> KillMidIngestAsync(string root, int kills, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"## SIGKILL mid-ingest ({kills} rounds each; single-reading commits, one producer; a reading is acknowledged when its commit returned)");
        Console.WriteLine("| store | round | acknowledged | acknowledged and read back intact | lost | inconsistent records | opened |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
        var crashes = new List<(ComparedEngine, int, string, List<long>)>();
        foreach (var engine in ComparedEngine.All)
        {
            for (var round = 1; round <= kills; round++)
            {
                var dir = Dir(root, engine, $"kill{round}");
                var acknowledged = await IngestAndKillAsync(engine, dir, cancellationToken);
                var crashed = Copy(dir, dir + "-as-left");
                var recovered = await engine.RecoverAsync(dir);
                var intact = acknowledged.Count(recovered.Good.Contains);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {engine.Name} | {round} | {acknowledged.Count:N0} | {intact:N0} | {acknowledged.Count - intact:N0} | {recovered.Inconsistent} | {recovered.Error ?? "yes"} |"));
                crashes.Add((engine, round, crashed, acknowledged));
            }
        }
        return crashes;
    }

    private static async Task<SyscallTrace> TraceCommitsAsync(string strace, ComparedEngine engine, string dir, int commits, int batch, CancellationToken cancellationToken)
    {
        var log = Path.Combine(Path.GetDirectoryName(dir)!, Path.GetFileName(dir) + ".strace");
        var (file, prefix) = SelfCommand();
        var start = new ProcessStartInfo(strace) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-f", "-qq", "-y", "-s", "0", "-e", "trace=" + SyscallTrace.TracedCalls, "-o", log, file, .. prefix, "store-vs-litedb", ChildFlag, "commits", engine.Key, dir, commits.ToString(CultureInfo.InvariantCulture), batch.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(a);
        }
        using var child = Process.Start(start)!;
        var output = child.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = child.StandardError.ReadToEndAsync(cancellationToken);
        await child.WaitForExitAsync(cancellationToken);
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"traced child for {engine.Name} exited {child.ExitCode}: {await output} {await errors}");
        }
        return SyscallTrace.Parse(File.ReadLines(log), dir);
    }

    /// <summary>Starts a child ingesting one reading per commit, SIGKILLs it after a while, returns the readings it reported as committed.</summary>
    private static async Task<List<long>> IngestAndKillAsync(ComparedEngine engine, string dir, CancellationToken cancellationToken)
    {
        var (file, prefix) = SelfCommand();
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true };
        foreach (var a in (string[])[.. prefix, "store-vs-litedb", ChildFlag, "ingest", engine.Key, dir])
        {
            start.ArgumentList.Add(a);
        }
        using var child = Process.Start(start)!;
        var acknowledged = new List<long>();
        var opened = Stopwatch.StartNew();
        var killAfter = TimeSpan.FromMilliseconds(1500 + Random.Shared.Next(1000));
        while (await child.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line == "open")
            {
                opened.Restart();
                continue;
            }
            acknowledged.Add(long.Parse(line, CultureInfo.InvariantCulture));
            if (opened.Elapsed > killAfter)
            {
                child.Kill(); // SIGKILL on Linux
                break;
            }
        }
        // Lines already in the pipe were acknowledged before the kill.
        while (await child.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            if (long.TryParse(line, CultureInfo.InvariantCulture, out var i))
            {
                acknowledged.Add(i);
            }
        }
        await child.WaitForExitAsync(cancellationToken);
        return acknowledged;
    }

    /// <summary>
    /// Tears or damages copies of a store's files and reports what the next open does. A torn tail cuts
    /// into the last commit in the log; a damaged page gets 16 bytes inverted, one every 1/16 of the page,
    /// so that header, records and slot areas are all hit whatever the page's layout; a single inverted
    /// byte mid-page most likely lands in a record, where only a checksum could notice it.
    /// </summary>
    private static async Task DamageAsync(ComparedEngine engine, string source, IReadOnlyCollection<long> expected, (string What, string File, Func<string, long> Apply)[] damages)
    {
        Console.WriteLine("| damage | opened | readings read back intact (all) | of them expected | expected lost | inconsistent records | detected |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | --- |");
        var index = 0;
        var undamaged = -1;
        foreach (var (what, file, apply) in damages.Prepend(("none (undamaged copy)", "", _ => 0L)))
        {
            var dir = Copy(source, source + "-damage" + (++index).ToString(CultureInfo.InvariantCulture));
            var path = Path.Combine(dir, file);
            if (file.Length > 0 && Length(path) < 2 * engine.PageBytes)
            {
                Console.WriteLine($"| {what} | (file has {Length(path)} B: nothing to damage) | | | | | |");
                continue;
            }
            var at = apply(path);
            var recovered = await engine.RecoverAsync(dir);
            var intact = expected.Count(recovered.Good.Contains);
            undamaged = undamaged < 0 ? recovered.Good.Count : undamaged;
            var detected = recovered.Quarantined is { } q ? $"failed the start-up check: moved aside as {q}, fresh store"
                : recovered.Error is not null ? "open/read failed"
                : recovered.Inconsistent > 0 ? "no: wrong records returned as valid"
                : recovered.Good.Count < undamaged ? $"no error; {undamaged - recovered.Good.Count:N0} fewer records than undamaged (dropped at open)"
                : "no error; nothing lost";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {what}{(file.Length > 0 ? $" (at byte {at:N0})" : "")} | {(recovered.Error is null ? "yes" : "no: " + Shorten(recovered.Error))} | {recovered.Good.Count:N0} | {intact:N0} | {expected.Count - intact:N0} | {recovered.Inconsistent} | {detected} |"));
        }
    }

    private static (string, string, Func<string, long>)[] LogDamages(ComparedEngine engine, string dir)
    {
        var log = engine.LogFile(dir);
        var end = File.Exists(log) ? engine.LogEnd(log) : 0;
        var name = Path.GetFileName(log);
        return
        [
            ($"{name}: last 1,000 bytes of its last commit cut off (torn tail)", name, path => Truncate(path, end - 1000)),
            ($"{name}: last page written, 16 bytes inverted", name, path => Invert(path, end - engine.PageBytes, engine.PageBytes, 16)),
        ];
    }

    private static (string, string, Func<string, long>)[] DataDamages(ComparedEngine engine, string dir)
    {
        var data = engine.DataFile(dir);
        var pages = new FileInfo(data).Length / engine.PageBytes;
        var name = Path.GetFileName(data);
        return
        [
            ($"{name}: last page, 16 bytes inverted", name, path => Invert(path, (pages - 1) * engine.PageBytes, engine.PageBytes, 16)),
            ($"{name}: middle page, 16 bytes inverted", name, path => Invert(path, pages / 2 * engine.PageBytes, engine.PageBytes, 16)),
            ($"{name}: middle page, 1 byte inverted at its middle", name, path => Invert(path, pages / 2 * engine.PageBytes + engine.PageBytes / 2, 1, 1)),
        ];
    }

    private static long Truncate(string path, long length)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.SetLength(length);
        return length;
    }

    /// <summary>Inverts <paramref name="count"/> bytes spread evenly over <paramref name="span"/> bytes from <paramref name="from"/>.</summary>
    private static long Invert(string path, long from, int span, int count)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        for (var i = 0; i < count; i++)
        {
            var at = from + i * (span / count) + (count > 1 ? 7 : 0);
            file.Position = at;
            var b = (byte)file.ReadByte();
            file.Position = at;
            file.WriteByte((byte)~b);
        }
        return from;
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + "…";

    private static long Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static string Dir(string root, ComparedEngine engine, string what) =>
        Directory.CreateDirectory(Path.Combine(root, engine.Key + "-" + what)).FullName;

    private static string Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from))
        {
            File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        }
        return to;
    }

    /// <summary>How to start this bench again as a child: the apphost, or <c>dotnet Gateway.Bench.dll</c>.</summary>
    private static (string File, string[] Prefix) SelfCommand()
    {
        var process = Environment.ProcessPath!;
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? (process, [typeof(StoreVsLiteDbCommand).Assembly.Location])
            : (process, []);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

}
