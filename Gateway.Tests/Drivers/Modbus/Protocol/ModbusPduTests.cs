using Gateway.Drivers.Modbus.Protocol;

namespace Gateway.Tests.Drivers.Modbus.Protocol;

public class ModbusPduTests
{
    // Examples of Modbus Application Protocol v1.1b3, section 6.
    public static TheoryData<string, ModbusRequest> SpecRequests() => new()
    {
        { "03 00 6B 00 03", ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, 0x6B, 3) },
        { "01 00 13 00 13", ModbusRequest.Read(ModbusFunction.ReadCoils, 0x13, 0x13) },
        { "02 00 C4 00 16", ModbusRequest.Read(ModbusFunction.ReadDiscreteInputs, 0xC4, 0x16) },
        { "04 00 08 00 01", ModbusRequest.Read(ModbusFunction.ReadInputRegisters, 8, 1) },
        { "05 00 AC FF 00", ModbusRequest.WriteSingleCoil(0xAC, true) },
        { "06 00 01 00 03", ModbusRequest.WriteSingleRegister(1, 3) },
        { "0F 00 13 00 0A 02 CD 01", ModbusRequest.WriteMultipleCoils(0x13, 10, new byte[] { 0xCD, 0x01 }) },
        { "10 00 01 00 02 04 00 0A 01 02", ModbusRequest.WriteMultipleRegisters(1, new byte[] { 0x00, 0x0A, 0x01, 0x02 }) },
    };

    [Theory]
    [MemberData(nameof(SpecRequests))]
    public void Requests_encode_as_in_the_specification_and_parse_back(string hex, ModbusRequest request)
    {
        var buffer = new byte[ModbusLimits.MaxPduLength];
        var length = ModbusPdu.WriteRequest(request, buffer);
        Assert.Equal(Hex.Parse(hex), buffer[..length]);
        Assert.True(ModbusPdu.TryParseRequest(buffer.AsMemory(0, length), out var parsed));
        AssertSame(request, parsed);
    }

    [Fact]
    public void Read_response_of_the_specification_parses_to_its_data()
    {
        var pdu = Hex.Parse("03 06 02 2B 00 00 00 64");
        var request = ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, 0x6B, 3);
        Assert.True(ModbusPdu.TryParseResponse(pdu, request, out var response));
        Assert.False(response.IsException);
        Assert.Equal(Hex.Parse("02 2B 00 00 00 64"), pdu.AsSpan(response.DataOffset, response.DataLength).ToArray());
    }

    [Theory]
    [InlineData("83 02", ModbusExceptionCode.IllegalDataAddress)]
    [InlineData("83 04", ModbusExceptionCode.ServerDeviceFailure)]
    [InlineData("83 0B", ModbusExceptionCode.GatewayTargetFailedToRespond)]
    public void Exception_responses_carry_their_code(string hex, ModbusExceptionCode code)
    {
        var request = ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, 0, 1);
        Assert.True(ModbusPdu.TryParseResponse(Hex.Parse(hex), request, out var response));
        Assert.True(response.IsException);
        Assert.Equal(code, response.ExceptionCode);
        Assert.StartsWith($"exception {(byte)code} ", ModbusPdu.Describe(code) + " ", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("03 04 00 01 00 02")] // two registers where three were asked
    [InlineData("03 06 02 2B 00 00 00")] // byte count says 6, 5 follow
    [InlineData("04 06 02 2B 00 00 00 64")] // another function
    [InlineData("83")] // exception without code
    [InlineData("84 02")] // exception of another function
    [InlineData("")]
    public void Responses_that_do_not_answer_the_request_are_refused(string hex)
    {
        var request = ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, 0x6B, 3);
        Assert.False(ModbusPdu.TryParseResponse(Hex.Parse(hex), request, out _));
    }

    [Theory]
    [InlineData("06 00 01 00 04")] // echo of another value
    [InlineData("06 00 02 00 03")] // echo of another address
    public void Write_echo_must_match(string hex)
    {
        Assert.False(ModbusPdu.TryParseResponse(Hex.Parse(hex), ModbusRequest.WriteSingleRegister(1, 3), out _));
        Assert.True(ModbusPdu.TryParseResponse(Hex.Parse("06 00 01 00 03"), ModbusRequest.WriteSingleRegister(1, 3), out _));
    }

    [Theory]
    [InlineData(ModbusFunction.ReadHoldingRegisters, 0, 126)]
    [InlineData(ModbusFunction.ReadHoldingRegisters, 0, 0)]
    [InlineData(ModbusFunction.ReadCoils, 0, 2001)]
    [InlineData(ModbusFunction.ReadInputRegisters, 65500, 100)]
    public void Requests_beyond_the_protocol_limits_are_not_encoded(ModbusFunction function, int address, int count)
    {
        var request = ModbusRequest.Read(function, (ushort)address, (ushort)count);
        Assert.Equal(0, ModbusPdu.WriteRequest(request, new byte[ModbusLimits.MaxPduLength]));
    }

    [Fact]
    public void Property_random_requests_round_trip_through_the_codec()
    {
        var random = new Random(20261121);
        var buffer = new byte[ModbusLimits.MaxPduLength];
        for (var i = 0; i < 20_000; i++)
        {
            var request = RandomRequest(random);
            var length = ModbusPdu.WriteRequest(request, buffer);
            Assert.Equal(ModbusPdu.RequestLength(request), length);
            Assert.True(ModbusPdu.TryParseRequest(buffer.AsMemory(0, length), out var parsed), $"#{i} {request}");
            AssertSame(request, parsed);
        }
    }

    [Fact]
    public void Property_server_responses_to_random_requests_parse_back_to_the_same_data()
    {
        var random = new Random(7);
        var buffer = new byte[ModbusLimits.MaxPduLength];
        for (var i = 0; i < 20_000; i++)
        {
            var request = RandomRequest(random);
            int length;
            byte[] data = [];
            if (request.IsRead)
            {
                data = new byte[ModbusPdu.ResponseLength(request) - 2];
                random.NextBytes(data);
                length = ModbusPdu.WriteReadResponse(request.Function, data, buffer);
            }
            else
            {
                length = ModbusPdu.WriteWriteResponse(request, buffer);
            }
            Assert.True(ModbusPdu.TryParseResponse(buffer.AsSpan(0, length), request, out var response));
            Assert.Equal(data, buffer.AsSpan(response.DataOffset, response.DataLength).ToArray());

            length = ModbusPdu.WriteExceptionResponse(request.Function, (ModbusExceptionCode)random.Next(1, 12), buffer);
            Assert.True(ModbusPdu.TryParseResponse(buffer.AsSpan(0, length), request, out response));
            Assert.True(response.IsException);
        }
    }

    [Fact]
    public void Property_random_bytes_never_crash_the_parsers_and_accepted_reads_have_consistent_lengths()
    {
        var random = new Random(99);
        for (var i = 0; i < 50_000; i++)
        {
            var bytes = new byte[random.Next(0, 20)];
            random.NextBytes(bytes);
            if (bytes.Length > 0 && random.Next(2) == 0)
            {
                bytes[0] = (byte)random.Next(1, 17);
            }
            ModbusPdu.TryParseRequest(bytes, out _);
            var request = RandomRequest(random);
            if (ModbusPdu.TryParseResponse(bytes, request, out var response) && request.IsRead && !response.IsException)
            {
                Assert.Equal(ModbusPdu.ResponseLength(request), bytes.Length);
                Assert.Equal(bytes.Length - 2, response.DataLength);
            }
        }
    }

    internal static ModbusRequest RandomRequest(Random random)
    {
        var functions = Enum.GetValues<ModbusFunction>();
        var function = functions[random.Next(functions.Length)];
        switch (function)
        {
            case ModbusFunction.ReadCoils:
            case ModbusFunction.ReadDiscreteInputs:
            {
                var count = random.Next(1, ModbusLimits.MaxReadBits + 1);
                return ModbusRequest.Read(function, (ushort)random.Next(0, 65536 - count + 1), (ushort)count);
            }
            case ModbusFunction.ReadHoldingRegisters:
            case ModbusFunction.ReadInputRegisters:
            {
                var count = random.Next(1, ModbusLimits.MaxReadRegisters + 1);
                return ModbusRequest.Read(function, (ushort)random.Next(0, 65536 - count + 1), (ushort)count);
            }
            case ModbusFunction.WriteSingleCoil:
                return ModbusRequest.WriteSingleCoil((ushort)random.Next(65536), random.Next(2) == 0);
            case ModbusFunction.WriteSingleRegister:
                return ModbusRequest.WriteSingleRegister((ushort)random.Next(65536), (ushort)random.Next(65536));
            case ModbusFunction.WriteMultipleCoils:
            {
                var count = random.Next(1, ModbusLimits.MaxWriteBits + 1);
                var packed = new byte[(count + 7) / 8];
                random.NextBytes(packed);
                return ModbusRequest.WriteMultipleCoils((ushort)random.Next(0, 65536 - count + 1), (ushort)count, packed);
            }
            default:
            {
                var count = random.Next(1, ModbusLimits.MaxWriteRegisters + 1);
                var values = new byte[count * 2];
                random.NextBytes(values);
                return ModbusRequest.WriteMultipleRegisters((ushort)random.Next(0, 65536 - count + 1), values);
            }
        }
    }

    private static void AssertSame(ModbusRequest expected, ModbusRequest actual)
    {
        Assert.Equal(expected.Function, actual.Function);
        Assert.Equal(expected.Address, actual.Address);
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Value, actual.Value);
        Assert.Equal(expected.Values.ToArray(), actual.Values.ToArray());
    }
}
