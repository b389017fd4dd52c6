using Gateway.Inference;

namespace Gateway.Host.Cli;

/// <summary><c>detect --model MANIFEST IMAGE…</c> (SPEC section 5); the work is Gateway.Inference's <see cref="Inference.Commands.DetectCommand"/>.</summary>
internal static class DetectCommand
{
    public static async Task<int> RunAsync(CommandLine line, CliConsole console, CancellationToken cancellationToken)
    {
        var manifest = line.Option("model");
        var images = line.Words.Skip(1).ToArray();
        if (manifest is null || images.Length == 0)
        {
            console.Error.WriteLine("edge-gateway: detect needs --model MANIFEST and at least one image file");
            return GatewayCli.UsageError;
        }
        return await Inference.Commands.DetectCommand.RunAsync(manifest, images, console.Out, console.Error, new InferenceOptions(), TimeProvider.System, cancellationToken).ConfigureAwait(false);
    }
}
