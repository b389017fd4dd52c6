using System.Globalization;
using System.Net;
using Gateway.Drivers.Cameras;
using Gateway.Host.Configuration;
using Gateway.Host.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Host.Health;

/// <summary>
/// <c>GET /metrics</c> served by a minimal WebApplication on a loopback port, scraped over HTTP: values
/// after known traffic (not just the names), counters that follow later traffic, and who is let in.
/// </summary>
public sealed class MetricsEndpointTests : IAsyncDisposable
{
    private readonly HealthRig _rig = new();

    public ValueTask DisposeAsync() => _rig.DisposeAsync();

    private async Task<(WebApplication App, Uri Base)> StartAsync(string mode, IMetricsSessionCheck? sessions = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSingleton(_rig.Sampler);
        builder.Services.AddSingleton(_rig.Registry);
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddSingleton(Options.Create(new WebOptions { Metrics = mode }));
        if (sessions is not null)
        {
            builder.Services.AddSingleton(sessions);
        }
        var app = builder.Build();
        app.MapGatewayMetrics();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return (app, new Uri(address));
    }

    private static async Task<Dictionary<string, double>> ScrapeAsync(HttpClient http, Uri baseUri)
    {
        using var response = await http.GetAsync(new Uri(baseUri, "/metrics"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var space = line.LastIndexOf(' ');
            samples.Add(line[..space], double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture));
        }
        return samples;
    }

    [Fact]
    public async Task A_scrape_shows_the_values_of_the_traffic_and_later_scrapes_follow_it()
    {
        var (app, baseUri) = await StartAsync("localhost");
        await using var _ = app;
        using var http = new HttpClient();
        await _rig.GoodAsync("water-1", 1);
        _rig.Output.PollCompleted("water-1", TimeSpan.FromMilliseconds(20), succeeded: true);
        _rig.Output.PollCompleted("water-1", TimeSpan.FromMilliseconds(20), succeeded: true);
        _rig.Output.PollCompleted("water-1", TimeSpan.FromMilliseconds(300), succeeded: false);
        await _rig.Tracker("water-1").OfflineAsync("timeout", default);
        await _rig.GoodAsync("door-1", 1);
        await _rig.GoodAsync("door-1", 0);
        await _rig.StoredAsync(4);
        _rig.Time.Advance(TimeSpan.FromSeconds(30));
        _rig.Process.CpuTime = TimeSpan.FromSeconds(2.5);

        var m = await ScrapeAsync(http, baseUri);

        Assert.Equal(0, m["gateway_device_up{device=\"water-1\"}"]);
        Assert.Equal(1, m["gateway_device_up{device=\"door-1\"}"]);
        Assert.Equal(3, m["gateway_device_poll_duration_seconds_count{device=\"water-1\"}"]);
        Assert.Equal(0.34, m["gateway_device_poll_duration_seconds_sum{device=\"water-1\"}"], 9);
        Assert.Equal(2, m["gateway_device_poll_duration_seconds_bucket{device=\"water-1\",le=\"0.025\"}"]);
        Assert.Equal(2, m["gateway_device_poll_duration_seconds_bucket{device=\"water-1\",le=\"0.25\"}"]);
        Assert.Equal(3, m["gateway_device_poll_duration_seconds_bucket{device=\"water-1\",le=\"0.5\"}"]);
        Assert.Equal(1, m["gateway_device_poll_failures_total{device=\"water-1\"}"]);
        Assert.Equal(1, m["gateway_device_offline_total{device=\"water-1\"}"]);
        Assert.Equal(0, m["gateway_device_bad_readings_total{device=\"door-1\"}"]);
        Assert.Equal(HealthRig.Start.ToUnixTimeSeconds(), m["gateway_device_last_good_timestamp_seconds{device=\"water-1\"}"]);
        Assert.Equal(3, m["gateway_backlog_records{class=\"readings\"}"]);
        Assert.Equal(1, m["gateway_backlog_records{class=\"events\"}"]);
        Assert.Equal(30, m["gateway_backlog_oldest_age_seconds"]);
        Assert.Equal(0, m["gateway_store_dropped_records_total{class=\"readings\"}"]);
        Assert.Equal(1, m["gateway_uplink_state{state=\"connected\"}"]);
        Assert.Equal(0, m["gateway_uplink_state{state=\"failing\"}"]);
        Assert.Equal(2.5, m["gateway_process_cpu_seconds_total"]);
        Assert.Equal(50L * 1024 * 1024, m["gateway_process_resident_memory_bytes"]);
        Assert.Equal(1000L * 1024 * 1024, m["gateway_store_disk_free_bytes"]);
        Assert.Equal(30, m["gateway_uptime_seconds"]);
        Assert.DoesNotContain(m.Keys, k => k.StartsWith("gateway_camera_", StringComparison.Ordinal)); // no camera, no invented series

        // More traffic: counters and the histogram move by exactly that much.
        _rig.Output.PollCompleted("water-1", TimeSpan.FromSeconds(1.5), succeeded: false);
        await _rig.Tracker("door-1").OfflineAsync("ENOENT /dev/gpiochip0", default);
        _rig.Process.ResidentBytes = null; // unreadable: the series goes away rather than showing a stale number
        await _rig.StoredAsync(5);
        var later = await ScrapeAsync(http, baseUri);
        Assert.Equal(4, later["gateway_device_poll_duration_seconds_count{device=\"water-1\"}"]);
        Assert.Equal(3, later["gateway_device_poll_duration_seconds_bucket{device=\"water-1\",le=\"1\"}"]);
        Assert.Equal(2, later["gateway_device_poll_failures_total{device=\"water-1\"}"]);
        Assert.Equal(0, later["gateway_device_up{device=\"door-1\"}"]);
        Assert.Equal(2, later["gateway_backlog_records{class=\"events\"}"]);
        Assert.DoesNotContain("gateway_process_resident_memory_bytes", later.Keys);

        // A camera appears: its reader and analysis figures as the pipeline reports them; no inference time before a frame is analysed.
        var camera = new FixedCameraFigures(new CameraFigures("cam-north", CameraState.Streaming, 4.0, 120, 3, 1, null, null, AskedFps: 1, AnalysisFps: 0.5));
        _rig.Cameras.Add(camera);
        var starting = await ScrapeAsync(http, baseUri);
        Assert.Equal(4.0, starting["gateway_camera_fps{camera=\"cam-north\"}"]);
        Assert.Equal(120, starting["gateway_camera_frames_total{camera=\"cam-north\"}"]);
        Assert.Equal(0, starting["gateway_camera_analysed_frames_total{camera=\"cam-north\"}"]);
        Assert.DoesNotContain("gateway_camera_inference_seconds{camera=\"cam-north\"}", starting.Keys);
        camera.Figures = camera.Figures with { Analysed = 60, InferenceMs = 72.5, AnalysisFps = 1.0 };
        var analysing = await ScrapeAsync(http, baseUri);
        Assert.Equal(0.0725, analysing["gateway_camera_inference_seconds{camera=\"cam-north\"}"], 9);
        Assert.Equal(1.0, analysing["gateway_camera_analysis_fps{camera=\"cam-north\"}"]);
        Assert.Equal(60, analysing["gateway_camera_analysed_frames_total{camera=\"cam-north\"}"]);
    }

    private sealed class FixedCameraFigures(CameraFigures figures) : ICameraFiguresSource
    {
        public CameraFigures Figures { get; set; } = figures;

        public IReadOnlyList<CameraFigures> GetFigures() => [Figures];
    }

    [Fact]
    public async Task Localhost_mode_serves_a_loopback_client_without_login_and_refuses_any_other_address()
    {
        var (app, baseUri) = await StartAsync("localhost");
        await using var _ = app;
        using var http = new HttpClient();
        await ScrapeAsync(http, baseUri); // 127.0.0.1, no cookie: served

        foreach (var (address, allowed) in new[] { ("127.0.0.1", true), ("127.8.9.10", true), ("::1", true), ("::ffff:127.0.0.1", true), ("192.168.1.20", false), ("10.0.0.1", false), ("::ffff:10.0.0.1", false), ("fe80::1", false) })
        {
            var ip = IPAddress.Parse(address);
            Assert.Equal(allowed, MetricsAccess.AllowsWithoutSession(MetricsAccessMode.Localhost, ip));
            Assert.False(MetricsAccess.AllowsWithoutSession(MetricsAccessMode.Session, ip)); // session mode never lets anyone in without login
            var context = new DefaultHttpContext { RequestServices = app.Services };
            context.Connection.RemoteIpAddress = ip;
            Assert.Equal(allowed ? 0 : StatusCodes.Status403Forbidden, MetricsEndpoint.Refusal(MetricsAccessMode.Localhost, context));
        }
        Assert.False(MetricsAccess.AllowsWithoutSession(MetricsAccessMode.Localhost, null));
    }

    [Fact]
    public async Task Session_mode_needs_a_login_session_even_from_loopback()
    {
        var (app, baseUri) = await StartAsync("session", new CookieSessions());
        await using var _ = app;
        using var http = new HttpClient();

        using (var anonymous = await http.GetAsync(new Uri(baseUri, "/metrics")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Empty(await anonymous.Content.ReadAsStringAsync());
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, "/metrics"));
        request.Headers.Add("Cookie", "gw_session=valid");
        using var withSession = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, withSession.StatusCode);
        Assert.Contains("gateway_uplink_state{state=\"connected\"} 1", await withSession.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_mode_without_a_session_check_registered_refuses_everyone()
    {
        var (app, baseUri) = await StartAsync("session");
        await using var _ = app;
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(baseUri, "/metrics"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private sealed class CookieSessions : IMetricsSessionCheck
    {
        public bool HasSession(HttpContext context) => context.Request.Cookies["gw_session"] == "valid";
    }
}
