using Gateway.Drivers.I2c.Interop;

namespace Gateway.Tests.Drivers.I2c;

public sealed unsafe class I2cUapiLayoutTests
{
    [Fact]
    public void Rdwr_structures_and_numbers_match_linux_i2c_dev_h()
    {
        var header = KernelHeaderProbe.Run(["linux/i2c.h", "linux/i2c-dev.h"],
        [
            ("msg", "sizeof(struct i2c_msg)"),
            ("msg_flags", "offsetof(struct i2c_msg, flags)"),
            ("msg_len", "offsetof(struct i2c_msg, len)"),
            ("msg_buf", "offsetof(struct i2c_msg, buf)"),
            ("data", "sizeof(struct i2c_rdwr_ioctl_data)"),
            ("data_nmsgs", "offsetof(struct i2c_rdwr_ioctl_data, nmsgs)"),
            ("I2C_RDWR", "I2C_RDWR"),
            ("I2C_M_RD", "I2C_M_RD"),
            ("I2C_RDWR_IOCTL_MAX_MSGS", "I2C_RDWR_IOCTL_MAX_MSGS"),
        ]);

        var message = default(I2cDevUapi.Message);
        var m = (byte*)&message;
        var data = default(I2cDevUapi.RdwrIoctlData);
        var d = (byte*)&data;
        var ours = new Dictionary<string, ulong>
        {
            ["msg"] = (ulong)sizeof(I2cDevUapi.Message),
            ["msg_flags"] = (ulong)((byte*)&message.Flags - m),
            ["msg_len"] = (ulong)((byte*)&message.Length - m),
            ["msg_buf"] = (ulong)((byte*)&message.Buffer - m),
            ["data"] = (ulong)sizeof(I2cDevUapi.RdwrIoctlData),
            ["data_nmsgs"] = (ulong)((byte*)&data.Count - d),
            ["I2C_RDWR"] = I2cDevUapi.I2cRdwr,
            ["I2C_M_RD"] = I2cDevUapi.FlagRead,
            ["I2C_RDWR_IOCTL_MAX_MSGS"] = I2cDevUapi.MaxMessages,
        };

        Assert.Equal(header.OrderBy(p => p.Key), ours.OrderBy(p => p.Key));
    }
}
