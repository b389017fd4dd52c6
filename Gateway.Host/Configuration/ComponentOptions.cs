using Gateway.Drivers.Modbus;
using Gateway.Drivers.Pole;
using Gateway.Inference;

namespace Gateway.Host.Configuration;

/// <summary>
/// How the configuration becomes each component's options: one mapping, used both to compose the
/// host and by <c>check-config</c>, so that both run the components' validators on the same values.
/// </summary>
internal static class ComponentOptions
{
    public static void Modbus(GatewayOptions config, ModbusDriverOptions options)
    {
        options.Devices = config.Devices;
        options.Buses = config.Buses;
    }

    public static void PoleSensors(GatewayOptions config, PoleSensorsOptions options)
    {
        options.Devices = config.Devices;
        // Pulse counters keep their journals beside the store, on the same persistent storage.
        options.StateDirectory = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(config.Storage.Path))!, "pole-state");
    }

    public static void Cameras(GatewayOptions config, CamerasOptions options)
    {
        options.Models = config.Models;
        options.Cameras = config.Cameras;
    }

    public static void Inference(GatewayOptions config, InferenceOptions options)
    {
        options.OnnxRuntimePath = config.Inference.OnnxRuntimePath;
        options.IntraOpThreads = config.Inference.IntraOpThreads;
        options.Threads = config.Inference.Threads;
    }

    public static T Build<T>(GatewayOptions config, Action<GatewayOptions, T> map)
        where T : new()
    {
        var options = new T();
        map(config, options);
        return options;
    }
}
