using Gateway.Drivers.Gpio.Interop;

namespace Gateway.Tests.Drivers.Gpio;

public sealed unsafe class GpioUapiLayoutTests
{
    [Fact]
    public void Structures_flags_and_ioctl_numbers_match_linux_gpio_h()
    {
        var header = KernelHeaderProbe.Run(["linux/gpio.h"],
        [
            ("attr", "sizeof(struct gpio_v2_line_attribute)"),
            ("attr_value", "offsetof(struct gpio_v2_line_attribute, flags)"),
            ("config_attr", "sizeof(struct gpio_v2_line_config_attribute)"),
            ("config_attr_mask", "offsetof(struct gpio_v2_line_config_attribute, mask)"),
            ("config", "sizeof(struct gpio_v2_line_config)"),
            ("config_num_attrs", "offsetof(struct gpio_v2_line_config, num_attrs)"),
            ("config_attrs", "offsetof(struct gpio_v2_line_config, attrs)"),
            ("request", "sizeof(struct gpio_v2_line_request)"),
            ("request_consumer", "offsetof(struct gpio_v2_line_request, consumer)"),
            ("request_config", "offsetof(struct gpio_v2_line_request, config)"),
            ("request_num_lines", "offsetof(struct gpio_v2_line_request, num_lines)"),
            ("request_event_buffer_size", "offsetof(struct gpio_v2_line_request, event_buffer_size)"),
            ("request_fd", "offsetof(struct gpio_v2_line_request, fd)"),
            ("values", "sizeof(struct gpio_v2_line_values)"),
            ("values_mask", "offsetof(struct gpio_v2_line_values, mask)"),
            ("event", "sizeof(struct gpio_v2_line_event)"),
            ("event_id", "offsetof(struct gpio_v2_line_event, id)"),
            ("event_offset", "offsetof(struct gpio_v2_line_event, offset)"),
            ("GPIO_V2_GET_LINE_IOCTL", "GPIO_V2_GET_LINE_IOCTL"),
            ("GPIO_V2_LINE_SET_CONFIG_IOCTL", "GPIO_V2_LINE_SET_CONFIG_IOCTL"),
            ("GPIO_V2_LINE_GET_VALUES_IOCTL", "GPIO_V2_LINE_GET_VALUES_IOCTL"),
            ("GPIO_V2_LINE_SET_VALUES_IOCTL", "GPIO_V2_LINE_SET_VALUES_IOCTL"),
            ("GPIO_MAX_NAME_SIZE", "GPIO_MAX_NAME_SIZE"),
            ("GPIO_V2_LINES_MAX", "GPIO_V2_LINES_MAX"),
            ("GPIO_V2_LINE_NUM_ATTRS_MAX", "GPIO_V2_LINE_NUM_ATTRS_MAX"),
            ("ACTIVE_LOW", "GPIO_V2_LINE_FLAG_ACTIVE_LOW"),
            ("INPUT", "GPIO_V2_LINE_FLAG_INPUT"),
            ("OUTPUT", "GPIO_V2_LINE_FLAG_OUTPUT"),
            ("EDGE_RISING", "GPIO_V2_LINE_FLAG_EDGE_RISING"),
            ("EDGE_FALLING", "GPIO_V2_LINE_FLAG_EDGE_FALLING"),
            ("PULL_UP", "GPIO_V2_LINE_FLAG_BIAS_PULL_UP"),
            ("PULL_DOWN", "GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN"),
            ("BIAS_DISABLED", "GPIO_V2_LINE_FLAG_BIAS_DISABLED"),
            ("ATTR_FLAGS", "GPIO_V2_LINE_ATTR_ID_FLAGS"),
            ("ATTR_OUTPUT_VALUES", "GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES"),
            ("ATTR_DEBOUNCE", "GPIO_V2_LINE_ATTR_ID_DEBOUNCE"),
            ("RISING", "GPIO_V2_LINE_EVENT_RISING_EDGE"),
            ("FALLING", "GPIO_V2_LINE_EVENT_FALLING_EDGE"),
        ]);

        var request = default(GpioV2Uapi.LineRequest);
        var r = (byte*)&request;
        var lineEvent = default(GpioV2Uapi.LineEvent);
        var e = (byte*)&lineEvent;
        var config = default(GpioV2Uapi.LineConfig);
        var c = (byte*)&config;
        var ours = new Dictionary<string, ulong>
        {
            ["attr"] = (ulong)sizeof(GpioV2Uapi.LineAttribute),
            ["attr_value"] = 8,
            ["config_attr"] = (ulong)sizeof(GpioV2Uapi.LineConfigAttribute),
            ["config_attr_mask"] = (ulong)sizeof(GpioV2Uapi.LineAttribute),
            ["config"] = (ulong)sizeof(GpioV2Uapi.LineConfig),
            ["config_num_attrs"] = (ulong)((byte*)&config.NumAttrs - c),
            ["config_attrs"] = (ulong)((byte*)&config.Attrs - c),
            ["request"] = (ulong)sizeof(GpioV2Uapi.LineRequest),
            ["request_consumer"] = (ulong)(request.Consumer - r),
            ["request_config"] = (ulong)((byte*)&request.Config - r),
            ["request_num_lines"] = (ulong)((byte*)&request.NumLines - r),
            ["request_event_buffer_size"] = (ulong)((byte*)&request.EventBufferSize - r),
            ["request_fd"] = (ulong)((byte*)&request.Fd - r),
            ["values"] = (ulong)sizeof(GpioV2Uapi.LineValues),
            ["values_mask"] = 8,
            ["event"] = (ulong)sizeof(GpioV2Uapi.LineEvent),
            ["event_id"] = (ulong)((byte*)&lineEvent.Id - e),
            ["event_offset"] = (ulong)((byte*)&lineEvent.Offset - e),
            ["GPIO_V2_GET_LINE_IOCTL"] = GpioV2Uapi.GetLineIoctl,
            ["GPIO_V2_LINE_SET_CONFIG_IOCTL"] = GpioV2Uapi.LineSetConfigIoctl,
            ["GPIO_V2_LINE_GET_VALUES_IOCTL"] = GpioV2Uapi.LineGetValuesIoctl,
            ["GPIO_V2_LINE_SET_VALUES_IOCTL"] = GpioV2Uapi.LineSetValuesIoctl,
            ["GPIO_MAX_NAME_SIZE"] = GpioV2Uapi.MaxNameSize,
            ["GPIO_V2_LINES_MAX"] = GpioV2Uapi.LinesMax,
            ["GPIO_V2_LINE_NUM_ATTRS_MAX"] = GpioV2Uapi.NumAttrsMax,
            ["ACTIVE_LOW"] = GpioV2Uapi.FlagActiveLow,
            ["INPUT"] = GpioV2Uapi.FlagInput,
            ["OUTPUT"] = GpioV2Uapi.FlagOutput,
            ["EDGE_RISING"] = GpioV2Uapi.FlagEdgeRising,
            ["EDGE_FALLING"] = GpioV2Uapi.FlagEdgeFalling,
            ["PULL_UP"] = GpioV2Uapi.FlagBiasPullUp,
            ["PULL_DOWN"] = GpioV2Uapi.FlagBiasPullDown,
            ["BIAS_DISABLED"] = GpioV2Uapi.FlagBiasDisabled,
            ["ATTR_FLAGS"] = GpioV2Uapi.AttrIdFlags,
            ["ATTR_OUTPUT_VALUES"] = GpioV2Uapi.AttrIdOutputValues,
            ["ATTR_DEBOUNCE"] = GpioV2Uapi.AttrIdDebounce,
            ["RISING"] = GpioV2Uapi.EventRisingEdge,
            ["FALLING"] = GpioV2Uapi.EventFallingEdge,
        };

        Assert.Equal(header.OrderBy(p => p.Key), ours.OrderBy(p => p.Key));
    }
}
