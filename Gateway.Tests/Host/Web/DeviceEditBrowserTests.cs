using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.Simulation.Modbus;
using Microsoft.Playwright;

namespace Gateway.Tests.Host.Web;

/// <summary>
/// The devices page's editor in Debian's chromium against a whole running gateway of its own (the
/// changes would otherwise move the devices other web tests count on): a meter's poll period
/// changed, a second simulated meter added and read, refused values shown by path with Apply
/// disabled, a concurrent change caught and reloaded, a device deleted after confirmation, and a
/// viewer without any of it. Photographed as docs/screenshots/device-edit(-zh).png.
/// </summary>
[Collection(DeviceEditCollection.Name)]
public sealed partial class DeviceEditBrowserTests(WebGatewayFixture gateway, ChromiumFixture chromium)
{
    private static readonly LocatorAssertionsToBeVisibleOptions Patience = new() { Timeout = 30_000 };

    [Fact]
    public async Task A_technician_changes_a_meters_poll_period_adds_a_second_meter_reads_it_and_deletes_it()
    {
        await using var second = new SimulatedModbusServer(new SimulatedModbusOptions { Registers = new WaterMeterRegisters(TimeProvider.System) });
        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = WebBrowserTests.WatchConsole(page);
        await page.GotoAsync(gateway.BaseUri + "#/devices");
        await WebBrowserTests.LogInAsync(page, "tech", WebGatewayFixture.TechnicianPassword);

        // Edit water-1: a poll period of 0 is refused beside its field, by path; Apply stays disabled.
        await page.ClickAsync("button[data-edit-device='water-1']");
        await Assertions.Expect(page.Locator("#device-editor-title")).ToHaveTextAsync("Edit device water-1", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#field-pollMs")).ToHaveValueAsync("1000");
        await Assertions.Expect(page.Locator("#field-id")).ToHaveCountAsync(0); // an id is kept: telemetry and events are keyed by it
        await Assertions.Expect(page.Locator("#device-kept-line")).ToBeHiddenAsync(); // every key of this meter has a field
        await page.FillAsync("#field-pollMs", "0");
        var pollError = page.Locator("[data-error-for='pollMs']");
        await Assertions.Expect(pollError).ToBeVisibleAsync(Patience);
        await Assertions.Expect(pollError).ToHaveAttributeAsync("data-path", "devices[0].pollMs");
        await Assertions.Expect(page.Locator("#device-validity")).ToContainTextAsync("Not valid");
        await Assertions.Expect(page.Locator("#device-apply")).ToBeDisabledAsync();

        // Meanwhile someone else changes the configuration: the check says so and offers a reload that keeps the entry.
        await ApplyElsewhereAsync(c => c["devices"]![1]!["debounceMs"] = 25);
        await page.FillAsync("#field-pollMs", "2500");
        await Assertions.Expect(page.Locator("#device-validity")).ToContainTextAsync("Someone else changed the configuration", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#device-apply")).ToBeDisabledAsync();
        await page.ClickAsync("#device-reload");
        await Assertions.Expect(page.Locator("#device-validity")).ToContainTextAsync("Valid. Applying it restarts", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#field-pollMs")).ToHaveValueAsync("2500");
        var diff = page.Locator("#device-diff tbody tr");
        await Assertions.Expect(diff).ToHaveCountAsync(1);
        await Assertions.Expect(diff.Locator(".diff-old")).ToHaveTextAsync("1000");
        await Assertions.Expect(diff.Locator(".diff-new")).ToHaveTextAsync("2500");
        await Assertions.Expect(diff.Locator("code").First).ToHaveTextAsync("devices[0].pollMs");
        await page.ClickAsync("#device-apply");
        await Assertions.Expect(page.Locator("#device-result")).ToHaveTextAsync(VersionRunning(), new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#device-editor")).ToBeHiddenAsync();

        // Add water-2 on the second meter: the form is the Modbus type's keys; an id already taken is refused by path.
        await page.ClickAsync("#device-add");
        await Assertions.Expect(page.Locator("#device-editor-title")).ToHaveTextAsync("New device");
        await Assertions.Expect(page.Locator("#field-type")).ToHaveValueAsync("modbus");
        await Assertions.Expect(page.Locator("#field-chip")).ToHaveCountAsync(0);
        await page.SelectOptionAsync("#field-type", "gpio-input");
        await Assertions.Expect(page.Locator("#field-chip")).ToBeVisibleAsync(); // the form follows the type
        await Assertions.Expect(page.Locator("#field-endpoint")).ToHaveCountAsync(0);
        await page.SelectOptionAsync("#field-type", "modbus");
        await page.FillAsync("#field-id", "water-1");
        await page.FillAsync("#field-endpoint", $"tcp://127.0.0.1:{second.Port}");
        await page.FillAsync("#field-unitId", "1");
        await page.FillAsync("#field-pollMs", "1000");
        await page.SelectOptionAsync("#field-profile", "profiles/water-meter-generic.json");
        var idError = page.Locator("[data-error-for='id']");
        await Assertions.Expect(idError).ToBeVisibleAsync(Patience);
        await Assertions.Expect(idError).ToHaveAttributeAsync("data-path", "devices[2].id");
        await Assertions.Expect(idError).ToContainTextAsync("duplicate device id");
        await Assertions.Expect(page.Locator("#device-apply")).ToBeDisabledAsync();
        await page.FillAsync("#field-id", "water-2");
        await Assertions.Expect(idError).ToBeHiddenAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#device-validity")).ToContainTextAsync("Valid.", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#device-apply")).ToBeEnabledAsync();
        await Assertions.Expect(page.Locator("#device-diff")).ToContainTextAsync("devices[2]");
        await page.ScreenshotAsync(new() { Path = ChromiumFixture.ScreenshotPath("device-edit"), FullPage = true });
        await page.ClickAsync("#device-apply");
        await Assertions.Expect(page.Locator("#device-result")).ToHaveTextAsync(VersionRunning(), new() { Timeout = 60_000 });

        // The running configuration has both changes; water-1 kept its profile and the keys without a field.
        using var client = gateway.Client();
        await WebGatewayFixture.LoginAsync(client, "view", WebGatewayFixture.ViewerPassword);
        var devices = JsonNode.Parse(await client.GetStringAsync("/api/config"))!["config"]!["devices"]!.AsArray();
        Assert.Equal(["water-1", "door-1", "water-2"], devices.Select(d => d!["id"]!.GetValue<string>()));
        Assert.Equal(2500, devices[0]!["pollMs"]!.GetValue<int>());
        Assert.EndsWith("water-meter-generic.json", devices[0]!["profile"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(25, devices[1]!["debounceMs"]!.GetValue<int>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""
            { "id": "water-2", "type": "modbus", "endpoint": "tcp://127.0.0.1:{{second.Port}}", "unitId": 1, "pollMs": 1000, "profile": "profiles/water-meter-generic.json" }
            """), devices[2]), devices[2]!.ToJsonString());

        // The new meter is in the list and answers "read now" (the Modbus group restarted with it).
        var row = page.Locator("#devices-table tbody tr").Filter(new() { HasText = "water-2" });
        await Assertions.Expect(row).ToContainTextAsync($"tcp://127.0.0.1:{second.Port} #1");
        await Assertions.Expect(row.Locator(".state-online")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await page.ClickAsync("button[data-device='water-2']");
        await Assertions.Expect(page.Locator("#read-result h2")).ToContainTextAsync("water-2", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#read-table tbody tr").Filter(new() { HasText = "volume_total" })).ToContainTextAsync(" m3");
        await Assertions.Expect(page.Locator("#read-table")).ToContainTextAsync("3.61 V");

        // The audit log: both applies by tech via the web, newest first.
        await page.ClickAsync("#nav a[href='#/audit']");
        var audit = page.Locator("#audit-table tbody tr");
        await Assertions.Expect(audit.First).ToContainTextAsync("devices[2]", new() { Timeout = 30_000 });
        await Assertions.Expect(audit.First).ToContainTextAsync("tech");
        await Assertions.Expect(audit.Nth(1)).ToContainTextAsync("devices[0].pollMs");

        // In Chinese: the labels and the refused value's limits from the schema, the node's words beside them.
        await page.ClickAsync("#nav a[href='#/devices']");
        await page.ClickAsync("#lang");
        await page.ClickAsync("button[data-edit-device='water-2']");
        await Assertions.Expect(page.Locator("#device-editor-title")).ToHaveTextAsync("编辑设备 water-2", new() { Timeout = 30_000 });
        await page.FillAsync("#field-pollMs", "0");
        await Assertions.Expect(page.Locator("[data-error-for='pollMs']")).ToContainTextAsync("应在 10 到 86400000 之间", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#device-validity")).ToContainTextAsync("无效");
        await Assertions.Expect(page.Locator("#device-apply")).ToHaveTextAsync("应用");
        await Assertions.Expect(page.Locator("#device-apply")).ToBeDisabledAsync();
        await page.ScreenshotAsync(new() { Path = ChromiumFixture.ScreenshotPath("device-edit-zh"), FullPage = true });
        await page.ClickAsync("#device-cancel");
        await page.ClickAsync("#lang");

        // Delete asks first: dismissed, nothing changes; confirmed, water-2 is gone from the list and the file.
        var answers = new Queue<bool>([false, true]);
        var asked = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            asked.Add(dialog.Message);
            await (answers.Dequeue() ? dialog.AcceptAsync() : dialog.DismissAsync());
        };
        await page.ClickAsync("button[data-delete-device='water-2']");
        Assert.Equal(["Delete device water-2? Its readings stop; readings already stored stay until they are sent."], asked);
        await Assertions.Expect(page.Locator("#devices-table")).ToContainTextAsync("water-2");
        Assert.Equal(3, JsonNode.Parse(await client.GetStringAsync("/api/config"))!["config"]!["devices"]!.AsArray().Count);
        await page.ClickAsync("button[data-delete-device='water-2']");
        await Assertions.Expect(page.Locator("#device-result")).ToContainTextAsync("Device deleted: version", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#devices-table")).Not.ToContainTextAsync("water-2");
        Assert.Equal(["water-1", "door-1"], JsonNode.Parse(await client.GetStringAsync("/api/config"))!["config"]!["devices"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()));
        Assert.Empty(problems);
    }

    [Fact]
    public async Task A_viewer_sees_the_devices_without_edit_add_or_delete_and_the_server_refuses_a_change()
    {
        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(gateway.BaseUri + "#/devices");
        await WebBrowserTests.LogInAsync(page, "view", WebGatewayFixture.ViewerPassword);
        await Assertions.Expect(page.Locator("button[data-device='water-1']")).ToBeVisibleAsync(Patience);
        await Assertions.Expect(page.Locator("[data-edit-device]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-delete-device]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#device-add")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#device-editor")).ToBeHiddenAsync();

        // The page's own request as a viewer would send it: refused by the server whatever the page shows.
        var status = await page.EvaluateAsync<int>("""
            async () => {
              const session = await (await fetch('/api/session')).json();
              const config = await (await fetch('/api/config')).json();
              const response = await fetch('/api/config', { method: 'PUT', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrfToken },
                body: JSON.stringify({ version: config.version, patch: { devices: [] } }) });
              return response.status;
            }
            """);
        Assert.Equal(403, status);
    }

    [Fact]
    public async Task A_new_meter_that_does_not_answer_is_rolled_back_and_the_page_says_what_to_do_next()
    {
        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(gateway.BaseUri + "#/devices");
        await WebBrowserTests.LogInAsync(page, "tech", WebGatewayFixture.TechnicianPassword);
        using var client = gateway.Client();
        await WebGatewayFixture.LoginAsync(client, "view", WebGatewayFixture.ViewerPassword);
        var before = JsonNode.Parse(await client.GetStringAsync("/api/config"))!;

        // Valid as a configuration, so Apply is offered; nothing listens on the port, so the meter is offline within the health window.
        await page.ClickAsync("#device-add");
        await page.FillAsync("#field-id", "water-dead");
        await page.FillAsync("#field-endpoint", $"tcp://127.0.0.1:{Gateway.Tests.Support.Net.FreePort()}");
        await page.FillAsync("#field-pollMs", "200");
        await page.FillAsync("#field-timeoutMs", "100");
        await page.SelectOptionAsync("#field-profile", "profiles/water-meter-generic.json");
        await Assertions.Expect(page.Locator("#device-apply")).ToBeEnabledAsync(new() { Timeout = 30_000 });
        await page.ClickAsync("#device-apply");
        var result = page.Locator("#device-result");
        await Assertions.Expect(result).ToContainTextAsync("The device list as it was before is running again", new() { Timeout = 60_000 });
        await Assertions.Expect(result).ToContainTextAsync("correct the values and apply again");
        await Assertions.Expect(result.Locator("li")).ToContainTextAsync(["devices[2]"]);
        await Assertions.Expect(page.Locator("#device-editor")).ToBeVisibleAsync(); // the entries stay to be corrected

        var after = JsonNode.Parse(await client.GetStringAsync("/api/config"))!;
        Assert.Equal(before["version"]!.GetValue<string>(), after["version"]!.GetValue<string>());
        Assert.DoesNotContain(after["config"]!["devices"]!.AsArray(), d => d!["id"]!.GetValue<string>() == "water-dead");
    }

    /// <summary>A change made by another technician through the API, as a second browser would.</summary>
    private async Task ApplyElsewhereAsync(Action<JsonObject> change)
    {
        using var client = gateway.Client();
        var csrf = await WebGatewayFixture.LoginAsync(client, "tech", WebGatewayFixture.TechnicianPassword);
        var current = JsonNode.Parse(await client.GetStringAsync("/api/config"))!;
        var config = current["config"]!.AsObject();
        change(config);
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/config")
        {
            Content = WebGatewayFixture.JsonContent(new JsonObject { ["version"] = current["version"]!.GetValue<string>(), ["patch"] = new JsonObject { ["devices"] = config["devices"]!.DeepClone() } }),
        };
        request.Headers.Add("X-CSRF-Token", csrf);
        using var response = await client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex("^Applied: version [0-9a-f]{16} is running\\.$")]
    private static partial Regex VersionRunning();
}

/// <summary>The device editor's own gateway and browser: its changes to the device list stay out of the other web tests.</summary>
[CollectionDefinition(Name)]
public sealed class DeviceEditCollection : ICollectionFixture<WebGatewayFixture>, ICollectionFixture<ChromiumFixture>
{
    public const string Name = "web device editing";
}
