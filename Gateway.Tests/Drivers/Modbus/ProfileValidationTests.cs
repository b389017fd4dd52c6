using System.Text.Json.Nodes;
using Gateway.Drivers.Modbus.Polling;
using Gateway.Host.Configuration;
using Gateway.Tests.Support;

namespace Gateway.Tests.Drivers.Modbus;

/// <summary>Every shipped profile passes the gateway's own configuration validation and compiles into a read plan.</summary>
public class ProfileValidationTests
{
    public static TheoryData<string> Profiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Repo.PathOf("profiles"), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }
        return data;
    }

    [Fact]
    public void The_five_kinds_of_meter_the_issue_names_have_profiles()
    {
        var names = Directory.GetFiles(Repo.PathOf("profiles"), "*.json").Select(f => Path.GetFileName(f)).ToArray();
        foreach (var kind in new[] { "water-meter", "gas-meter", "level-sensor", "noise-sensor", "power-meter-3phase" })
        {
            Assert.Contains(names, n => n.StartsWith(kind, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Profile_passes_configuration_validation_and_plans(string file)
    {
        var result = Load($"profiles/{file}", Repo.Root);
        Assert.True(result.IsValid, string.Join("\n", result.Errors.Select(e => e.ToString())));
        var device = Assert.Single(result.Options!.Devices);
        var profilePoints = JsonNode.Parse(File.ReadAllText(Repo.PathOf("profiles", file)))!["points"]!.AsArray();
        Assert.Equal(profilePoints.Count, device.Points.Count);

        var compiled = new ModbusDevice(device);
        Assert.Equal(device.Points.Count, compiled.Blocks.Sum(b => b.PointIndexes.Length));
        Assert.InRange(compiled.Blocks.Length, 1, 4);
    }

    [Fact]
    public void A_broken_profile_is_refused_with_its_path()
    {
        using var temp = new TempDirectory("profile");
        File.WriteAllText(temp.File("bad.json"), """
            { "name": "bad", "points": [ { "name": "t", "table": "holding", "address": 0, "type": "f32", "bit": 3 } ] }
            """);
        var result = Load("bad.json", temp.Path);
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.ToString().Contains("bit", StringComparison.Ordinal));
    }

    private static ConfigLoadResult Load(string profile, string directory) =>
        GatewayConfigLoader.LoadText($$"""
            {
              "node": { "id": "pole-0001" },
              "storage": { "path": "data/buffer.db" },
              "mqtt": { "brokers": ["mqtt://127.0.0.1:1883"] },
              "buses": [ { "id": "rs485-1", "port": "/dev/ttyS1", "baud": 9600 } ],
              "devices": [ { "id": "meter-1", "type": "modbus", "bus": "rs485-1", "unitId": 3, "pollMs": 5000, "profile": "{{profile}}" } ]
            }
            """, directory, []);
}
