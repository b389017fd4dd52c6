using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Gateway.Host.Cli;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Conventions;

/// <summary>
/// Every <c>[LoggerMessage]</c> of the shipped assemblies has an event id of its own, inside the
/// block docs/logging.md gives its namespace, so that an operator can filter journald by id.
/// The table in docs/logging.md is the scheme; these tests hold the code to it.
/// </summary>
public sealed partial class LogEventIdTests
{
    internal sealed record IdRange(int First, int Last, string Namespace);

    internal sealed record LogMessage(int EventId, string Namespace, string Method);

    [Fact]
    public void Every_logged_message_has_an_event_id_of_its_own()
    {
        var messages = ShippedMessages();
        var problems = Duplicates(messages).ToList();
        problems.AddRange(messages.Where(m => m.EventId <= 0).Select(m => $"{m.Method} has no event id"));
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Every_event_id_lies_in_the_block_docs_logging_md_gives_its_folder()
    {
        var ranges = DocumentedRanges();
        var problems = ShippedMessages().Select(m => OutsideItsRange(m, ranges)).OfType<string>().ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void The_documented_blocks_do_not_overlap_and_name_distinct_namespaces()
    {
        var ranges = DocumentedRanges();
        Assert.True(ranges.Count >= 4, "docs/logging.md lists no event id table");
        var sorted = ranges.OrderBy(r => r.First).ToList();
        for (var i = 0; i < sorted.Count; i++)
        {
            Assert.True(sorted[i].First <= sorted[i].Last, $"{sorted[i].Namespace}: {sorted[i].First}–{sorted[i].Last} is empty");
            if (i > 0)
            {
                Assert.True(sorted[i - 1].Last < sorted[i].First, $"{sorted[i - 1].Namespace} and {sorted[i].Namespace} overlap");
            }
        }
        Assert.Equal(ranges.Count, ranges.Select(r => r.Namespace).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Each_product_project_has_messages_found_by_reflection()
    {
        // Guards the two tests above against passing because reflection found nothing.
        var namespaces = ShippedMessages().Select(m => m.Namespace).ToList();
        foreach (var project in new[] { "Gateway.Host.", "Gateway.Drivers.", "Gateway.Inference.", "Gateway.Sync." })
        {
            Assert.Contains(namespaces, n => n.StartsWith(project, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_checks_catch_a_shared_id_and_an_id_outside_its_block()
    {
        var ranges = new List<IdRange> { new(2100, 2199, "Gateway.Drivers.Modbus"), new(2900, 2999, "Gateway.Drivers") };
        var shared = new[] { new LogMessage(2101, "Gateway.Drivers.Modbus.Polling", "A"), new LogMessage(2101, "Gateway.Drivers.Modbus", "B") };
        Assert.Single(Duplicates(shared));
        Assert.Null(OutsideItsRange(new LogMessage(2150, "Gateway.Drivers.Modbus.Polling", "C"), ranges));
        Assert.NotNull(OutsideItsRange(new LogMessage(2950, "Gateway.Drivers.Modbus.Polling", "D"), ranges));
        Assert.Null(OutsideItsRange(new LogMessage(2950, "Gateway.Drivers.Gpio", "E"), ranges));
        Assert.NotNull(OutsideItsRange(new LogMessage(2950, "Gateway.DriversX", "F"), ranges));
        Assert.NotNull(OutsideItsRange(new LogMessage(1, "Gateway.Sync", "G"), ranges));
    }

    internal static IEnumerable<string> Duplicates(IEnumerable<LogMessage> messages) =>
        messages.Where(m => m.EventId > 0).GroupBy(m => m.EventId).Where(g => g.Count() > 1)
            .Select(g => $"event id {g.Key} is used by {string.Join(", ", g.Select(m => m.Method))}");

    /// <summary>The row of the longest namespace that is the message's namespace or encloses it.</summary>
    internal static string? OutsideItsRange(LogMessage message, IReadOnlyList<IdRange> ranges)
    {
        var row = ranges
            .Where(r => message.Namespace == r.Namespace || message.Namespace.StartsWith(r.Namespace + ".", StringComparison.Ordinal))
            .MaxBy(r => r.Namespace.Length);
        if (row is null)
        {
            return $"{message.Method}: no row of docs/logging.md covers namespace {message.Namespace}";
        }
        return message.EventId >= row.First && message.EventId <= row.Last ? null
            : $"{message.Method}: event id {message.EventId} is outside {row.Namespace}'s {row.First}–{row.Last}";
    }

    internal static IReadOnlyList<IdRange> DocumentedRanges() =>
        File.ReadLines(Repo.PathOf("docs", "logging.md"))
            .Select(line => RangeRow().Match(line))
            .Where(m => m.Success)
            .Select(m => new IdRange(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), m.Groups[3].Value))
            .ToList();

    /// <summary>Every method with <see cref="LoggerMessageAttribute"/> in the gateway and the Gateway.* assemblies it loads.</summary>
    internal static IReadOnlyList<LogMessage> ShippedMessages()
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        return ShippedAssemblies()
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(All).Select(m => (Type: t, Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>())))
            .Where(x => x.Attribute is not null)
            .Select(x => new LogMessage(x.Attribute!.EventId, x.Type.Namespace ?? "", $"{x.Type.FullName}.{x.Method.Name}"))
            .ToList();
    }

    private static IEnumerable<Assembly> ShippedAssemblies()
    {
        var host = typeof(GatewayCli).Assembly;
        var found = new Dictionary<string, Assembly>(StringComparer.Ordinal) { [host.GetName().Name!] = host };
        var pending = new Queue<Assembly>([host]);
        while (pending.TryDequeue(out var assembly))
        {
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (reference.Name is { } name && name.StartsWith("Gateway.", StringComparison.Ordinal) && !found.ContainsKey(name))
                {
                    var loaded = Assembly.Load(reference);
                    found[name] = loaded;
                    pending.Enqueue(loaded);
                }
            }
        }
        return found.Values;
    }

    [GeneratedRegex(@"^\|\s*(\d+)\s*[–-]\s*(\d+)\s*\|\s*`(Gateway(?:\.[A-Za-z0-9]+)*)`\s*\|")]
    private static partial Regex RangeRow();
}
