using System.Text.Json.Nodes;
using Gateway.Host.Configuration;
using Gateway.Host.Health;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Host.Health;

/// <summary><c>health.intervalSeconds</c> and <c>web.metrics</c>: the same rules in <c>check-config</c> and at start, with the key's path.</summary>
public class HealthOptionsTests
{
    private static readonly string ExamplesDir = Repo.PathOf("config", "examples");

    private static List<string> Errors(Action<JsonObject> change)
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(ExamplesDir, "spec-section4.json")))!.AsObject();
        change(root);
        return [.. GatewayConfigLoader.LoadText(root.ToJsonString(), ExamplesDir, new Dictionary<string, string?>()).Errors.Select(e => e.ToString())];
    }

    [Fact]
    public void Defaults_are_a_minute_and_session_and_the_keys_bind()
    {
        Assert.Empty(Errors(_ => { }));
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(ExamplesDir, "spec-section4.json")))!.AsObject();
        var defaults = GatewayConfigLoader.LoadText(root.ToJsonString(), ExamplesDir, new Dictionary<string, string?>()).Options!;
        Assert.Equal((60.0, "session"), (defaults.Health.IntervalSeconds, defaults.Web.Metrics));

        root["health"] = new JsonObject { ["intervalSeconds"] = 15 };
        root["web"] = new JsonObject { ["metrics"] = "localhost" };
        var set = GatewayConfigLoader.LoadText(root.ToJsonString(), ExamplesDir, new Dictionary<string, string?>());
        Assert.Empty(set.Errors);
        Assert.Equal((15.0, "localhost"), (set.Options!.Health.IntervalSeconds, set.Options.Web.Metrics));
    }

    [Theory]
    [InlineData(4.9)]
    [InlineData(0)]
    [InlineData(3601)]
    public void An_interval_out_of_range_is_refused_with_its_path(double seconds)
    {
        var errors = Errors(r => r["health"] = new JsonObject { ["intervalSeconds"] = seconds });
        Assert.Contains(errors, e => e.StartsWith("health.intervalSeconds: ", StringComparison.Ordinal));
        Assert.NotEmpty(HealthOptionsValidator.Problems(new HealthOptions { IntervalSeconds = seconds }));
    }

    [Fact]
    public void An_unknown_metrics_mode_is_refused_and_the_minimum_interval_is_accepted()
    {
        var errors = Errors(r => r["web"] = new JsonObject { ["metrics"] = "open" });
        Assert.Contains(errors, e => e.StartsWith("web.metrics: ", StringComparison.Ordinal));
        Assert.Equal(("web.metrics", "unknown mode 'open': \"session\" (needs the web login) or \"localhost\" (loopback clients only, no login)"),
            Assert.Single(WebOptionsValidator.Problems(new WebOptions { Metrics = "open" })));
        Assert.Empty(Errors(r => r["health"] = new JsonObject { ["intervalSeconds"] = 5 }));
    }

    [Fact]
    public void A_bad_interval_stops_the_host_at_start_with_the_path()
    {
        var services = new ServiceCollection();
        services.AddNodeHealth(new HealthOptions { IntervalSeconds = 1 });
        using var provider = services.BuildServiceProvider();
        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<HealthOptions>>().Value);
        Assert.Contains("health.intervalSeconds: 1 is out of range: between 5 and 3600 seconds", failure.Message, StringComparison.Ordinal);
    }
}
