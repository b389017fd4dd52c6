namespace Gateway.Inference.Runtime;

/// <summary>
/// An error reported by ONNX Runtime: its <see cref="OrtErrorCode"/> and its own message. Wraps the
/// package's exception, whose error code is internal to the package: callers get it here.
/// </summary>
public sealed class OnnxRuntimeException : Exception
{
    public OnnxRuntimeException()
    {
    }

    public OnnxRuntimeException(string message)
        : base(message)
    {
    }

    public OnnxRuntimeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    private OnnxRuntimeException(OrtErrorCode code, string ortMessage, Exception inner)
        : base($"ONNX Runtime error {code}: {ortMessage}", inner)
    {
        Code = code;
        OrtMessage = ortMessage;
    }

    public OrtErrorCode Code { get; } = OrtErrorCode.Fail;

    /// <summary>The message exactly as ONNX Runtime gave it.</summary>
    public string OrtMessage { get; } = "";

    internal static OnnxRuntimeException From(Microsoft.ML.OnnxRuntime.OnnxRuntimeException e)
    {
        // The package's only public trace of ORT's code is its message: "[ErrorCode:Name] text",
        // Name from its internal enum (a number for codes that enum lacks).
        const string Prefix = "[ErrorCode:";
        var message = e.Message;
        var code = OrtErrorCode.Fail;
        var end = message.IndexOf("] ", StringComparison.Ordinal);
        if (message.StartsWith(Prefix, StringComparison.Ordinal) && end > 0)
        {
            code = message[Prefix.Length..end] switch
            {
                "ShapeInferenceNotRegistered" => OrtErrorCode.ExecutionProviderFail,
                "RequirementNotRegistered" => OrtErrorCode.ModelLoadCanceled,
                var name => Enum.TryParse<OrtErrorCode>(name, out var parsed) ? parsed : OrtErrorCode.Fail,
            };
            message = message[(end + 2)..];
        }
        return new OnnxRuntimeException(code, message, e);
    }
}
