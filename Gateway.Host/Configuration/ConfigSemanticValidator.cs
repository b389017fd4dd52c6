using Gateway.Drivers;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Pole;
using Gateway.Inference;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Store;
using Gateway.Sync.Time;

namespace Gateway.Host.Configuration;

/// <summary>
/// The rules a JSON Schema cannot express, run on a document that passed the schema and was bound.
/// Each section's rules belong to its component (its <c>IValidateOptions</c>, run again at host
/// start); this class runs them in section order on the options the host would give each component
/// (<see cref="ComponentOptions"/>), merges device profiles, checks the files the configuration names,
/// and keeps only the rules across sections: device ids unique over every kind of device, and a serial
/// port held by one of a Modbus bus or a pole sensor.
/// </summary>
internal sealed class ConfigSemanticValidator(JsonSchemaValidator schema, ConfigFileResolver files, List<ConfigError> errors, List<ConfigError> warnings)
{
    public void Validate(GatewayOptions config)
    {
        var fileChecks = new ConfigFileChecks(files, errors, warnings);
        Add(MqttOptionsValidator.Problems(config.Mqtt));
        fileChecks.Mqtt(config.Mqtt);
        Add(WebOptionsValidator.Problems(config.Web));
        Add(StorageOptionsValidator.Problems(config.Storage));
        Add(TimeOptionsValidator.Problems(config.Time));
        Add(Health.HealthOptionsValidator.Problems(config.Health));
        UniqueDeviceIds(config.Devices);
        new DeviceProfileLoader(schema, files, errors).Merge(config.Devices);
        Add(ModbusDriverOptionsValidator.Problems(ComponentOptions.Build<ModbusDriverOptions>(config, ComponentOptions.Modbus)));
        Add(PoleSensorsOptionsValidator.Problems(ComponentOptions.Build<PoleSensorsOptions>(config, ComponentOptions.PoleSensors)));
        SensorsOffBusPorts(config);
        fileChecks.Models(config.Models);
        Add(CamerasOptionsValidator.Problems(ComponentOptions.Build<CamerasOptions>(config, ComponentOptions.Cameras)));
        fileChecks.CameraSources(config.Cameras);
    }

    /// <summary>Modbus and pole devices share the <c>devices</c> section, and their ids name them in topics and commands.</summary>
    private void UniqueDeviceIds(IList<DeviceOptions> devices)
    {
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < devices.Count; i++)
        {
            if (!first.TryAdd(devices[i].Id, i))
            {
                errors.Add(new ConfigError($"devices[{i}].id", $"duplicate device id '{devices[i].Id}' (also devices[{first[devices[i].Id]}])"));
            }
        }
    }

    /// <summary>A serial sensor must not sit on a port that a Modbus bus owns: both would read each other's bytes.</summary>
    private void SensorsOffBusPorts(GatewayOptions config)
    {
        var buses = new HardwareClaims();
        for (var i = 0; i < config.Buses.Count; i++)
        {
            buses.Claim(HardwareClaims.SerialPort(config.Buses[i].Port), $"buses[{i}]");
        }
        var sensors = new HardwareClaims();
        for (var i = 0; i < config.Devices.Count; i++)
        {
            var device = config.Devices[i];
            if (device.Type is not ("pms5003" or "nmea") || device.Port is null)
            {
                continue;
            }
            var port = HardwareClaims.SerialPort(device.Port);
            // A sensor sharing its port with another sensor is already reported; the first one speaks for both.
            if (sensors.Claim(port, $"devices[{i}]") is null && buses.OwnerOf(port) is { } bus)
            {
                errors.Add(new ConfigError($"devices[{i}].port", $"serial port '{device.Port}' is already used by {bus}"));
            }
        }
    }

    private void Add(IReadOnlyList<(string Path, string Message)> problems) =>
        errors.AddRange(problems.Select(p => new ConfigError(p.Path, p.Message)));
}
