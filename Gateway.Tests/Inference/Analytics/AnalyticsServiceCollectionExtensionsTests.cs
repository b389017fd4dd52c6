using Gateway.Inference.Analytics;
using Gateway.Inference.Postprocessing;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Inference.Analytics;

public sealed class AnalyticsServiceCollectionExtensionsTests
{
    [Fact]
    public void The_registered_factory_makes_a_cameras_analysis_on_the_registered_clock_with_its_state_in_the_directory()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
        using var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(time)
            .AddCameraAnalytics(o => o.StateDirectory = dir.Path).BuildServiceProvider();
        var camera = AnalyticsHarness.LitterCamera(minSeconds: 2);
        camera.Crowd = AnalyticsHarness.CrowdCamera().Crowd;
        var analytics = services.GetRequiredService<ICameraAnalyticsFactory>().Create(camera);

        Assert.Equal("cam-north", analytics.Camera);
        Assert.Equal([AnalyticsHarness.Model], analytics.Models); // crowd and litter share the model: run once
        var frame = Frames.Noise(AnalyticsHarness.Width, AnalyticsHarness.Height, 3);
        Detection[] bottle = [AnalyticsHarness.Box("bottle", 300, 380, 330, 440)];
        var events = new List<IngestRecord>();
        for (var i = 0; i < 3; i++)
        {
            events.AddRange(analytics.Observe(frame, AnalyticsHarness.Width, AnalyticsHarness.Height, [new ModelDetections(AnalyticsHarness.Model, AnalyticsHarness.Labels, bottle)], time.GetUtcNow(), time.GetTimestamp()));
            time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal("litter.detected", Assert.Single(events, e => e.Event is not null).Event!.Type);
        Assert.True(File.Exists(LitterStateFile.For(dir.Path, "cam-north")));
    }

    [Fact]
    public void A_missing_state_directory_is_refused_at_start()
    {
        using var services = new ServiceCollection().AddLogging().AddCameraAnalytics(o => o.StateDirectory = " ").BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<CameraAnalyticsOptions>>().Value);
        Assert.Contains("cameras: the analysis needs a state directory for open litter items", e.Failures);
    }
}
