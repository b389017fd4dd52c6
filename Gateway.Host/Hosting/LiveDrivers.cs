using Gateway.Drivers.Gpio;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Modbus.Polling;
using Gateway.Drivers.Modbus.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Host.Hosting;

/// <summary>
/// The host's view of the drivers that live in <see cref="LiveComponents"/>' groups: whoever asks
/// the host for <see cref="IModbusDriverStatus"/>, <see cref="IModbusWriter"/>, <see cref="IModbusReader"/> or
/// <see cref="IGpioOutputs"/> (commands, the web page) reaches the instance running now, also after
/// a configuration change rebuilt it. While a group is being rebuilt it has no devices.
/// </summary>
internal sealed class LiveDrivers(LiveComponents live) : IModbusDriverStatus, IModbusWriter, IModbusReader, IGpioOutputs
{
    private IModbusDriverStatus? ModbusStatus => live.ServicesOf(LiveComponents.Modbus)?.GetService<IModbusDriverStatus>();

    private IGpioOutputs? Outputs => live.ServicesOf(LiveComponents.PoleSensors)?.GetService<IGpioOutputs>();

    public IReadOnlyList<ModbusDeviceStatus> GetStatus() => ModbusStatus?.GetStatus() ?? [];

    public ModbusLinkCounters? CountersOf(string deviceId) => ModbusStatus?.CountersOf(deviceId);

    public ValueTask<ModbusWriteResult> WriteAsync(string deviceId, string pointName, double value, CancellationToken cancellationToken) =>
        live.ServicesOf(LiveComponents.Modbus)?.GetService<IModbusWriter>() is { } writer
            ? writer.WriteAsync(deviceId, pointName, value, cancellationToken)
            : ValueTask.FromResult(new ModbusWriteResult(ModbusWriteStatus.UnknownDevice, $"no modbus device '{deviceId}' (the Modbus drivers are restarting)"));

    public ValueTask<ModbusReadOnce?> ReadOnceAsync(string deviceId, CancellationToken cancellationToken) =>
        live.ServicesOf(LiveComponents.Modbus)?.GetService<IModbusReader>() is { } reader
            ? reader.ReadOnceAsync(deviceId, cancellationToken)
            : ValueTask.FromResult<ModbusReadOnce?>(null);

    public IReadOnlyCollection<string> DeviceIds => Outputs?.DeviceIds ?? [];

    public ValueTask<bool> SetAsync(string deviceId, bool active, CancellationToken cancellationToken) =>
        Outputs is { } outputs ? outputs.SetAsync(deviceId, active, cancellationToken) : ValueTask.FromResult(false);

    public bool? Get(string deviceId) => Outputs?.Get(deviceId);
}
