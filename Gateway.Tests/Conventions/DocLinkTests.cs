using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Gateway.Tests.Support;

namespace Gateway.Tests.Conventions;

/// <summary>
/// The docs stand on their own: every link in README.md and docs/**/*.md leads to a file (and
/// heading) in the repository, and none leads outside it. No kind of outside link is allowed:
/// standards and outside tools are named in the text, not linked (docs/README.md says so).
/// </summary>
public sealed partial class DocLinkTests
{
    internal sealed record Link(string File, int Line, string Target);

    [Fact]
    public void Every_relative_link_leads_to_a_file_or_heading_in_the_repository()
    {
        var links = AllLinks().Where(l => !HasScheme(l.Target)).ToList();
        Assert.True(links.Count > 50, $"only {links.Count} relative links found: the scan is broken");
        var problems = links.Select(Problem).OfType<string>().ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void No_link_leads_outside_the_repository()
    {
        var outside = AllLinks().Where(l => HasScheme(l.Target) || l.Target.StartsWith("//", StringComparison.Ordinal))
            .Select(l => $"{l.File}:{l.Line}: {l.Target}").ToList();
        Assert.True(outside.Count == 0, "links outside the repository: " + string.Join(", ", outside));
    }

    [Fact]
    public void The_docs_never_point_at_the_team_folders_outside_the_repository()
    {
        var found = DocFiles().SelectMany(f => File.ReadAllLines(Repo.PathOf(f))
                .Select((text, i) => (text, i))
                .Where(x => x.text.Contains("../shared", StringComparison.Ordinal) || x.text.Contains("/work/", StringComparison.Ordinal))
                .Select(x => $"{f}:{x.i + 1}"))
            .ToList();
        Assert.True(found.Count == 0, "mentions of folders outside the repository: " + string.Join(", ", found));
    }

    [Theory]
    [InlineData("## 5. Command line", "5-command-line")]
    [InlineData("## Troubleshooting by symptom", "troubleshooting-by-symptom")]
    [InlineData("### `device.offline`: what the reason means", "deviceoffline-what-the-reason-means")]
    [InlineData("## 3. 命令（commands）", "3-命令commands")]
    public void Heading_anchors_are_made_as_the_usual_markdown_renderers_make_them(string heading, string anchor)
    {
        Assert.Equal(anchor, Slug(heading.TrimStart('#', ' ')));
    }

    [Fact]
    public void A_broken_link_a_missing_heading_and_an_escape_from_the_repository_are_each_found()
    {
        // The scanner itself: a test that cannot fail proves nothing.
        Assert.NotNull(Problem(new Link("docs/status.md", 1, "no-such-file.md")));
        Assert.NotNull(Problem(new Link("docs/status.md", 1, "contract.md#no-such-heading")));
        Assert.NotNull(Problem(new Link("docs/status.md", 1, "../../shared/SPEC.md")));
        Assert.Null(Problem(new Link("docs/status.md", 1, "contract.md#5-command-line")));
        Assert.Null(Problem(new Link("README.md", 1, "docs/contract.md")));
        Assert.Equal(["a.md#x", "b.png"], LinksIn("see [a](a.md#x) and ![b](b.png \"title\") but not `[c](c.md)`").ToArray());
    }

    private static string? Problem(Link link)
    {
        var (path, anchor) = Split(link.Target);
        var where = $"{link.File}:{link.Line}: {link.Target}";
        var baseDir = Path.GetDirectoryName(Repo.PathOf(link.File))!;
        var full = path.Length == 0 ? Repo.PathOf(link.File) : Path.GetFullPath(Path.Combine(baseDir, Uri.UnescapeDataString(path)));
        var relative = Path.GetRelativePath(Repo.Root, full).Replace('\\', '/');
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            return $"{where}: leads outside the repository";
        }
        if (!File.Exists(full) && !Directory.Exists(full))
        {
            return $"{where}: no such file";
        }
        if (anchor is null || !full.EndsWith(".md", StringComparison.Ordinal))
        {
            return null;
        }
        return Anchors(full).Contains(anchor) ? null : $"{where}: no heading #{anchor} in {relative}";
    }

    private static (string Path, string? Anchor) Split(string target)
    {
        var hash = target.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? (target, null) : (target[..hash], target[(hash + 1)..]);
    }

    private static bool HasScheme(string target) => SchemePattern().IsMatch(target);

    private static IEnumerable<string> DocFiles() =>
        new[] { "README.md" }.Concat(Directory.EnumerateFiles(Repo.PathOf("docs"), "*.md", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Repo.Root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal));

    private static IEnumerable<Link> AllLinks()
    {
        foreach (var file in DocFiles())
        {
            var inFence = false;
            var lines = File.ReadAllLines(Repo.PathOf(file));
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    inFence = !inFence;
                    continue;
                }
                if (inFence)
                {
                    continue;
                }
                foreach (var target in LinksIn(lines[i]))
                {
                    yield return new Link(file, i + 1, target);
                }
            }
        }
    }

    /// <summary>Inline links and images, autolinks and reference definitions, outside code spans.</summary>
    private static IEnumerable<string> LinksIn(string line)
    {
        var text = CodeSpan().Replace(line, "");
        foreach (Match m in InlineLink().Matches(text))
        {
            yield return m.Groups["target"].Value;
        }
        foreach (Match m in AutoLink().Matches(text))
        {
            yield return m.Groups["target"].Value;
        }
        if (ReferenceDefinition().Match(text) is { Success: true } def)
        {
            yield return def.Groups["target"].Value;
        }
    }

    private static HashSet<string> Anchors(string markdownFile)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var inFence = false;
        foreach (var line in File.ReadLines(markdownFile))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }
            if (inFence || !Heading().IsMatch(line))
            {
                continue;
            }
            var slug = Slug(line.TrimStart('#').Trim());
            // Repeated headings get -1, -2, … as GitHub numbers them.
            var n = seen.GetValueOrDefault(slug);
            seen[slug] = n + 1;
            anchors.Add(n == 0 ? slug : $"{slug}-{n.ToString(CultureInfo.InvariantCulture)}");
        }
        foreach (Match m in HtmlAnchor().Matches(File.ReadAllText(markdownFile)))
        {
            anchors.Add(m.Groups["id"].Value);
        }
        return anchors;
    }

    /// <summary>GitHub's heading anchor: lower case; letters, digits, '-', '_' and spaces kept (spaces → '-'); the rest dropped.</summary>
    internal static string Slug(string heading)
    {
        var plain = InlineLink().Replace(heading, m => m.Groups["text"].Value).Replace("`", "", StringComparison.Ordinal);
        var slug = new StringBuilder();
        foreach (var c in plain.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_' || char.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                slug.Append(c);
            }
            else if (c == ' ')
            {
                slug.Append('-');
            }
        }
        return slug.ToString();
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex SchemePattern();

    [GeneratedRegex(@"`+[^`]*`+")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"!?\[(?<text>[^\]]*)\]\((?<target>[^)\s]+)(\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"<(?<target>[A-Za-z][A-Za-z0-9+.-]*:[^>\s]+)>")]
    private static partial Regex AutoLink();

    [GeneratedRegex(@"^\s{0,3}\[[^\]]+\]:\s+(?<target>\S+)")]
    private static partial Regex ReferenceDefinition();

    [GeneratedRegex(@"^#{1,6}\s")]
    private static partial Regex Heading();

    [GeneratedRegex(@"<a\s+(?:name|id)=""(?<id>[^""]+)""")]
    private static partial Regex HtmlAnchor();
}
