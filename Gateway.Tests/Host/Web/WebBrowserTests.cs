using Microsoft.Playwright;

namespace Gateway.Tests.Host.Web;

/// <summary>
/// The page in Debian's chromium against a whole running gateway: log in, status, "read now" on
/// the simulated water meter, a viewer without the apply button, the language switch. Each page
/// is photographed (docs/screenshots/ with WEB_SCREENSHOTS_TO_DOCS=1).
/// </summary>
[Collection(WebGatewayCollection.Name)]
public sealed class WebBrowserTests(WebGatewayFixture gateway, WebCameraGatewayFixture cameraGateway, ChromiumFixture chromium)
{
    private static readonly System.Text.RegularExpressions.Regex ExpectedAnswers = new("^Failed to load resource: the server responded with a status of (401|503) ");

    private static readonly LocatorAssertionsToBeVisibleOptions Patience = new() { Timeout = 30_000 };

    [Fact]
    public async Task A_technician_logs_in_sees_the_uplink_and_the_meter_and_reads_it_now()
    {
        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = WatchConsole(page);
        await page.GotoAsync(gateway.BaseUri.ToString());
        await Assertions.Expect(page.Locator("#view-login")).ToBeVisibleAsync(Patience);
        await Assertions.Expect(page.Locator("#nav")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#view-status")).ToBeHiddenAsync();
        await page.ScreenshotAsync(new() { Path = ChromiumFixture.ScreenshotPath("login") });
        await LogInAsync(page, "tech", WebGatewayFixture.TechnicianPassword);

        await Assertions.Expect(page.Locator("#status-uplink .state-connected")).ToHaveTextAsync("connected", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#status-devices tbody tr").Filter(new() { HasText = "water-1" }).Locator(".state-online")).ToBeVisibleAsync(Patience);
        await Assertions.Expect(page.Locator("#status-devices")).ToContainTextAsync("door-1");
        await Assertions.Expect(page.Locator("#status-node")).ToContainTextAsync("web-pole-0001");
        await page.ScreenshotAsync(new() { Path = ChromiumFixture.ScreenshotPath("status"), FullPage = true });

        await page.ClickAsync("#nav a[href='#/devices']");
        await page.ClickAsync("button[data-device='water-1']");
        var volume = page.Locator("#read-table tbody tr").Filter(new() { HasText = "volume_total" });
        await Assertions.Expect(volume).ToContainTextAsync(" m3", new() { Timeout = 30_000 });
        await Assertions.Expect(volume.Locator("code")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^0x[0-9A-F]{4} 0x[0-9A-F]{4}$"));
        await Assertions.Expect(page.Locator("#read-table")).ToContainTextAsync("battery_voltage");
        await Assertions.Expect(page.Locator("#read-table")).ToContainTextAsync("3.61 V");
        await page.ScreenshotAsync(new() { Path = ChromiumFixture.ScreenshotPath("devices"), FullPage = true });

        await page.ClickAsync("#nav a[href='#/config']");
        await Assertions.Expect(page.Locator("#config-text")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("web-pole-0001"));
        // A real change through the one apply path: the meter's poll period (only the Modbus group restarts).
        var text = await page.Locator("#config-text").InputValueAsync();
        Assert.Contains("\"pollMs\": 1000", text, StringComparison.Ordinal);
        await page.FillAsync("#config-text", text.Replace("\"pollMs\": 1000", "\"pollMs\": 1500", StringComparison.Ordinal));
        await page.ClickAsync("#config-apply");
        await Assertions.Expect(page.Locator("#config-result")).ToContainTextAsync("Applied: version", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#config-text")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("\"pollMs\": 1500"));
        await page.ScreenshotAsync(new() { Path = ChromiumFixture.ScreenshotPath("config") });

        await page.ClickAsync("#nav a[href='#/cameras']");
        await Assertions.Expect(page.Locator("#cameras-body")).ToContainTextAsync("No cameras are configured");

        await page.ClickAsync("#nav a[href='#/audit']");
        // Newest first: this change on top (another test of the fixture may have applied one before), the fixture's two last.
        await Assertions.Expect(page.Locator("#audit-table tbody tr").First).ToContainTextAsync("tech");
        await Assertions.Expect(page.Locator("#audit-table tbody tr").First).ToContainTextAsync("devices[0].pollMs");
        var rows = await page.Locator("#audit-table tbody tr").CountAsync();
        Assert.True(rows >= 3, $"{rows} audit rows");
        await Assertions.Expect(page.Locator("#audit-table tbody tr").Nth(rows - 2)).ToContainTextAsync("rolled back");
        await page.ScreenshotAsync(new() { Path = ChromiumFixture.ScreenshotPath("audit") });

        await page.ClickAsync("#nav a[href='#/logs']");
        await Assertions.Expect(page.Locator("#logs-text")).ToContainTextAsync("tech (technician) logged in");
        await page.ScreenshotAsync(new() { Path = ChromiumFixture.ScreenshotPath("logs") });

        await page.ClickAsync("#logout");
        await Assertions.Expect(page.Locator("#view-login")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#nav")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#view-logs")).ToBeHiddenAsync();
        Assert.Empty(problems);
    }

    [Fact]
    public async Task A_viewer_sees_the_configuration_without_an_apply_button()
    {
        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(gateway.BaseUri + "#/config");
        await LogInAsync(page, "view", WebGatewayFixture.ViewerPassword);
        await Assertions.Expect(page.Locator("#config-text")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("web-pole-0001"));
        await Assertions.Expect(page.Locator("#config-apply")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#config-viewer")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#who")).ToHaveTextAsync("view (viewer)");
    }

    [Fact]
    public async Task The_language_follows_the_browser_switches_on_the_page_and_is_remembered()
    {
        await using var context = await chromium.NewContextAsync("zh-CN");
        var page = await context.NewPageAsync();
        await page.GotoAsync(gateway.BaseUri.ToString());
        await Assertions.Expect(page.Locator("#view-login h1")).ToHaveTextAsync("登录", new() { Timeout = 30_000 });
        await LogInAsync(page, "view", WebGatewayFixture.ViewerPassword);
        await Assertions.Expect(page.Locator("#nav a[href='#/status']")).ToHaveTextAsync("状态");
        await Assertions.Expect(page.Locator("#view-status h1")).ToHaveTextAsync("状态");
        await Assertions.Expect(page.Locator("#view-status h2").First).ToHaveTextAsync("上行连接");
        await Assertions.Expect(page.Locator("#status-uplink .state-connected")).ToHaveTextAsync("已连接", new() { Timeout = 30_000 });
        await page.ScreenshotAsync(new() { Path = ChromiumFixture.ScreenshotPath("status-zh"), FullPage = true });

        await page.ClickAsync("#lang");
        await Assertions.Expect(page.Locator("#nav a[href='#/status']")).ToHaveTextAsync("Status");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#nav a[href='#/devices']")).ToHaveTextAsync("Devices", new() { Timeout = 30_000 });
        await page.ClickAsync("#lang");
        await Assertions.Expect(page.Locator("#nav a[href='#/devices']")).ToHaveTextAsync("设备");
        Assert.Equal("zh-CN", await page.EvaluateAsync<string>("document.documentElement.lang"));
    }

    [Fact]
    public async Task Validation_as_you_type_shows_the_path_of_a_bad_value_and_the_diff_and_errors_come_in_chinese()
    {
        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(gateway.BaseUri + "#/config");
        await LogInAsync(page, "tech", WebGatewayFixture.TechnicianPassword);
        await Assertions.Expect(page.Locator("#config-text")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("web-pole-0001"), new() { Timeout = 30_000 });
        var text = await page.Locator("#config-text").InputValueAsync();
        var poll = System.Text.RegularExpressions.Regex.Match(text, "\"pollMs\": (\\d+)");
        Assert.True(poll.Success, text);
        var bad = text.Remove(poll.Groups[1].Index, poll.Groups[1].Length).Insert(poll.Groups[1].Index, "5");

        // An edit (an input event, as typing fires): the check runs once typing pauses, against the node's own rules.
        await page.Locator("#config-text").FillAsync(bad);
        await page.Locator("#config-text").PressAsync("End");
        await Assertions.Expect(page.Locator("#config-errors li[data-path='devices[0].pollMs']")).ToBeVisibleAsync(Patience);
        await Assertions.Expect(page.Locator("#config-validity")).ToContainTextAsync("Not valid");
        var diff = page.Locator("#config-diff tbody tr").Filter(new() { HasText = "devices[0].pollMs" });
        await Assertions.Expect(diff.Locator(".diff-old")).ToHaveTextAsync(poll.Groups[1].Value);
        await Assertions.Expect(diff.Locator(".diff-new")).ToHaveTextAsync("5");
        await page.ScreenshotAsync(new() { Path = ChromiumFixture.ScreenshotPath("config-check"), FullPage = true });

        // Applied anyway: the server refuses it; in Chinese the page says so in Chinese (the API's code), the paths stay.
        await page.ClickAsync("#lang"); // reloads the page's view: the edit is made again
        await Assertions.Expect(page.Locator("#view-config h1")).ToHaveTextAsync("配置");
        await page.Locator("#config-text").FillAsync(bad);
        await page.ClickAsync("#config-apply");
        await Assertions.Expect(page.Locator("#config-result")).ToContainTextAsync("配置无效，未做任何更改", new() { Timeout = 90_000 });
        await Assertions.Expect(page.Locator("#config-result")).ToContainTextAsync("devices[0].pollMs");

        // Corrected: valid again, and no difference from the running file.
        await page.Locator("#config-text").FillAsync(text);
        await Assertions.Expect(page.Locator("#config-validity")).ToHaveTextAsync("有效，与运行中的配置相同。", new() { Timeout = 90_000 });
        await Assertions.Expect(page.Locator("#config-errors li")).ToHaveCountAsync(0);
        await page.ClickAsync("#lang");
    }

    [Fact]
    public async Task A_technician_draws_a_zone_on_the_still_applies_it_and_sees_its_count()
    {
        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = WatchConsole(page, hostRestarts: true);
        await page.GotoAsync(cameraGateway.BaseUri + "#/cameras");
        await LogInAsync(page, "tech", WebCameraGatewayFixture.TechnicianPassword);
        await Assertions.Expect(page.Locator("#cameras-table")).ToContainTextAsync("cam-dark", new() { Timeout = 90_000 });
        await Assertions.Expect(page.Locator("#camera-title")).ToHaveTextAsync("cam-1");
        // The zone "all" has a count once the analysis reported (every second); the still has the frame's size.
        await RefreshUntilAsync(page, page.Locator("#camera-zones tbody tr").Filter(new() { HasText = "all" }).Locator("td").Nth(3), "^\\d+$");
        await Assertions.Expect(page.Locator("#camera-still")).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("^blob:"), new() { Timeout = 90_000 });
        Assert.Equal(640, await page.EvalOnSelectorAsync<int>("#camera-still", "i => i.naturalWidth"));
        await page.ScreenshotAsync(new() { Path = ChromiumFixture.ScreenshotPath("cameras"), FullPage = true });

        // Five corners clicked on the picture as shown (smaller than the frame), the last one undone.
        await page.Locator("#camera-frame").ScrollIntoViewIfNeededAsync();
        var box = (await page.Locator("#camera-overlay").BoundingBoxAsync())!;
        Assert.True(box.Y >= 0 && box.Y + box.Height <= 760, $"the still is not wholly in the window: {box.Y:F0}+{box.Height:F0}");
        Assert.True(Math.Abs(box.Width - 640) > 50, $"the still is shown {box.Width} px wide: the test needs it scaled");
        (double X, double Y)[] corners = [(0.05, 0.45), (0.95, 0.45), (0.95, 0.98), (0.05, 0.98)];
        foreach (var (x, y) in corners.Append((0.5, 0.2)))
        {
            await page.Mouse.ClickAsync((float)(box.X + (x * box.Width)), (float)(box.Y + (y * box.Height)));
        }
        await Assertions.Expect(page.Locator("#zone-points")).ToHaveTextAsync("5 corner(s) placed");
        await page.ClickAsync("#zone-undo");
        await Assertions.Expect(page.Locator("#zone-points")).ToHaveTextAsync("4 corner(s) placed");
        await page.FillAsync("#zone-name", "kerb");
        await page.SelectOptionAsync("#zone-kind", "crowd");
        await page.ClickAsync("#zone-add");
        await Assertions.Expect(page.Locator("#camera-zones")).ToContainTextAsync("kerb");
        await Assertions.Expect(page.Locator("#camera-overlay polygon[data-zone='kerb']")).ToHaveCountAsync(1);

        // Apply: the cameras restart with the host (in this process); the login is handed to the new host.
        var versionBefore = await page.Locator("#nav").EvaluateAsync<string>("_ => fetch('/api/config').then(r => r.json()).then(j => j.version)");
        await page.ClickAsync("#zones-apply");
        await Assertions.Expect(page.Locator("#zones-result")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Applied: version [0-9a-f]{16} is running\\.$"), new() { Timeout = 90_000 });
        await Assertions.Expect(page.Locator("#view-login")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#camera-zones")).ToContainTextAsync("kerb", new() { Timeout = 90_000 });
        Assert.NotEqual(versionBefore, await page.Locator("#nav").EvaluateAsync<string>("_ => fetch('/api/config').then(r => r.json()).then(j => j.version)"));

        // The running configuration has the zone, in frame pixels whatever the size it was drawn at; "all" kept its settings.
        using var client = cameraGateway.Client();
        await WebGatewayFixture.LoginAsync(client, "view", WebCameraGatewayFixture.ViewerPassword);
        var zones = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync("/api/config"))!["config"]!["cameras"]![0]!["crowd"]!["zones"]!.AsArray();
        Assert.Equal(["all", "kerb"], zones.Select(z => z!["name"]!.GetValue<string>()));
        Assert.Equal(5, zones[0]!["alertPersons"]!.GetValue<int>());
        var polygon = zones[1]!["polygon"]!.AsArray().Select(p => (p![0]!.GetValue<double>(), p[1]!.GetValue<double>())).ToList();
        Assert.Equal(4, polygon.Count);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(Math.Abs(polygon[i].Item1 - (corners[i].X * 640)) <= 2 && Math.Abs(polygon[i].Item2 - (corners[i].Y * 480)) <= 2,
                $"corner {i}: {polygon[i]} for a click at {corners[i]} of a {box.Width:F0}x{box.Height:F0} picture");
        }

        // Its count appears once the new analysis reported it.
        await RefreshUntilAsync(page, page.Locator("#camera-zones tbody tr").Filter(new() { HasText = "kerb" }).Locator("td").Nth(3), "^\\d+$");
        await page.ClickAsync("#nav a[href='#/audit']");
        await Assertions.Expect(page.Locator("#audit-table tbody tr").First).ToContainTextAsync("cameras[0].crowd.zones[1]", new() { Timeout = 90_000 });
        await Assertions.Expect(page.Locator("#audit-table tbody tr").First).ToContainTextAsync("tech");

        await page.ClickAsync("#nav a[href='#/cameras']");
        await page.ClickAsync("#lang");
        await Assertions.Expect(page.Locator("#zone-editor h2")).ToHaveTextAsync("区域编辑");
        await Assertions.Expect(page.Locator("#camera-still")).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("^blob:"), new() { Timeout = 90_000 });
        await page.ScreenshotAsync(new() { Path = ChromiumFixture.ScreenshotPath("cameras-zh"), FullPage = true });
        await page.ClickAsync("#lang");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task A_viewer_sees_the_cameras_without_the_zone_editor()
    {
        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(cameraGateway.BaseUri + "#/cameras");
        await LogInAsync(page, "view", WebCameraGatewayFixture.ViewerPassword);
        await Assertions.Expect(page.Locator("#camera-zones")).ToContainTextAsync("all", new() { Timeout = 90_000 });
        await Assertions.Expect(page.Locator("#zone-editor")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#camera-zones button")).ToHaveCountAsync(0);
        var box = (await page.Locator("#camera-overlay").BoundingBoxAsync())!;
        await page.Mouse.ClickAsync((float)(box.X + (box.Width / 2)), (float)(box.Y + (box.Height / 2)));
        await Assertions.Expect(page.Locator("#camera-overlay circle")).ToHaveCountAsync(0);
    }

    /// <summary>Presses the page's refresh until <paramref name="cell"/> matches: the page shows what the node had when asked.</summary>
    private static async Task RefreshUntilAsync(IPage page, ILocator cell, string pattern)
    {
        var regex = new System.Text.RegularExpressions.Regex(pattern);
        var deadline = Environment.TickCount64 + 90_000;
        while (true)
        {
            var text = await cell.CountAsync() == 1 ? await cell.InnerTextAsync() : "";
            if (regex.IsMatch(text.Trim()))
            {
                return;
            }
            Assert.True(Environment.TickCount64 < deadline, $"after 90 s the cell shows '{text}', not {pattern}");
            await page.ClickAsync("#camera-refresh");
            await page.WaitForTimeoutAsync(1000);
        }
    }

    internal static async Task LogInAsync(IPage page, string user, string password)
    {
        await page.FillAsync("#login-user", user);
        await page.FillAsync("#login-password", password);
        await page.ClickAsync("#login-form button[type=submit]");
        await Assertions.Expect(page.Locator("#nav")).ToBeVisibleAsync(Patience);
    }

    /// <summary>
    /// Script errors and CSP violations: the page must run under its own policy without any. The
    /// browser's notes on answers the page expects (401 before login, 501 apply, 503 cameras) are not problems.
    /// With <paramref name="hostRestarts"/>, neither is a refused connection: after a change that restarts
    /// the gateway in its process the page asks every second until it listens again, and chromium notes
    /// each refusal on the console although the page handles it.
    /// </summary>
    internal static List<string> WatchConsole(IPage page, bool hostRestarts = false)
    {
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !ExpectedAnswers.IsMatch(message.Text)
                && !(hostRestarts && message.Text.Contains("net::ERR_CONNECTION_REFUSED", StringComparison.Ordinal)))
            {
                problems.Add(message.Text);
            }
        };
        page.PageError += (_, error) => problems.Add(error);
        return problems;
    }
}
