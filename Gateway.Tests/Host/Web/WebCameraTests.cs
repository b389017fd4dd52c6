using System.Net;
using System.Text.Json.Nodes;
using SkiaSharp;

namespace Gateway.Tests.Host.Web;

/// <summary>
/// The cameras API and validation without writing, over a whole gateway with a file camera and the
/// real person model (<see cref="WebCameraGatewayFixture"/>).
/// </summary>
[Collection(WebGatewayCollection.Name)]
public sealed class WebCameraTests(WebCameraGatewayFixture gateway)
{
    [Fact]
    public async Task Cameras_are_listed_with_zones_and_the_still_is_a_jpeg_of_the_frames_size()
    {
        using var client = gateway.Client();
        await WebGatewayFixture.LoginAsync(client, "view", WebCameraGatewayFixture.ViewerPassword);
        var cameras = JsonNode.Parse(await client.GetStringAsync("/api/cameras"))!["cameras"]!.AsArray();
        Assert.Equal(["cam-1", "cam-dark"], cameras.Select(c => c!["id"]!.GetValue<string>()));
        var camera = cameras[0]!;
        Assert.Equal(640, camera["width"]!.GetValue<int>());
        Assert.Contains(camera["zones"]!.AsArray(), z => z!["name"]!.GetValue<string>() == "all" && z["kind"]!.GetValue<string>() == "crowd");

        byte[]? jpeg = null;
        var deadline = Environment.TickCount64 + 90_000;
        while (jpeg is null)
        {
            using var response = await client.GetAsync("/api/cameras/cam-1/snapshot");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
                jpeg = await response.Content.ReadAsByteArrayAsync();
                break;
            }
            // Until the first analysed frame: 503 with a reason the page can translate.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("noStillYet", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["code"]!.GetValue<string>());
            Assert.True(Environment.TickCount64 < deadline, "no still of cam-1 after 90 s");
            await Task.Delay(500);
        }
        using var still = SKBitmap.Decode(jpeg) ?? throw new InvalidOperationException("the still does not decode");
        Assert.Equal((640, 480), (still.Width, still.Height));

        // A camera that never delivered a frame: 503 and why; an unknown one: 404.
        using var dark = await client.GetAsync("/api/cameras/cam-dark/snapshot");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, dark.StatusCode);
        var darkBody = JsonNode.Parse(await dark.Content.ReadAsStringAsync())!;
        Assert.Equal("camera 'cam-dark' has no analysed frame yet", darkBody["error"]!.GetValue<string>());
        Assert.Equal("noStillYet", darkBody["code"]!.GetValue<string>());
        using var unknown = await client.GetAsync("/api/cameras/no-such/snapshot");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("unknownCamera", JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Validate_reports_errors_with_paths_and_the_diff_and_writes_nothing()
    {
        using var client = gateway.Client();
        var csrf = await WebGatewayFixture.LoginAsync(client, "tech", WebCameraGatewayFixture.TechnicianPassword);
        var before = await File.ReadAllBytesAsync(gateway.ConfigPath);
        var audited = AuditLines();
        var running = JsonNode.Parse(await client.GetStringAsync("/api/config"))!;
        var cameras = running["config"]!["cameras"]!.DeepClone().AsArray();
        var version = running["version"]!.GetValue<string>();
        cameras[0]!["fps"] = 99; // the schema's maximum is 30

        var result = await PostAsync(client, csrf, "/api/config/validate", new JsonObject { ["version"] = version, ["patch"] = new JsonObject { ["cameras"] = cameras.DeepClone() } });
        Assert.False(result["valid"]!.GetValue<bool>());
        Assert.Equal("cameras[0].fps", Assert.Single(result["errors"]!.AsArray())!["path"]!.GetValue<string>());
        var fps = Assert.Single(result["diff"]!.AsArray())!;
        Assert.Equal("cameras[0].fps", fps["path"]!.GetValue<string>());
        Assert.Equal(2, fps["old"]!.GetValue<double>());
        Assert.Equal(99, fps["new"]!.GetValue<double>());

        // A rule beyond the schema (the semantic checks check-config runs): a zone corner outside the frame.
        cameras[0]!["fps"] = 2;
        cameras[0]!["crowd"]!["zones"]![0]!["polygon"]![1]![0] = 700;
        var outside = await PostAsync(client, csrf, "/api/config/validate", new JsonObject { ["version"] = version, ["patch"] = new JsonObject { ["cameras"] = cameras.DeepClone() } });
        Assert.False(outside["valid"]!.GetValue<bool>());
        Assert.Contains("lies outside the 640x480 analysis frame", Assert.Single(outside["errors"]!.AsArray(), e => e!["path"]!.GetValue<string>() == "cameras[0].crowd.zones[0].polygon[1]")!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        cameras[0]!["fps"] = 1;
        cameras[0]!["crowd"]!["zones"]![0]!["polygon"]![1]![0] = 640;
        var valid = await PostAsync(client, csrf, "/api/config/validate", new JsonObject { ["version"] = version, ["patch"] = new JsonObject { ["cameras"] = cameras.DeepClone() } });
        Assert.True(valid["valid"]!.GetValue<bool>(), valid.ToJsonString());
        Assert.Equal("host", valid["wouldRestart"]!.GetValue<string>());
        Assert.Single(valid["diff"]!.AsArray());

        var stale = await PostAsync(client, csrf, "/api/config/validate", new JsonObject { ["version"] = "0000000000000000", ["patch"] = new JsonObject { ["cameras"] = cameras.DeepClone() } });
        Assert.True(stale["conflict"]!.GetValue<bool>());

        Assert.Equal(before, await File.ReadAllBytesAsync(gateway.ConfigPath));
        Assert.Equal(audited, AuditLines()); // a check is no attempt: nothing audited
        Assert.Equal(running["version"]!.GetValue<string>(), JsonNode.Parse(await client.GetStringAsync("/api/config"))!["version"]!.GetValue<string>());
    }

    private int AuditLines()
    {
        var path = gateway.Dir.File(Gateway.Host.Web.WebApi.AuditFileName);
        return File.Exists(path) ? File.ReadAllLines(path).Length : 0;
    }

    private static async Task<JsonObject> PostAsync(HttpClient client, string csrf, string path, JsonObject body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = WebGatewayFixture.JsonContent(body) };
        request.Headers.Add("X-CSRF-Token", csrf);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
