using Microsoft.Playwright;

namespace Gateway.Tests.Host.Web;

/// <summary>
/// The page in Debian's chromium against a whole running gateway: log in, status, "read now" on
/// the simulated water meter, a viewer without the apply button, the language switch. Each page
/// is photographed (docs/screenshots/ with WEB_SCREENSHOTS_TO_DOCS=1).
/// </summary>
[Collection(WebGatewayCollection.Name)]
public sealed class WebBrowserTests(WebGatewayFixture gateway, ChromiumFixture chromium)
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
        await Assertions.Expect(page.Locator("#cameras-body")).ToContainTextAsync("Camera analysis is not built into this gateway yet");
        await page.ScreenshotAsync(new() { Path = ChromiumFixture.ScreenshotPath("cameras") });

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

    private static async Task LogInAsync(IPage page, string user, string password)
    {
        await page.FillAsync("#login-user", user);
        await page.FillAsync("#login-password", password);
        await page.ClickAsync("#login-form button[type=submit]");
        await Assertions.Expect(page.Locator("#nav")).ToBeVisibleAsync(Patience);
    }

    /// <summary>
    /// Script errors and CSP violations: the page must run under its own policy without any. The
    /// browser's notes on answers the page expects (401 before login, 501 apply, 503 cameras) are not problems.
    /// </summary>
    private static List<string> WatchConsole(IPage page)
    {
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !ExpectedAnswers.IsMatch(message.Text))
            {
                problems.Add(message.Text);
            }
        };
        page.PageError += (_, error) => problems.Add(error);
        return problems;
    }
}
