using Microsoft.Extensions.Logging;

namespace Gateway.Inference.Detectors;

internal static partial class Log
{
    [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "Model {Manifest} loaded in {Milliseconds} ms: {Input} -> {Output}; {Model} (ONNX Runtime {Version} from {Library})")]
    public static partial void ModelLoaded(ILogger logger, string manifest, long milliseconds, string input, string output, string model, string version, string? library);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Error, Message = "Model {Manifest} refused")]
    public static partial void ModelRefused(ILogger logger, Exception exception, string manifest);
}
