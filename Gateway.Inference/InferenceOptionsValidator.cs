using Microsoft.Extensions.Options;

namespace Gateway.Inference;

/// <summary>The <c>inference</c> bounds, checked at start: a thread count ONNX Runtime accepts, and an explicit runtime library that exists.</summary>
public sealed class InferenceOptionsValidator : IValidateOptions<InferenceOptions>
{
    public ValidateOptionsResult Validate(string? name, InferenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.IntraOpThreads is not (>= 0 and <= 64))
        {
            failures.Add("inference.intraOpThreads must be from 0 to 64");
        }
        if (options.Threads is not (>= 1 and <= 16))
        {
            failures.Add("inference.threads must be from 1 to 16");
        }
        if (options.OnnxRuntimePath is not null && !File.Exists(options.OnnxRuntimePath))
        {
            failures.Add("inference.onnxRuntimePath names a file that does not exist");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
